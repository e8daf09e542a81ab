#include "app/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include <toml++/toml.h>
#include <unistd.h>

#include "adapters/db/database_url.hpp"
#include "core/error.hpp"

namespace personae {
namespace {

using std::chrono::milliseconds;

/// Where a value came from, for error messages: "personae.toml:12: server.port",
/// "environment variable PERSONAE_SERVER_PORT", "option --listen".
struct Origin {
  std::string label;
};

[[noreturn]] void fail(const Origin& origin, const std::string& message) {
  throw ConfigError(origin.label + ": " + message);
}

std::string in_quotes(std::string_view text) {
  return '"' + std::string(text) + '"';
}

std::string suggestion(std::string_view unknown, const std::vector<std::string>& known);

/// One configuration key. `from_toml` and `from_text` parse and store; `show` renders the current
/// value as a TOML literal.
struct Field {
  std::string path;
  std::string expected;  ///< what a valid value looks like, used in errors and docs
  std::string description;
  std::vector<std::string> env_aliases;
  std::function<void(Config&, const toml::node&, const Origin&)> from_toml;
  std::function<void(Config&, std::string_view, const Origin&)> from_text;
  std::function<std::string(const Config&)> show;
  bool secret = false;
};

Field make_field(std::string path, std::string expected, std::string description) {
  Field field;
  field.path = std::move(path);
  field.expected = std::move(expected);
  field.description = std::move(description);
  return field;
}

template <class T>
using Accessor = T& (*)(Config&);

// The accessors take a mutable Config; `show` only reads through them.
template <class T>
const T& view(Accessor<T> access, const Config& config) {
  return access(const_cast<Config&>(config));
}

std::string toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date or time";
  }
}

[[noreturn]] void wrong_type(const Origin& origin, const Field& field, const toml::node& node) {
  fail(origin, "expected " + field.expected + ", got " + toml_type_name(node));
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

/// "250ms", "10s", "2m", "1h".
std::optional<milliseconds> parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])) != 0) ++digits;
  const auto number = parse_integer(text.substr(0, digits));
  if (!number || *number > 1'000'000'000) return std::nullopt;
  const auto unit = text.substr(digits);
  if (unit == "ms") return milliseconds(*number);
  if (unit == "s") return milliseconds(*number * 1000);
  if (unit == "m") return milliseconds(*number * 60'000);
  if (unit == "h") return milliseconds(*number * 3'600'000);
  if (unit == "d") return milliseconds(*number * 86'400'000);
  return std::nullopt;
}

std::string format_duration(milliseconds value) {
  const auto ms = value.count();
  if (ms % 86'400'000 == 0 && ms != 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms % 3'600'000 == 0 && ms != 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0 && ms != 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

/// "1048576", "512KiB", "1MiB", "2GB".
std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])) != 0) ++digits;
  const auto number = parse_integer(text.substr(0, digits));
  if (!number) return std::nullopt;
  const auto unit = text.substr(digits);
  std::uint64_t multiplier = 0;
  if (unit.empty() || unit == "B") multiplier = 1;
  if (unit == "KiB") multiplier = 1ULL << 10;
  if (unit == "MiB") multiplier = 1ULL << 20;
  if (unit == "GiB") multiplier = 1ULL << 30;
  if (unit == "KB") multiplier = 1000;
  if (unit == "MB") multiplier = 1000ULL * 1000;
  if (unit == "GB") multiplier = 1000ULL * 1000 * 1000;
  if (multiplier == 0 || static_cast<std::uint64_t>(*number) > (1ULL << 50) / multiplier) return std::nullopt;
  return static_cast<std::uint64_t>(*number) * multiplier;
}

Field string_field(std::string path, std::string description, Accessor<std::string> access,
                   std::string expected = "a non-empty string") {
  Field field = make_field(std::move(path), std::move(expected), std::move(description));
  field.from_text = [access, expected = field.expected](Config& config, std::string_view text,
                                                        const Origin& origin) {
    if (text.empty()) fail(origin, "expected " + expected + ", got an empty string");
    access(config) = std::string(text);
  };
  field.from_toml = [field](Config& config, const toml::node& node, const Origin& origin) {
    if (!node.is_string()) wrong_type(origin, field, node);
    field.from_text(config, node.as_string()->get(), origin);
  };
  field.show = [access](const Config& config) {
    const auto& value = view(access, config);
    return value.empty() ? std::string() : in_quotes(value);
  };
  return field;
}

Field bool_field(std::string path, std::string description, Accessor<bool> access) {
  Field field = make_field(std::move(path), "true or false", std::move(description));
  field.from_text = [access](Config& config, std::string_view text, const Origin& origin) {
    if (text == "true") {
      access(config) = true;
    } else if (text == "false") {
      access(config) = false;
    } else {
      fail(origin, "expected true or false, got " + in_quotes(text));
    }
  };
  field.from_toml = [field, access](Config& config, const toml::node& node, const Origin& origin) {
    if (!node.is_boolean()) wrong_type(origin, field, node);
    access(config) = node.as_boolean()->get();
  };
  field.show = [access](const Config& config) { return view(access, config) ? "true" : "false"; };
  return field;
}

Field optional_bool_field(std::string path, std::string description, Accessor<std::optional<bool>> access) {
  Field field = make_field(std::move(path), "true or false", std::move(description));
  field.from_text = [access](Config& config, std::string_view text, const Origin& origin) {
    if (text != "true" && text != "false") fail(origin, "expected true or false, got " + in_quotes(text));
    access(config) = text == "true";
  };
  field.from_toml = [field, access](Config& config, const toml::node& node, const Origin& origin) {
    if (!node.is_boolean()) wrong_type(origin, field, node);
    access(config) = node.as_boolean()->get();
  };
  field.show = [access](const Config& config) {
    const auto& value = view(access, config);
    return value ? (*value ? "true" : "false") : "";
  };
  return field;
}

template <class Int>
Field integer_field(std::string path, std::string description, Accessor<Int> access, std::int64_t min,
                    std::int64_t max) {
  Field field =
      make_field(std::move(path), "an integer from " + std::to_string(min) + " to " + std::to_string(max),
                 std::move(description));
  auto store = [access, min, max, expected = field.expected](Config& config, std::int64_t value,
                                                             const Origin& origin) {
    if (value < min || value > max) fail(origin, "expected " + expected + ", got " + std::to_string(value));
    access(config) = static_cast<Int>(value);
  };
  field.from_text = [store, expected = field.expected](Config& config, std::string_view text,
                                                       const Origin& origin) {
    const auto value = parse_integer(text);
    if (!value) fail(origin, "expected " + expected + ", got " + in_quotes(text));
    store(config, *value, origin);
  };
  field.from_toml = [field, store](Config& config, const toml::node& node, const Origin& origin) {
    if (!node.is_integer()) wrong_type(origin, field, node);
    store(config, node.as_integer()->get(), origin);
  };
  field.show = [access](const Config& config) { return std::to_string(view(access, config)); };
  return field;
}

Field size_field(std::string path, std::string description, Accessor<std::size_t> access, std::uint64_t min,
                 std::uint64_t max) {
  Field field =
      make_field(std::move(path), "a size in bytes such as 65536 or \"64KiB\" (B, KiB, MiB, GiB, KB, MB, GB)",
                 std::move(description));
  auto store = [access, min, max](Config& config, std::uint64_t value, const Origin& origin) {
    if (value < min || value > max) {
      fail(origin, "expected a size from " + std::to_string(min) + " to " + std::to_string(max) +
                       " bytes, got " + std::to_string(value));
    }
    access(config) = static_cast<std::size_t>(value);
  };
  field.from_text = [store, expected = field.expected](Config& config, std::string_view text,
                                                       const Origin& origin) {
    const auto value = parse_size(text);
    if (!value) fail(origin, "expected " + expected + ", got " + in_quotes(text));
    store(config, *value, origin);
  };
  field.from_toml = [field, store](Config& config, const toml::node& node, const Origin& origin) {
    if (node.is_integer() && node.as_integer()->get() >= 0) {
      store(config, static_cast<std::uint64_t>(node.as_integer()->get()), origin);
    } else if (node.is_string()) {
      field.from_text(config, node.as_string()->get(), origin);
    } else {
      wrong_type(origin, field, node);
    }
  };
  field.show = [access](const Config& config) { return std::to_string(view(access, config)); };
  return field;
}

Field duration_field(std::string path, std::string description, Accessor<milliseconds> access,
                     milliseconds min, milliseconds max) {
  Field field = make_field(std::move(path),
                           "a duration from " + format_duration(min) + " to " + format_duration(max) +
                               " written like \"250ms\", \"10s\", \"2m\", \"1h\" or \"7d\"",
                           std::move(description));
  field.from_text = [access, min, max, expected = field.expected](Config& config, std::string_view text,
                                                                  const Origin& origin) {
    const auto value = parse_duration(text);
    if (!value || *value < min || *value > max)
      fail(origin, "expected " + expected + ", got " + in_quotes(text));
    access(config) = *value;
  };
  field.from_toml = [field](Config& config, const toml::node& node, const Origin& origin) {
    if (!node.is_string()) wrong_type(origin, field, node);
    field.from_text(config, node.as_string()->get(), origin);
  };
  field.show = [access](const Config& config) { return in_quotes(format_duration(view(access, config))); };
  return field;
}

Field string_list_field(std::string path, std::string description,
                        Accessor<std::vector<std::string>> access) {
  Field field = make_field(std::move(path), "an array of strings (comma-separated in the environment)",
                           std::move(description));
  field.from_text = [access](Config& config, std::string_view text, const Origin&) {
    std::vector<std::string> items;
    std::stringstream stream{std::string(text)};
    for (std::string item; std::getline(stream, item, ',');) {
      if (!item.empty()) items.push_back(item);
    }
    access(config) = std::move(items);
  };
  field.from_toml = [field, access](Config& config, const toml::node& node, const Origin& origin) {
    if (!node.is_array()) wrong_type(origin, field, node);
    std::vector<std::string> items;
    for (const auto& item : *node.as_array()) {
      if (!item.is_string())
        fail(origin, "expected " + field.expected + ", got an element that is " + toml_type_name(item));
      items.push_back(item.as_string()->get());
    }
    access(config) = std::move(items);
  };
  field.show = [access](const Config& config) {
    std::string out = "[";
    for (const auto& item : view(access, config)) out += (out.size() > 1 ? ", " : "") + in_quotes(item);
    return out + "]";
  };
  return field;
}

Field number_field(std::string path, std::string description, Accessor<double> access, double min,
                   double max) {
  std::ostringstream range;
  range << "a number from " << min << " to " << max;
  Field field = make_field(std::move(path), range.str(), std::move(description));
  auto store = [access, min, max, expected = field.expected](Config& config, double value,
                                                             const Origin& origin) {
    if (!(value >= min && value <= max)) fail(origin, "expected " + expected);
    access(config) = value;
  };
  field.from_text = [store, expected = field.expected](Config& config, std::string_view text,
                                                       const Origin& origin) {
    double value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || text.empty())
      fail(origin, "expected " + expected + ", got " + in_quotes(text));
    store(config, value, origin);
  };
  field.from_toml = [field, store](Config& config, const toml::node& node, const Origin& origin) {
    if (node.is_floating_point()) {
      store(config, node.as_floating_point()->get(), origin);
    } else if (node.is_integer()) {
      store(config, static_cast<double>(node.as_integer()->get()), origin);
    } else {
      wrong_type(origin, field, node);
    }
  };
  field.show = [access](const Config& config) {
    std::ostringstream out;
    out << view(access, config);
    return out.str();
  };
  return field;
}

/// A string limited to `choices`.
Field choice_field(std::string path, std::string description, Accessor<std::string> access,
                   std::vector<std::string> choices) {
  std::string expected = "one of";
  for (const auto& choice : choices) expected += (expected.size() > 6 ? ", " : " ") + in_quotes(choice);
  Field field = make_field(std::move(path), expected, std::move(description));
  field.from_text = [access, choices, expected](Config& config, std::string_view text, const Origin& origin) {
    if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
      fail(origin, "expected " + expected + ", got " + in_quotes(text));
    }
    access(config) = std::string(text);
  };
  field.from_toml = [field](Config& config, const toml::node& node, const Origin& origin) {
    if (!node.is_string()) wrong_type(origin, field, node);
    field.from_text(config, node.as_string()->get(), origin);
  };
  field.show = [access](const Config& config) { return in_quotes(view(access, config)); };
  return field;
}

/// One key of the tables in a list of tables.
template <class Item>
struct ItemKey {
  std::string key;
  std::string expected;
  bool required = false;
  std::function<void(Item&, const toml::node&, const Origin&)> parse;
  std::function<std::string(const Item&)> show;
};

template <class Item>
ItemKey<Item> item_string(std::string key, std::string Item::*member, bool required,
                          std::vector<std::string> choices = {}) {
  std::string expected = "a string";
  if (!choices.empty()) {
    expected = "one of";
    for (const auto& choice : choices) expected += (expected.size() > 6 ? ", " : " ") + in_quotes(choice);
  }
  ItemKey<Item> item{std::move(key), expected, required, nullptr, nullptr};
  item.parse = [member, choices, expected](Item& target, const toml::node& node, const Origin& origin) {
    if (!node.is_string()) fail(origin, "expected " + expected + ", got " + toml_type_name(node));
    const std::string value = node.as_string()->get();
    if (!choices.empty() && std::find(choices.begin(), choices.end(), value) == choices.end()) {
      fail(origin, "expected " + expected + ", got " + in_quotes(value));
    }
    target.*member = value;
  };
  item.show = [member](const Item& target) { return in_quotes(target.*member); };
  return item;
}

template <class Item>
ItemKey<Item> item_int(std::string key, int Item::*member, bool required, int min, int max) {
  const std::string expected = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  ItemKey<Item> item{std::move(key), expected, required, nullptr, nullptr};
  item.parse = [member, min, max, expected](Item& target, const toml::node& node, const Origin& origin) {
    if (!node.is_integer()) fail(origin, "expected " + expected + ", got " + toml_type_name(node));
    const auto value = node.as_integer()->get();
    if (value < min || value > max) fail(origin, "expected " + expected + ", got " + std::to_string(value));
    target.*member = static_cast<int>(value);
  };
  item.show = [member](const Item& target) { return std::to_string(target.*member); };
  return item;
}

template <class Item>
ItemKey<Item> item_bool(std::string key, bool Item::*member) {
  ItemKey<Item> item{std::move(key), "true or false", false, nullptr, nullptr};
  item.parse = [member](Item& target, const toml::node& node, const Origin& origin) {
    if (!node.is_boolean()) fail(origin, "expected true or false, got " + toml_type_name(node));
    target.*member = node.as_boolean()->get();
  };
  item.show = [member](const Item& target) { return std::string(target.*member ? "true" : "false"); };
  return item;
}

template <class Item>
ItemKey<Item> item_duration(std::string key, milliseconds Item::*member, milliseconds min, milliseconds max) {
  const std::string expected = "a duration from " + format_duration(min) + " to " + format_duration(max);
  ItemKey<Item> item{std::move(key), expected, false, nullptr, nullptr};
  item.parse = [member, min, max, expected](Item& target, const toml::node& node, const Origin& origin) {
    const auto value = node.is_string() ? parse_duration(node.as_string()->get()) : std::nullopt;
    if (!value || *value < min || *value > max) fail(origin, "expected " + expected);
    target.*member = *value;
  };
  item.show = [member](const Item& target) { return in_quotes(format_duration(target.*member)); };
  return item;
}

std::string read_secret_file(const std::filesystem::path& path, const Origin& origin);

/// Two keys for a secret inside a table: `key` (the value) and `key_file` (a file holding it);
/// shown masked.
template <class Item>
std::vector<ItemKey<Item>> item_secret(std::string key, Secret Item::*member) {
  ItemKey<Item> inline_key{key, "a non-empty string", false, nullptr, nullptr};
  inline_key.parse = [member](Item& target, const toml::node& node, const Origin& origin) {
    if (!node.is_string() || node.as_string()->get().empty()) fail(origin, "expected a non-empty string");
    target.*member = Secret(node.as_string()->get());
  };
  inline_key.show = [member](const Item& target) {
    return (target.*member).empty() ? std::string() : std::string("\"***\"");
  };
  ItemKey<Item> file_key{key + "_file", "a path to a readable, non-empty file", false, nullptr, nullptr};
  file_key.parse = [member](Item& target, const toml::node& node, const Origin& origin) {
    if (!node.is_string()) fail(origin, "expected a path to a readable, non-empty file");
    target.*member = Secret(read_secret_file(node.as_string()->get(), origin));
  };
  file_key.show = [](const Item&) { return std::string(); };
  return {inline_key, file_key};
}

/// A list of tables: [[path]] sections in the TOML file; in the environment the same list written
/// as a TOML inline array, e.g. PERSONAE_MEDIA_PRESETS='[{name = "x", width = 1080, height = 1350}]'.
/// Setting it replaces the default list. `check` validates the whole list (duplicates, ...).
template <class Item>
Field table_list_field(std::string path, std::string description, Accessor<std::vector<Item>> access,
                       std::vector<ItemKey<Item>> keys,
                       std::function<void(const std::vector<Item>&, const Origin&)> check) {
  Field field = make_field(path,
                           "an array of tables ([[" + path +
                               "]] sections; in the environment a TOML "
                               "inline array such as [{key = value, ...}])",
                           std::move(description));
  field.from_toml = [access, keys, check, path, expected = field.expected](
                        Config& config, const toml::node& node, const Origin& origin) {
    if (!node.is_array()) fail(origin, "expected " + expected + ", got " + toml_type_name(node));
    std::vector<Item> items;
    const auto& array = *node.as_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
      const std::string element = origin.label + "[" + std::to_string(i) + "]";
      if (!array[i].is_table()) fail(Origin{element}, "expected a table, got " + toml_type_name(array[i]));
      Item item;
      std::vector<std::string> known;
      for (const auto& key : keys) known.push_back(key.key);
      for (const auto& [name, value] : *array[i].as_table()) {
        const auto found = std::find_if(keys.begin(), keys.end(),
                                        [&](const ItemKey<Item>& k) { return k.key == name.str(); });
        if (found == keys.end()) {
          fail(Origin{element + "." + std::string(name.str())},
               "unknown key" + suggestion(name.str(), known));
        }
        found->parse(item, value, Origin{element + "." + found->key});
      }
      for (const auto& key : keys) {
        if (key.required && !array[i].as_table()->contains(key.key)) {
          fail(Origin{element + "." + key.key}, "is required (" + key.expected + ")");
        }
      }
      items.push_back(std::move(item));
    }
    check(items, origin);
    access(config) = std::move(items);
  };
  field.from_text = [from_toml = field.from_toml](Config& config, std::string_view text,
                                                  const Origin& origin) {
    toml::table parsed;
    try {
      parsed = toml::parse("value = " + std::string(text));
    } catch (const toml::parse_error& error) {
      fail(origin, "expected a TOML inline array of tables: " + std::string(error.description()));
    }
    from_toml(config, *parsed.get("value"), origin);
  };
  field.show = [access, keys](const Config& config) {
    std::string out = "[";
    for (const auto& item : view(access, config)) {
      out += out.size() > 1 ? ", {" : "{";
      bool first = true;
      for (const auto& key : keys) {
        // An empty rendering is a key not set (an absent secret): left out, so the text loads back.
        const auto value = key.show(item);
        if (value.empty()) continue;
        out += (first ? "" : ", ") + key.key + " = " + value;
        first = false;
      }
      out += "}";
    }
    return out + "]";
  };
  return field;
}

std::string read_secret_file(const std::filesystem::path& path, const Origin& origin) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(origin, "cannot read the secret file " + in_quotes(path.string()));
  std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) fail(origin, "the secret file " + in_quotes(path.string()) + " is empty");
  return value;
}

/// A secret gives two keys: `name` (the value) and `name_file` (a file holding it).
std::vector<Field> secret_fields(const std::string& path, const std::string& description,
                                 Accessor<Secret> access) {
  Field inline_field = make_field(path, "a non-empty string", description + " Prefer " + path + "_file.");
  inline_field.secret = true;
  inline_field.from_text = [access](Config& config, std::string_view text, const Origin& origin) {
    if (text.empty()) fail(origin, "expected a non-empty string");
    access(config) = Secret(std::string(text));
  };
  inline_field.from_toml = [inline_field](Config& config, const toml::node& node, const Origin& origin) {
    if (!node.is_string()) wrong_type(origin, inline_field, node);
    inline_field.from_text(config, node.as_string()->get(), origin);
  };
  inline_field.show = [access](const Config& config) {
    return view(access, config).empty() ? std::string() : std::string("\"***\"");
  };

  Field file_field = make_field(path + "_file", "a path to a readable, non-empty file",
                                "File holding " + path + " (trailing newlines are ignored).");
  file_field.from_text = [access](Config& config, std::string_view text, const Origin& origin) {
    access(config) = Secret(read_secret_file(std::string(text), origin));
  };
  file_field.from_toml = [file_field](Config& config, const toml::node& node, const Origin& origin) {
    if (!node.is_string()) wrong_type(origin, file_field, node);
    file_field.from_text(config, node.as_string()->get(), origin);
  };
  file_field.show = [](const Config&) { return std::string(); };
  return {inline_field, file_field};
}

Field listen_field() {
  Field field =
      make_field("server.listen", "HOST:PORT such as \"127.0.0.1:8080\", \"0.0.0.0:8080\" or \"[::1]:8080\"",
                 "Address and port the HTTP server listens on (port 0 picks a free port).");
  field.env_aliases = {"PERSONAE_LISTEN"};
  field.from_text = [expected = field.expected](Config& config, std::string_view text, const Origin& origin) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      fail(origin, "expected " + expected + ", got " + in_quotes(text));
    std::string host(text.substr(0, colon));
    if (host.front() == '[') {
      if (host.back() != ']' || host.size() < 3)
        fail(origin, "expected " + expected + ", got " + in_quotes(text));
      host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
      fail(origin, "expected " + expected + " (IPv6 addresses go in brackets), got " + in_quotes(text));
    }
    const auto port = parse_integer(text.substr(colon + 1));
    if (!port || *port < 0 || *port > 65535)
      fail(origin, "expected a port from 0 to 65535 in " + in_quotes(text));
    config.server.host = host;
    config.server.port = static_cast<int>(*port);
  };
  field.from_toml = [field](Config& config, const toml::node& node, const Origin& origin) {
    if (!node.is_string()) wrong_type(origin, field, node);
    field.from_text(config, node.as_string()->get(), origin);
  };
  field.show = [](const Config& config) {
    const auto& host = config.server.host;
    const bool ipv6 = host.find(':') != std::string::npos;
    return in_quotes((ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(config.server.port));
  };
  return field;
}

template <class Enum>
Field enum_field(std::string path, std::string description, Accessor<Enum> access,
                 std::vector<std::pair<std::string, Enum>> choices) {
  std::string expected = "one of";
  for (const auto& [name, value] : choices) expected += (expected.size() > 6 ? ", " : " ") + in_quotes(name);
  Field field = make_field(std::move(path), expected, std::move(description));
  field.from_text = [access, choices, expected](Config& config, std::string_view text, const Origin& origin) {
    for (const auto& [name, value] : choices) {
      if (name == text) {
        access(config) = value;
        return;
      }
    }
    fail(origin, "expected " + expected + ", got " + in_quotes(text));
  };
  field.from_toml = [field](Config& config, const toml::node& node, const Origin& origin) {
    if (!node.is_string()) wrong_type(origin, field, node);
    field.from_text(config, node.as_string()->get(), origin);
  };
  field.show = [access, choices](const Config& config) {
    for (const auto& [name, value] : choices) {
      if (value == view(access, config)) return in_quotes(name);
    }
    return std::string("\"\"");
  };
  return field;
}

const std::vector<Field>& schema() {
  static const std::vector<Field> fields = [] {
    std::vector<Field> f;
    f.push_back(string_field("data_dir", "Folder for the embedded database and local files.",
                             [](Config& c) -> std::string& { return c.data_dir; }));
    f.push_back(listen_field());
    f.push_back(integer_field<int>(
        "server.io_threads", "Threads running network IO (0: one per core).",
        [](Config& c) -> int& { return c.server.io_threads; }, 0, 256));
    f.push_back(integer_field<int>(
        "server.worker_threads", "Threads running blocking work (database, disk) for requests.",
        [](Config& c) -> int& { return c.server.worker_threads; }, 1, 1024));
    f.push_back(integer_field<std::size_t>(
        "server.max_pending_requests", "Requests waiting for a worker before new ones get 503.",
        [](Config& c) -> std::size_t& { return c.server.max_pending_requests; }, 1, 1'000'000));
    f.push_back(integer_field<std::size_t>(
        "server.max_connections", "Open connections before new ones are refused.",
        [](Config& c) -> std::size_t& { return c.server.max_connections; }, 1, 1'000'000));
    f.push_back(size_field(
        "server.max_body_bytes", "Largest request body accepted (larger: 413).",
        [](Config& c) -> std::size_t& { return c.server.max_body_bytes; }, 1, 1ULL << 32));
    f.push_back(size_field(
        "server.max_header_bytes", "Largest request header block accepted (larger: 431).",
        [](Config& c) -> std::size_t& { return c.server.max_header_bytes; }, 1024, 1 << 20));
    f.push_back(duration_field(
        "server.header_timeout", "Time a client has to send the request headers.",
        [](Config& c) -> milliseconds& { return c.server.header_timeout; }, milliseconds(10),
        milliseconds(600'000)));
    f.push_back(duration_field(
        "server.body_timeout", "Time a client has to send the request body.",
        [](Config& c) -> milliseconds& { return c.server.body_timeout; }, milliseconds(10),
        milliseconds(3'600'000)));
    f.push_back(duration_field(
        "server.idle_timeout", "Time an idle keep-alive connection stays open.",
        [](Config& c) -> milliseconds& { return c.server.idle_timeout; }, milliseconds(10),
        milliseconds(3'600'000)));
    f.push_back(duration_field(
        "server.write_timeout", "Time a client has to read a response.",
        [](Config& c) -> milliseconds& { return c.server.write_timeout; }, milliseconds(10),
        milliseconds(3'600'000)));
    f.push_back(duration_field(
        "server.shutdown_timeout", "On SIGTERM, how long in-flight requests may take to finish.",
        [](Config& c) -> milliseconds& { return c.server.shutdown_timeout; }, milliseconds(0),
        milliseconds(600'000)));
    f.push_back(string_list_field(
        "server.cors_allowed_origins",
        "Origins allowed to call the API from a browser, e.g. \"https://app.example\".",
        [](Config& c) -> std::vector<std::string>& { return c.server.cors_allowed_origins; }));
    f.push_back(bool_field("server.cors_allow_credentials", "Let allowed origins send cookies.",
                           [](Config& c) -> bool& { return c.server.cors_allow_credentials; }));
    f.push_back(bool_field("server.hsts", "Send Strict-Transport-Security (enable behind TLS).",
                           [](Config& c) -> bool& { return c.server.hsts; }));
    f.push_back(
        string_field("server.dashboard_dir",
                     "Folder of the built dashboard, served at / (relative to the working directory).",
                     [](Config& c) -> std::string& { return c.server.dashboard_dir; }));
    f.push_back(
        string_field("database.url",
                     "sqlite:///abs/path.db, sqlite://relative/path.db or postgresql://user@host:port/db "
                     "(default: sqlite://<data_dir>/personae.db).",
                     [](Config& c) -> std::string& { return c.database.url; }));
    for (auto& field : secret_fields("database.password", "Database password, added to the connection.",
                                     [](Config& c) -> Secret& { return c.database.password; })) {
      f.push_back(std::move(field));
    }
    f.push_back(integer_field<int>(
        "database.pool_size", "Pooled connections (0: 4 for SQLite, 16 for PostgreSQL).",
        [](Config& c) -> int& { return c.database.pool_size; }, 0, 1000));
    f.push_back(
        optional_bool_field("database.auto_migrate",
                            "Apply pending migrations when serve starts (default: true for SQLite only).",
                            [](Config& c) -> std::optional<bool>& { return c.database.auto_migrate; }));
    f.push_back(duration_field(
        "database.busy_timeout", "SQLite: how long a writer waits for the lock.",
        [](Config& c) -> milliseconds& { return c.database.busy_timeout; }, milliseconds(0),
        milliseconds(600'000)));
    f.push_back(duration_field(
        "database.connect_timeout", "PostgreSQL: how long to wait for a connection.",
        [](Config& c) -> milliseconds& { return c.database.connect_timeout; }, milliseconds(1000),
        milliseconds(600'000)));
    f.push_back(duration_field(
        "database.acquire_timeout", "How long a request waits for a pooled connection.",
        [](Config& c) -> milliseconds& { return c.database.acquire_timeout; }, milliseconds(10),
        milliseconds(600'000)));
    f.push_back(enum_field<log::Level>("logging.level", "Lowest level written.",
                                       [](Config& c) -> log::Level& { return c.logging.level; },
                                       {{"debug", log::Level::kDebug},
                                        {"info", log::Level::kInfo},
                                        {"warn", log::Level::kWarn},
                                        {"error", log::Level::kError}}));
    f.push_back(enum_field<log::Format>("logging.format", "JSON lines for machines, text for people.",
                                        [](Config& c) -> log::Format& { return c.logging.format; },
                                        {{"json", log::Format::kJson}, {"text", log::Format::kText}}));
    for (auto& field : secret_fields("metrics.token",
                                     "Bearer token required by /metrics; without one, /metrics answers only "
                                     "loopback clients.",
                                     [](Config& c) -> Secret& { return c.metrics.token; })) {
      f.push_back(std::move(field));
    }
    f.push_back(string_field("auth.issuer", "The `iss` of access tokens.",
                             [](Config& c) -> std::string& { return c.auth.issuer; }));
    f.push_back(string_field("auth.audience", "The `aud` of access tokens.",
                             [](Config& c) -> std::string& { return c.auth.audience; }));
    f.push_back(
        string_field("auth.jwt_keys_dir",
                     "Folder of ES256 signing keys (<kid>.pem); a key is generated there when it is empty. "
                     "Share it between replicas. Default: <data_dir>/keys.",
                     [](Config& c) -> std::string& { return c.auth.jwt_keys_dir; }));
    f.push_back(string_field("auth.jwt_active_kid", "Which key signs (default: the newest file name).",
                             [](Config& c) -> std::string& { return c.auth.jwt_active_kid; }));
    f.push_back(duration_field(
        "auth.access_ttl", "Lifetime of an access token.",
        [](Config& c) -> milliseconds& { return c.auth.access_ttl; }, milliseconds(60'000),
        milliseconds(3'600'000)));
    f.push_back(duration_field(
        "auth.jwt_leeway", "Clock skew tolerated on exp and nbf.",
        [](Config& c) -> milliseconds& { return c.auth.jwt_leeway; }, milliseconds(0), milliseconds(60'000)));
    f.push_back(duration_field(
        "auth.refresh_ttl", "A refresh token expires after this long unused.",
        [](Config& c) -> milliseconds& { return c.auth.refresh_ttl; }, milliseconds(60'000),
        milliseconds(90LL * 86'400'000)));
    f.push_back(duration_field(
        "auth.session_lifetime", "Absolute lifetime of a sign-in, however often refreshed.",
        [](Config& c) -> milliseconds& { return c.auth.session_lifetime; }, milliseconds(60'000),
        milliseconds(365LL * 86'400'000)));
    f.push_back(size_field(
        "auth.argon2_memory", "Argon2id memory cost per password hash (at least 19MiB).",
        [](Config& c) -> std::size_t& { return c.auth.argon2_memory; }, 19ULL << 20, 4ULL << 30));
    f.push_back(integer_field<int>(
        "auth.argon2_passes", "Argon2id passes (at least 2).",
        [](Config& c) -> int& { return c.auth.argon2_passes; }, 2, 64));
    f.push_back(integer_field<int>(
        "auth.max_concurrent_hashes",
        "Password hashes computed at once; the rest wait (a login flood cannot starve "
        "the server).",
        [](Config& c) -> int& { return c.auth.max_concurrent_hashes; }, 1, 256));
    f.push_back(integer_field<int>(
        "auth.max_waiting_hashes", "Password checks waiting before new ones get 503.",
        [](Config& c) -> int& { return c.auth.max_waiting_hashes; }, 0, 100'000));
    f.push_back(
        bool_field("auth.cookie_secure",
                   "Mark dashboard cookies Secure (browsers accept them on http://localhost too; turn "
                   "off only for plain HTTP on another host).",
                   [](Config& c) -> bool& { return c.auth.cookie_secure; }));
    f.push_back(duration_field(
        "auth.setup_token_ttl", "Lifetime of the first-run setup link.",
        [](Config& c) -> milliseconds& { return c.auth.setup_token_ttl; }, milliseconds(60'000),
        milliseconds(7LL * 86'400'000)));
    f.push_back(integer_field<int>(
        "auth.login_burst_per_ip", "Sign-in attempts one client address may make at once.",
        [](Config& c) -> int& { return c.auth.login_burst_per_ip; }, 1, 1'000'000));
    f.push_back(integer_field<int>(
        "auth.login_per_ip_per_minute", "Sustained sign-in attempts per client address.",
        [](Config& c) -> int& { return c.auth.login_per_ip_per_minute; }, 1, 1'000'000));
    f.push_back(integer_field<int>(
        "auth.login_burst_per_account", "Sign-in attempts on one account at once.",
        [](Config& c) -> int& { return c.auth.login_burst_per_account; }, 1, 1'000'000));
    f.push_back(integer_field<int>(
        "auth.login_per_account_per_hour",
        "Sustained sign-in attempts per account (a success resets the account's count).",
        [](Config& c) -> int& { return c.auth.login_per_account_per_hour; }, 1, 1'000'000));
    f.push_back(integer_field<int>(
        "auth.api_burst_per_tenant", "Authenticated API requests a tenant may make at once.",
        [](Config& c) -> int& { return c.auth.api_burst_per_tenant; }, 1, 100'000'000));
    f.push_back(integer_field<int>(
        "auth.api_per_tenant_per_second",
        "Sustained authenticated API requests per tenant (beyond: 429 with Retry-After).",
        [](Config& c) -> int& { return c.auth.api_per_tenant_per_second; }, 1, 100'000'000));
    f.push_back(
        string_field("secrets.master_key_file",
                     "32-byte key sealing secrets at rest (TOTP secrets); created on first run. Back it up "
                     "with the database. Default: <data_dir>/secrets/master.key.",
                     [](Config& c) -> std::string& { return c.secrets.master_key_file; }));
    for (auto& field :
         secret_fields("redis.url",
                       "redis://[:password@]host:port[/db]: share rate limits between replicas. "
                       "Without it, limits are per process.",
                       [](Config& c) -> Secret& { return c.redis.url; })) {
      f.push_back(std::move(field));
    }
    f.push_back(size_field(
        "media.max_upload_bytes",
        "Largest file accepted by the vault's upload (larger: 413 before it is read).",
        [](Config& c) -> std::size_t& { return c.media.max_upload_bytes; }, 1024, 1ULL << 34));
    f.push_back(duration_field(
        "media.upload_timeout", "Time a client has to send an upload.",
        [](Config& c) -> milliseconds& { return c.media.upload_timeout; }, milliseconds(1'000),
        milliseconds(3'600'000)));
    f.push_back(integer_field<std::uint64_t>(
        "media.max_pixels",
        "Largest image (width x height) accepted; larger ones are refused from their header.",
        [](Config& c) -> std::uint64_t& { return c.media.max_pixels; }, 1'000'000, 1'000'000'000));
    f.push_back(integer_field<int>(
        "media.max_dimension", "Largest width or height accepted.",
        [](Config& c) -> int& { return c.media.max_dimension; }, 256, 65'500));
    f.push_back(integer_field<int>(
        "media.thumbnail_size", "Longer side of the thumbnails, in pixels.",
        [](Config& c) -> int& { return c.media.thumbnail_size; }, 64, 2048));
    f.push_back(integer_field<int>(
        "media.duplicate_distance",
        "Perceptual-hash distance (bits of 64) at or below which an upload is flagged as a near-duplicate.",
        [](Config& c) -> int& { return c.media.duplicate_distance; }, 0, 32));
    f.push_back(duration_field(
        "media.link_ttl", "Default lifetime of a signed download link.",
        [](Config& c) -> milliseconds& { return c.media.link_ttl; }, milliseconds(10'000),
        milliseconds(7LL * 86'400'000)));
    f.push_back(duration_field(
        "media.max_link_ttl", "Longest lifetime a caller may ask for a signed download link.",
        [](Config& c) -> milliseconds& { return c.media.max_link_ttl; }, milliseconds(10'000),
        milliseconds(30LL * 86'400'000)));
    f.push_back(integer_field<int>(
        "media.max_concurrent_processing", "Images processed at once (each holds its pixels in memory).",
        [](Config& c) -> int& { return c.media.max_concurrent_processing; }, 1, 64));
    f.push_back(table_list_field<MediaPresetConfig>(
        "media.presets", "Platform variants rendered for every image (replaces the default list).",
        [](Config& c) -> std::vector<MediaPresetConfig>& { return c.media.presets; },
        {item_string<MediaPresetConfig>("name", &MediaPresetConfig::name, true),
         item_int<MediaPresetConfig>("width", &MediaPresetConfig::width, true, 16, 8192),
         item_int<MediaPresetConfig>("height", &MediaPresetConfig::height, true, 16, 8192),
         item_string<MediaPresetConfig>("fit", &MediaPresetConfig::fit, false, {"cover", "contain"}),
         item_string<MediaPresetConfig>("format", &MediaPresetConfig::format, false, {"jpeg", "png", "webp"}),
         item_int<MediaPresetConfig>("quality", &MediaPresetConfig::quality, false, 1, 100),
         item_bool<MediaPresetConfig>("watermark", &MediaPresetConfig::watermark)},
        [](const std::vector<MediaPresetConfig>& presets, const Origin& origin) {
          std::vector<std::string> names;
          for (const auto& preset : presets) {
            const bool slug = !preset.name.empty() && preset.name.size() <= 40 &&
                              std::all_of(preset.name.begin(), preset.name.end(), [](char c) {
                                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                              });
            if (!slug)
              fail(origin,
                   "preset names are 1-40 lowercase letters, digits or '_', got " + in_quotes(preset.name));
            if (preset.name == "original" || preset.name == "thumbnail") {
              fail(origin, "\"original\" and \"thumbnail\" are reserved variant names");
            }
            if (std::find(names.begin(), names.end(), preset.name) != names.end()) {
              fail(origin, "preset " + in_quotes(preset.name) + " is listed twice");
            }
            names.push_back(preset.name);
          }
        }));
    f.push_back(
        string_field("media.watermark_text",
                     "Text watermark on variants (\"{persona}\" becomes the persona's name); unset: none.",
                     [](Config& c) -> std::string& { return c.media.watermark_text; }));
    f.push_back(string_field("media.watermark_logo_file",
                             "PNG logo (with alpha) watermarked on variants; unset: none.",
                             [](Config& c) -> std::string& { return c.media.watermark_logo_file; }));
    f.push_back(choice_field("media.watermark_position", "Where the watermark goes.",
                             [](Config& c) -> std::string& { return c.media.watermark_position; },
                             {"top_left", "top_right", "bottom_left", "bottom_right", "center"}));
    f.push_back(number_field(
        "media.watermark_opacity", "Watermark opacity, from 0 (invisible) to 1.",
        [](Config& c) -> double& { return c.media.watermark_opacity; }, 0.05, 1.0));
    f.push_back(choice_field("blob.type",
                             "Where media bytes are stored: the local disk or an S3-compatible server.",
                             [](Config& c) -> std::string& { return c.blob.type; }, {"local", "s3"}));
    f.push_back(string_field("blob.local.path", "Folder of the local blob store (default: <data_dir>/blobs).",
                             [](Config& c) -> std::string& { return c.blob.local_path; }));
    f.push_back(string_field("blob.s3.endpoint",
                             "S3 endpoint URL, e.g. http://minio:9000 or https://s3.eu-west-3.amazonaws.com.",
                             [](Config& c) -> std::string& { return c.blob.s3_endpoint; }));
    f.push_back(string_field("blob.s3.bucket", "S3 bucket name.",
                             [](Config& c) -> std::string& { return c.blob.s3_bucket; }));
    f.push_back(string_field("blob.s3.region", "S3 region (signature scope).",
                             [](Config& c) -> std::string& { return c.blob.s3_region; }));
    for (auto& field : secret_fields("blob.s3.access_key", "S3 access key id.",
                                     [](Config& c) -> Secret& { return c.blob.s3_access_key; })) {
      f.push_back(std::move(field));
    }
    for (auto& field : secret_fields("blob.s3.secret_key", "S3 secret access key.",
                                     [](Config& c) -> Secret& { return c.blob.s3_secret_key; })) {
      f.push_back(std::move(field));
    }
    f.push_back(bool_field(
        "blob.s3.path_style",
        "Path-style addressing (endpoint/bucket/key, MinIO's default); false: bucket.endpoint/key.",
        [](Config& c) -> bool& { return c.blob.s3_path_style; }));
    f.push_back(string_field("blob.s3.prefix", "Prefix of every object name (e.g. \"personae/\").",
                             [](Config& c) -> std::string& { return c.blob.s3_prefix; }));
    f.push_back(size_field(
        "blob.s3.part_size", "Part size of multipart uploads (at least 5MiB).",
        [](Config& c) -> std::size_t& { return c.blob.s3_part_size; }, 5ULL << 20, 5ULL << 30));
    f.push_back(size_field(
        "blob.s3.multipart_threshold", "Objects at least this large are uploaded in parts.",
        [](Config& c) -> std::size_t& { return c.blob.s3_multipart_threshold; }, 5ULL << 20, 5ULL << 30));
    f.push_back(duration_field(
        "blob.s3.timeout", "Deadline of one S3 request.",
        [](Config& c) -> milliseconds& { return c.blob.s3_timeout; }, milliseconds(1'000),
        milliseconds(3'600'000)));
    f.push_back(integer_field<int>(
        "blob.s3.max_attempts",
        "Attempts per S3 request before failing (backoff with full jitter between them).",
        [](Config& c) -> int& { return c.blob.s3_max_attempts; }, 1, 10));
    std::vector<ItemKey<LlmProviderConfig>> provider_keys{
        item_string<LlmProviderConfig>("name", &LlmProviderConfig::name, true),
        item_string<LlmProviderConfig>("type", &LlmProviderConfig::type, true, {"ollama", "openai"}),
        item_string<LlmProviderConfig>("url", &LlmProviderConfig::url, true),
        item_string<LlmProviderConfig>("model", &LlmProviderConfig::model, false),
        item_duration<LlmProviderConfig>("timeout", &LlmProviderConfig::timeout, milliseconds(1'000),
                                         milliseconds(3'600'000))};
    for (auto& key : item_secret<LlmProviderConfig>("api_key", &LlmProviderConfig::api_key)) {
      provider_keys.push_back(std::move(key));
    }
    f.push_back(table_list_field<LlmProviderConfig>(
        "llm.providers",
        "Language-model servers, tried in this order (fallback): type \"ollama\" or \"openai\" (llama.cpp "
        "server, vLLM, LM Studio), url, model, timeout, api_key or api_key_file. An empty list turns "
        "AI-written text off. Default: a local Ollama with llama3.1:8b.",
        [](Config& c) -> std::vector<LlmProviderConfig>& { return c.llm.providers; }, provider_keys,
        [](const std::vector<LlmProviderConfig>& providers, const Origin& origin) {
          std::vector<std::string> names;
          for (const auto& provider : providers) {
            const bool slug =
                !provider.name.empty() && provider.name.size() <= 40 &&
                std::all_of(provider.name.begin(), provider.name.end(), [](char c) {
                  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
                });
            if (!slug) {
              fail(origin, "provider names are 1-40 lowercase letters, digits, '_' or '-', got " +
                               in_quotes(provider.name));
            }
            if (std::find(names.begin(), names.end(), provider.name) != names.end()) {
              fail(origin, "provider " + in_quotes(provider.name) + " is listed twice");
            }
            if (!provider.url.starts_with("http://") && !provider.url.starts_with("https://")) {
              fail(origin, "provider " + in_quotes(provider.name) +
                               ": url must start with http:// or https://, got " + in_quotes(provider.url));
            }
            names.push_back(provider.name);
          }
        }));
    f.push_back(duration_field(
        "llm.request_timeout", "The most one language-model call may take, every fallback included.",
        [](Config& c) -> milliseconds& { return c.llm.request_timeout; }, milliseconds(1'000),
        milliseconds(3'600'000)));
    f.push_back(integer_field<int>(
        "llm.breaker_failures", "Consecutive failures after which a provider is skipped (circuit open).",
        [](Config& c) -> int& { return c.llm.breaker_failures; }, 1, 100));
    f.push_back(duration_field(
        "llm.breaker_open", "How long a provider with an open circuit is skipped before one probe call.",
        [](Config& c) -> milliseconds& { return c.llm.breaker_open; }, milliseconds(1'000),
        milliseconds(3'600'000)));
    f.push_back(bool_field("jobs.in_process",
                           "Let `serve` run background jobs too (the embedded default); false: only "
                           "`personae worker` processes run them.",
                           [](Config& c) -> bool& { return c.jobs.in_process; }));
    f.push_back(integer_field<int>(
        "jobs.threads", "Jobs one worker process runs at once.",
        [](Config& c) -> int& { return c.jobs.threads; }, 1, 256));
    f.push_back(duration_field(
        "jobs.lease",
        "How long a running job stays a worker's without a heartbeat (a lost worker's jobs "
        "run again after it).",
        [](Config& c) -> milliseconds& { return c.jobs.lease; }, milliseconds(5'000),
        milliseconds(3'600'000)));
    f.push_back(duration_field(
        "jobs.poll_interval", "How often workers look for due jobs when nothing woke them.",
        [](Config& c) -> milliseconds& { return c.jobs.poll_interval; }, milliseconds(50),
        milliseconds(60'000)));
    f.push_back(duration_field(
        "jobs.keep_succeeded", "How long succeeded and cancelled jobs are kept before they are deleted.",
        [](Config& c) -> milliseconds& { return c.jobs.keep_succeeded; }, milliseconds(60'000),
        milliseconds(3650LL * 86'400'000)));
    f.push_back(duration_field(
        "jobs.keep_dead", "How long dead jobs (every attempt failed) are kept for inspection and replay.",
        [](Config& c) -> milliseconds& { return c.jobs.keep_dead; }, milliseconds(60'000),
        milliseconds(3650LL * 86'400'000)));
    f.push_back(duration_field(
        "jobs.retry_base",
        "Delay bound before a failed job's first retry; it doubles with each failure up to jobs.retry_cap "
        "(the actual delay is drawn at random below the bound, so that jobs failing together do not retry "
        "together).",
        [](Config& c) -> milliseconds& { return c.jobs.retry_base; }, milliseconds(100),
        milliseconds(3'600'000)));
    f.push_back(duration_field(
        "jobs.retry_cap", "The largest delay bound between two attempts of a failed job.",
        [](Config& c) -> milliseconds& { return c.jobs.retry_cap; }, milliseconds(1'000),
        milliseconds(7LL * 86'400'000)));
    f.push_back(integer_field<int>(
        "jobs.max_attempts",
        "Attempts a job Personae enqueues (caption generation, ...) gets before it is dead-lettered; "
        "an operator can replay it then.",
        [](Config& c) -> int& { return c.jobs.max_attempts; }, 1, 100));
    f.push_back(table_list_field<JobQueueConfig>(
        "jobs.queues",
        "Queues workers take jobs from: name, concurrency (running jobs across every worker, 0: no limit), "
        "max_in_flight (per worker, 0: its threads). Replaces the default list (default, captions).",
        [](Config& c) -> std::vector<JobQueueConfig>& { return c.jobs.queues; },
        {item_string<JobQueueConfig>("name", &JobQueueConfig::name, true),
         item_int<JobQueueConfig>("concurrency", &JobQueueConfig::concurrency, false, 0, 10'000),
         item_int<JobQueueConfig>("max_in_flight", &JobQueueConfig::max_in_flight, false, 0, 10'000)},
        [](const std::vector<JobQueueConfig>& queues, const Origin& origin) {
          std::vector<std::string> names;
          for (const auto& queue : queues) {
            const bool slug =
                !queue.name.empty() && queue.name.size() <= 64 &&
                std::all_of(queue.name.begin(), queue.name.end(), [](char c) {
                  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
                });
            if (!slug)
              fail(origin, "queue names are 1-64 of a-z, 0-9, '.', '_', '-', got " + in_quotes(queue.name));
            if (std::find(names.begin(), names.end(), queue.name) != names.end()) {
              fail(origin, "queue " + in_quotes(queue.name) + " is listed twice");
            }
            names.push_back(queue.name);
          }
          if (queues.empty()) fail(origin, "list at least one queue");
        }));
    return f;
  }();
  return fields;
}

std::string environment_name(const std::string& path) {
  std::string name = "PERSONAE_";
  for (const char c : path)
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

const Field* find_field(std::string_view path) {
  for (const auto& field : schema()) {
    if (field.path == path) return &field;
  }
  return nullptr;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string suggestion(std::string_view unknown, const std::vector<std::string>& known) {
  const std::string* best = nullptr;
  std::size_t best_distance = 4;
  for (const auto& candidate : known) {
    const auto distance = edit_distance(unknown, candidate);
    if (distance < best_distance) {
      best = &candidate;
      best_distance = distance;
    }
  }
  return best != nullptr ? " (did you mean " + in_quotes(*best) + "?)" : "";
}

std::vector<std::string> known_paths() {
  std::vector<std::string> paths;
  for (const auto& field : schema()) paths.push_back(field.path);
  return paths;
}

bool is_section(std::string_view path) {
  const std::string prefix = std::string(path) + ".";
  return std::any_of(schema().begin(), schema().end(),
                     [&](const Field& field) { return field.path.starts_with(prefix); });
}

void apply_table(Config& config, const toml::table& table, const std::string& prefix,
                 const std::string& file) {
  for (const auto& [key, node] : table) {
    const std::string path = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    const Origin origin{file + ":" + std::to_string(node.source().begin.line) + ": " + path};
    if (const Field* field = find_field(path)) {
      field->from_toml(config, node, origin);
    } else if (is_section(path)) {
      if (!node.is_table()) fail(origin, "expected a table ([" + path + "]), got " + toml_type_name(node));
      apply_table(config, *node.as_table(), path, file);
    } else {
      fail(origin, "unknown key" + suggestion(path, known_paths()));
    }
  }
}

void apply_file(Config& config, const std::string& file) {
  toml::table table;
  try {
    table = toml::parse_file(file);
  } catch (const toml::parse_error& error) {
    throw ConfigError(file + ":" + std::to_string(error.source().begin.line) + ":" +
                      std::to_string(error.source().begin.column) +
                      ": invalid TOML: " + std::string(error.description()));
  }
  apply_table(config, table, "", file);
}

void apply_environment(Config& config, const std::map<std::string, std::string>& environment) {
  std::vector<std::string> known_names = {"PERSONAE_CONFIG"};
  for (const auto& field : schema()) {
    known_names.push_back(environment_name(field.path));
    for (const auto& alias : field.env_aliases) known_names.push_back(alias);
  }
  for (const auto& [name, value] : environment) {
    if (!name.starts_with("PERSONAE_")) continue;
    if (std::find(known_names.begin(), known_names.end(), name) == known_names.end()) {
      throw ConfigError("environment variable " + name + ": unknown setting" + suggestion(name, known_names));
    }
  }
  for (const auto& field : schema()) {
    std::vector<std::string> names = field.env_aliases;
    names.push_back(environment_name(field.path));
    for (const auto& name : names) {
      if (const auto it = environment.find(name); it != environment.end()) {
        field.from_text(config, it->second, Origin{"environment variable " + name + " (" + field.path + ")"});
      }
    }
  }
}

void validate(Config& config) {
  const std::filesystem::path data_dir(config.data_dir);
  if (config.auth.jwt_keys_dir.empty()) config.auth.jwt_keys_dir = (data_dir / "keys").string();
  if (config.secrets.master_key_file.empty()) {
    config.secrets.master_key_file = (data_dir / "secrets" / "master.key").string();
  }
  if (config.auth.session_lifetime < config.auth.refresh_ttl) {
    throw ConfigError("auth.session_lifetime: must be at least auth.refresh_ttl");
  }
  if (config.blob.local_path.empty()) config.blob.local_path = (data_dir / "blobs").string();
  if (config.blob.type == "s3") {
    for (const auto& [key, value] :
         {std::pair<std::string, std::string>{"blob.s3.endpoint", config.blob.s3_endpoint},
          {"blob.s3.bucket", config.blob.s3_bucket},
          {"blob.s3.access_key", config.blob.s3_access_key.reveal()},
          {"blob.s3.secret_key", config.blob.s3_secret_key.reveal()}}) {
      if (value.empty()) throw ConfigError(key + ": required when blob.type = \"s3\"");
    }
    if (!config.blob.s3_endpoint.starts_with("http://") && !config.blob.s3_endpoint.starts_with("https://")) {
      throw ConfigError("blob.s3.endpoint: expected an http:// or https:// URL, got " +
                        in_quotes(config.blob.s3_endpoint));
    }
  }
  if (config.jobs.retry_cap < config.jobs.retry_base) {
    throw ConfigError("jobs.retry_cap: must be at least jobs.retry_base");
  }
  if (config.media.max_link_ttl < config.media.link_ttl) {
    throw ConfigError("media.max_link_ttl: must be at least media.link_ttl");
  }
  if (config.database.url.empty()) {
    config.database.url = "sqlite://" + (std::filesystem::path(config.data_dir) / "personae.db").string();
  }
  try {
    DatabaseUrl::parse(config.database.url);
  } catch (const ConfigError& error) {
    throw ConfigError(std::string("database.url: ") + error.what());
  }
  if (config.server.cors_allow_credentials &&
      std::find(config.server.cors_allowed_origins.begin(), config.server.cors_allowed_origins.end(), "*") !=
          config.server.cors_allowed_origins.end()) {
    throw ConfigError(
        "server.cors_allowed_origins: \"*\" cannot be combined with server.cors_allow_credentials = true; "
        "list "
        "the origins");
  }
  for (const auto& origin : config.server.cors_allowed_origins) {
    if (origin != "*" && !origin.starts_with("http://") && !origin.starts_with("https://")) {
      throw ConfigError("server.cors_allowed_origins: expected origins like \"https://app.example\", got " +
                        in_quotes(origin));
    }
  }
}

}  // namespace

std::vector<LlmProviderConfig> default_llm_providers() {
  LlmProviderConfig ollama;
  ollama.name = "ollama";
  ollama.type = "ollama";
  ollama.url = "http://127.0.0.1:11434";
  ollama.model = "llama3.1:8b";
  return {ollama};
}

std::vector<JobQueueConfig> default_job_queues() {
  return {{"default", 0, 0}, {"captions", 0, 0}};
}

std::vector<MediaPresetConfig> default_media_presets() {
  return {{"instagram_portrait", 1080, 1350, "cover", "jpeg", 85, true},
          {"instagram_story", 1080, 1920, "cover", "jpeg", 85, true},
          {"x_landscape", 1600, 900, "cover", "jpeg", 85, true},
          {"reddit", 1200, 1500, "contain", "jpeg", 85, true},
          {"fanvue", 1080, 1350, "cover", "jpeg", 90, true}};
}

Config load_config(const ConfigSources& sources) {
  Config config;
  std::optional<std::string> file = sources.file;
  if (!file) {
    if (const auto it = sources.environment.find("PERSONAE_CONFIG"); it != sources.environment.end()) {
      file = it->second;
    }
  }
  if (file) {
    if (!std::filesystem::is_regular_file(*file)) {
      throw ConfigError("config file " + in_quotes(*file) + " does not exist or is not a regular file");
    }
  } else if (std::filesystem::is_regular_file(sources.default_file)) {
    file = sources.default_file;
  }
  if (file) {
    apply_file(config, *file);
    config.source_file = *file;
  }
  apply_environment(config, sources.environment);
  for (const auto& [path, value] : sources.overrides) {
    const Field* field = find_field(path);
    if (field == nullptr) throw ConfigError("unknown setting " + path);
    field->from_text(config, value, Origin{"command-line option for " + path});
  }
  validate(config);
  return config;
}

std::string render_config(const Config& config) {
  std::string out;
  std::string section;
  for (const auto& field : schema()) {
    if (field.path.ends_with("_file") && find_field(field.path.substr(0, field.path.size() - 5)) != nullptr) {
      continue;  // the value is shown (masked) under its own key
    }
    const auto dot = field.path.find('.');
    const std::string field_section = dot == std::string::npos ? "" : field.path.substr(0, dot);
    if (field_section != section) {
      section = field_section;
      out += "\n[" + section + "]\n";
    }
    const auto key = field.path.substr(dot == std::string::npos ? 0 : dot + 1);
    const auto value = field.show(config);
    out += value.empty() ? "# " + key + " is not set\n" : key + " = " + value + "\n";
  }
  return out;
}

std::string describe_config_keys() {
  std::string out = "| key | environment | expected | description |\n|---|---|---|---|\n";
  for (const auto& field : schema()) {
    std::string env = "`" + environment_name(field.path) + "`";
    for (const auto& alias : field.env_aliases) env += ", `" + alias + "`";
    Config defaults;
    validate(defaults);
    const auto default_value = field.show(defaults);
    out += "| `" + field.path + "` | " + env + " | " + field.expected + " | " + field.description +
           (default_value.empty() ? " Not set by default." : " Default: `" + default_value + "`.") + " |\n";
  }
  return out;
}

std::map<std::string, std::string> personae_environment() {
  std::map<std::string, std::string> result;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals == std::string_view::npos || !text.starts_with("PERSONAE_")) continue;
    result.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return result;
}

}  // namespace personae

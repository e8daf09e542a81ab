#include "adapters/cards/card_json_reader.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

#include "adapters/cards/character_card.hpp"
#include "core/json_reader.hpp"
#include "core/text_encoding.hpp"

namespace personae::cards::detail {
namespace {

constexpr std::size_t kQuotedChars = 32;
constexpr std::size_t kPlainKeyChars = 64;
constexpr std::size_t kMaxPathBytes = 200;

bool is_plain_key(std::string_view key) {
  if (key.empty() || key.size() > kPlainKeyChars) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// Where the parser is, to name the object that repeats a key.
struct Frame {
  bool is_array = false;
  std::size_t count = 0;  // elements started so far (arrays)
  std::string key;        // the key being read (objects)
  std::set<std::string, std::less<>> keys;
};

// The path to frames[depth], its start cut when long (64 levels of keys could make it kilobytes).
std::string path_through(const std::vector<Frame>& frames, std::size_t depth) {
  std::string path;
  for (std::size_t i = 0; i < depth; ++i) {
    const auto& frame = frames[i];
    path = frame.is_array ? index_path(path, frame.count - 1) : child_path(path, frame.key);
  }
  if (path.size() <= kMaxPathBytes) return path;
  std::size_t start = path.size() - kMaxPathBytes;
  while (start < path.size() && (static_cast<unsigned char>(path[start]) & 0xC0U) == 0x80U) ++start;
  return "\u2026" + path.substr(start);
}

}  // namespace

void reject(std::string message) {
  throw CardRejected{std::move(message)};
}

nlohmann::json parse_strict_json(std::string_view text) {
  if (text.size() > kMaxCardJsonBytes) reject("the card is larger than 4 MiB");
  if (!utf8_code_points(text)) reject("the card is not valid UTF-8");
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) reject("the card is empty");

  std::vector<Frame> frames;
  const auto element_started = [&frames] {
    if (!frames.empty() && frames.back().is_array) ++frames.back().count;
  };
  const auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    switch (event) {
      case nlohmann::json::parse_event_t::object_start:
      case nlohmann::json::parse_event_t::array_start:
        if (depth >= kMaxCardJsonDepth) {
          reject("the card nests deeper than " + std::to_string(kMaxCardJsonDepth) + " levels");
        }
        element_started();
        frames.push_back(Frame{event == nlohmann::json::parse_event_t::array_start, 0, {}, {}});
        break;
      case nlohmann::json::parse_event_t::object_end:
      case nlohmann::json::parse_event_t::array_end:
        if (!frames.empty()) frames.pop_back();
        break;
      case nlohmann::json::parse_event_t::key: {
        if (frames.empty()) break;
        auto key = parsed.get<std::string>();
        if (!frames.back().keys.insert(key).second) {
          const auto where = path_through(frames, frames.size() - 1);
          reject((where.empty() ? std::string("the top level") : where) + ": the key " + excerpt(key) +
                 " appears twice");
        }
        frames.back().key = std::move(key);
        break;
      }
      case nlohmann::json::parse_event_t::value: element_started(); break;
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text, callback);
  } catch (const nlohmann::json::parse_error& error) {
    reject("the card is not valid JSON (at " + json_error_position(text, error.byte) + ")");
  } catch (const nlohmann::json::out_of_range&) {
    reject("the card holds a number too large to represent");
  }
}

std::string child_path(std::string_view path, std::string_view key) {
  if (!is_plain_key(key)) return std::string(path) + "[" + excerpt(key) + "]";
  if (path.empty()) return std::string(key);
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

std::string index_path(std::string_view path, std::size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

std::string excerpt(std::string_view text) {
  std::size_t end = 0;
  std::size_t chars = 0;
  while (end < text.size() && chars < kQuotedChars) {
    ++end;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) ++end;
    ++chars;
  }
  std::string shown(text.substr(0, end));
  if (end < text.size()) shown += "\u2026";
  return nlohmann::json(shown).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string read_text(const nlohmann::json& value, const std::string& path, std::size_t max_chars) {
  if (!value.is_string()) reject(path + ": expected a string");
  const auto& text = value.get_ref<const std::string&>();
  // Bytes bound code points from above: count only when it could matter.
  if (text.size() > max_chars && utf8_code_points(text).value_or(text.size()) > max_chars) {
    reject(path + ": must be at most " + std::to_string(max_chars) + " characters");
  }
  return text;
}

std::vector<std::string> read_text_list(const nlohmann::json& value, const std::string& path,
                                        std::size_t max_items, std::size_t max_chars) {
  if (!value.is_array()) reject(path + ": expected an array of strings");
  if (value.size() > max_items) reject(path + ": must have at most " + std::to_string(max_items) + " items");
  std::vector<std::string> out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i)
    out.push_back(read_text(value[i], index_path(path, i), max_chars));
  return out;
}

bool read_bool(const nlohmann::json& value, const std::string& path) {
  if (!value.is_boolean()) reject(path + ": expected a boolean");
  return value.get<bool>();
}

std::int64_t read_int64(const nlohmann::json& value, const std::string& path) {
  if (value.is_number_unsigned()) {
    if (value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      reject(path + ": is out of range");
    }
    return static_cast<std::int64_t>(value.get<std::uint64_t>());
  }
  if (!value.is_number_integer()) reject(path + ": expected an integer");
  return value.get<std::int64_t>();
}

int read_int(const nlohmann::json& value, const std::string& path) {
  const auto wide = read_int64(value, path);
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    reject(path + ": is out of range");
  }
  return static_cast<int>(wide);
}

double read_number(const nlohmann::json& value, const std::string& path) {
  if (!value.is_number()) reject(path + ": expected a number");
  return value.get<double>();
}

ObjectReader::ObjectReader(const nlohmann::json& value, std::string path)
    : object_(value), path_(std::move(path)) {
  if (!object_.is_object())
    reject((path_.empty() ? std::string("the card") : path_) + ": expected an object");
}

const nlohmann::json* ObjectReader::take(std::string_view key) {
  if (std::find(taken_.begin(), taken_.end(), key) == taken_.end()) taken_.emplace_back(key);
  const auto found = object_.find(key);
  if (found == object_.end() || found->is_null()) return nullptr;
  return &*found;
}

const nlohmann::json& ObjectReader::require(std::string_view key) {
  const auto* value = take(key);
  if (value == nullptr) reject(path_of(key) + ": required");
  return *value;
}

std::optional<std::string> ObjectReader::text(std::string_view key, std::size_t max_chars) {
  const auto* value = take(key);
  if (value == nullptr) return std::nullopt;
  return read_text(*value, path_of(key), max_chars);
}

std::optional<std::vector<std::string>> ObjectReader::text_list(std::string_view key, std::size_t max_items,
                                                                std::size_t max_chars) {
  const auto* value = take(key);
  if (value == nullptr) return std::nullopt;
  return read_text_list(*value, path_of(key), max_items, max_chars);
}

std::optional<bool> ObjectReader::boolean(std::string_view key) {
  const auto* value = take(key);
  if (value == nullptr) return std::nullopt;
  return read_bool(*value, path_of(key));
}

std::optional<int> ObjectReader::integer(std::string_view key) {
  const auto* value = take(key);
  if (value == nullptr) return std::nullopt;
  return read_int(*value, path_of(key));
}

std::optional<std::int64_t> ObjectReader::integer64(std::string_view key) {
  const auto* value = take(key);
  if (value == nullptr) return std::nullopt;
  return read_int64(*value, path_of(key));
}

std::optional<double> ObjectReader::number(std::string_view key) {
  const auto* value = take(key);
  if (value == nullptr) return std::nullopt;
  return read_number(*value, path_of(key));
}

nlohmann::json ObjectReader::rest() const {
  auto out = nlohmann::json::object();
  for (const auto& [key, value] : object_.items()) {
    if (std::find(taken_.begin(), taken_.end(), key) == taken_.end()) out[key] = value;
  }
  return out;
}

void ObjectReader::reject_unknown() const {
  for (const auto& [key, value] : object_.items()) {
    if (std::find(taken_.begin(), taken_.end(), key) == taken_.end())
      reject(path_of(key) + ": unknown field");
  }
}

std::string dump_sections(const nlohmann::json& sections) {
  auto kept = nlohmann::json::object();
  for (const auto& [name, value] : sections.items()) {
    if (value.is_object() && !value.empty()) kept[name] = value;
  }
  return dump_json(kept);
}

nlohmann::json load_sections(std::string_view text) {
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_object()) return nlohmann::json::object();
  return parsed;
}

nlohmann::json section(const nlohmann::json& sections, std::string_view name) {
  const auto found = sections.find(name);
  if (found == sections.end() || !found->is_object()) return nlohmann::json::object();
  return *found;
}

std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace personae::cards::detail

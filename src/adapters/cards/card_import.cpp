#include <array>
#include <limits>
#include <string>
#include <utility>

#include "adapters/cards/card_fields.hpp"
#include "adapters/cards/card_json_reader.hpp"
#include "adapters/cards/character_card.hpp"
#include "adapters/cards/personae_extension.hpp"
#include "core/text_encoding.hpp"
#include "domain/personas/persona_rules.hpp"

namespace personae::cards {
namespace {

using detail::index_path;
using detail::ObjectReader;
using detail::read_number;
using detail::read_text;
using detail::read_text_list;
using detail::reject;
using nlohmann::json;

constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

// What the card holds that we do not model, by where export puts it back.
struct Unknown {
  json card = json::object();
  json data = json::object();
  json extensions = json::object();
};

const json& require_object(const json& value, const std::string& path) {
  if (!value.is_object()) reject(path + ": expected an object");
  return value;
}

std::string read_name(ObjectReader& reader) {
  const auto path = reader.path_of("name");
  auto name = read_text(reader.require("name"), path, kNoLimit);
  const auto chars = utf8_code_points(name).value_or(0);
  if (chars == 0 || chars > kMaxNameChars) reject(path + ": must be 1-100 characters");
  return name;
}

void read_asset(const json& value, const std::string& path) {
  ObjectReader asset(value, path);
  read_text(asset.require("type"), asset.path_of("type"), kNoLimit);
  read_text(asset.require("uri"), asset.path_of("uri"), kNoLimit);
  asset.text("name", kNoLimit);
  asset.text("ext", kNoLimit);
}

// A V3 field, found in `data` or lifted from data.extensions.personae.card_v3: the modelled ones
// go to the profile, the others are checked and kept.
void read_v3_field(std::string_view key, const json& value, const std::string& path,
                   CharacterProfile& profile, Unknown& unknown) {
  if (key == "nickname") {
    profile.nickname = read_text(value, path, kMaxTextChars);
    return;
  }
  if (key == "group_only_greetings") {
    profile.group_only_greetings = read_text_list(value, path, kMaxCardListItems, kMaxTextChars);
    return;
  }
  if (key == "creator_notes_multilingual") {
    require_object(value, path);
    for (const auto& [language, notes] : value.items()) {
      read_text(notes, detail::child_path(path, language), kMaxTextChars);
    }
  } else if (key == "source") {
    read_text_list(value, path, kMaxCardListItems, kMaxTextChars);
  } else if (key == "creation_date" || key == "modification_date") {
    read_number(value, path);
  } else if (key == "assets") {
    if (!value.is_array()) reject(path + ": expected an array");
    if (value.size() > kMaxCardListItems)
      reject(path + ": must have at most " + std::to_string(kMaxCardListItems) + " items");
    for (std::size_t i = 0; i < value.size(); ++i) read_asset(value[i], index_path(path, i));
  }
  unknown.data[std::string(key)] = value;
}

// The lorebook and each entry keep {"extensions": ..., "fields": ...} (see character_card.hpp).
json take_extensions(ObjectReader& reader) {
  const auto* found = reader.take("extensions");
  if (found == nullptr) return json::object();
  return require_object(*found, reader.path_of("extensions"));
}

LorebookEntry read_entry(const json& value, const std::string& path) {
  ObjectReader reader(value, path);
  LorebookEntry entry;
  entry.keys =
      read_text_list(reader.require("keys"), reader.path_of("keys"), kMaxCardListItems, kMaxTextChars);
  entry.content = read_text(reader.require("content"), reader.path_of("content"), kMaxTextChars);
  if (auto keys = reader.text_list("secondary_keys", kMaxCardListItems, kMaxTextChars)) {
    entry.secondary_keys = std::move(*keys);
  }
  if (auto name = reader.text("name", kMaxTextChars)) entry.name = std::move(*name);
  if (auto comment = reader.text("comment", kMaxTextChars)) entry.comment = std::move(*comment);
  entry.enabled = reader.boolean("enabled").value_or(true);
  entry.case_sensitive = reader.boolean("case_sensitive").value_or(false);
  entry.selective = reader.boolean("selective").value_or(false);
  entry.constant = reader.boolean("constant").value_or(false);
  entry.insertion_order = reader.integer("insertion_order").value_or(0);
  entry.priority = reader.integer("priority");
  entry.id = reader.integer64("id");
  if (auto position = reader.text("position", kMaxTextChars)) {
    if (!position->empty() && *position != "before_char" && *position != "after_char") {
      reject(reader.path_of("position") + R"(: expected "before_char" or "after_char")");
    }
    entry.position = std::move(*position);
  }
  const bool use_regex = reader.boolean("use_regex").value_or(false);
  auto extensions = take_extensions(reader);
  auto fields = reader.rest();
  if (use_regex) fields["use_regex"] = true;
  entry.extensions_json =
      detail::dump_sections({{"extensions", std::move(extensions)}, {"fields", std::move(fields)}});
  return entry;
}

std::optional<int> read_count(ObjectReader& reader, std::string_view key) {
  auto count = reader.integer(key);
  if (count && *count < 0) reject(reader.path_of(key) + ": must not be negative");
  return count;
}

Lorebook read_lorebook(const json& value, const std::string& path) {
  ObjectReader reader(value, path);
  Lorebook book;
  if (auto name = reader.text("name", kMaxTextChars)) book.name = std::move(*name);
  if (auto description = reader.text("description", kMaxTextChars))
    book.description = std::move(*description);
  book.scan_depth = read_count(reader, "scan_depth");
  book.token_budget = read_count(reader, "token_budget");
  book.recursive_scanning = reader.boolean("recursive_scanning");
  const auto entries_path = reader.path_of("entries");
  const auto& entries = reader.require("entries");
  if (!entries.is_array()) reject(entries_path + ": expected an array");
  if (entries.size() > kMaxLorebookEntries) {
    reject(entries_path + ": must have at most " + std::to_string(kMaxLorebookEntries) + " entries");
  }
  book.entries.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i)
    book.entries.push_back(read_entry(entries[i], index_path(entries_path, i)));
  auto extensions = take_extensions(reader);
  book.extensions_json =
      detail::dump_sections({{"extensions", std::move(extensions)}, {"fields", reader.rest()}});
  return book;
}

void read_data(const json& value, ImportedCard& out, Unknown& unknown) {
  ObjectReader data(value, "data");
  auto& persona = out.persona;
  auto& profile = persona.character;
  persona.display_name = read_name(data);
  for (const auto& field : detail::kTextFields) {
    if (auto text = data.text(field.key, kMaxTextChars)) profile.*field.member = std::move(*text);
  }
  if (auto greetings = data.text_list("alternate_greetings", kMaxCardListItems, kMaxTextChars)) {
    profile.alternate_greetings = std::move(*greetings);
  }
  if (auto tags = data.text_list("tags", kMaxTags, kMaxTagChars)) profile.tags = std::move(*tags);
  if (const auto* book = data.take("character_book"))
    profile.lorebook = read_lorebook(*book, data.path_of("character_book"));

  // V3 fields are read from any version: a V2 card that carries them means them.
  const auto read_v3_fields_here = [&](const auto& keys) {
    for (const auto key : keys) {
      if (const auto* found = data.take(key)) read_v3_field(key, *found, data.path_of(key), profile, unknown);
    }
  };
  read_v3_fields_here(detail::kV3ModelledKeys);
  read_v3_fields_here(detail::kV3KeptKeys);

  std::optional<json> card_v3;
  if (const auto* extensions = data.take("extensions")) {
    const auto path = data.path_of("extensions");
    for (const auto& [key, item] : require_object(*extensions, path).items()) {
      if (key == detail::kPersonaeKey) {
        card_v3 = detail::read_personae_extension(item, detail::child_path(path, key), persona, out.warnings);
      } else {
        unknown.extensions[key] = item;
      }
    }
  }
  unknown.data.update(data.rest());

  if (!card_v3) return;
  ObjectReader lifted(*card_v3, "data.extensions.personae.card_v3");
  const auto lift = [&](const auto& keys) {
    for (const auto key : keys) {
      const auto* found = lifted.take(key);
      if (found == nullptr) continue;
      const auto at_data = value.find(key);
      if (at_data != value.end() && !at_data->is_null()) {
        out.warnings.push_back(lifted.path_of(key) + ": ignored, the card's data." + std::string(key) +
                               " is used");
        continue;
      }
      read_v3_field(key, *found, lifted.path_of(key), profile, unknown);
    }
  };
  lift(detail::kV3ModelledKeys);
  lift(detail::kV3KeptKeys);
  lifted.reject_unknown();
}

void read_spec_version(ObjectReader& top, CardVersion version, std::vector<std::string>& warnings) {
  const auto* found = top.take("spec_version");
  const bool v3 = version == CardVersion::kV3;
  const std::string expected = v3 ? R"(spec_version: expected "3.0")" : R"(spec_version: expected "2.0")";
  if (found == nullptr || !found->is_string()) reject(expected);
  const auto& text = found->get_ref<const std::string&>();
  if (text == (v3 ? "3.0" : "2.0")) return;
  // The V3 spec asks readers to accept later 3.x versions.
  const bool later_v3 = v3 && text.size() > 2 && text.size() <= 8 && text.starts_with("3.") &&
                        text.find_first_not_of("0123456789", 2) == std::string::npos;
  if (!later_v3) reject(expected);
  warnings.push_back("spec_version: " + detail::excerpt(text) +
                     " is newer than 3.0; fields it adds are kept unused");
}

// validate_persona names the API's fields ("character.first_message"); the message names the card's.
std::string card_path(std::string_view field, CardVersion version) {
  const std::string data = version == CardVersion::kV1 ? "" : "data.";
  struct Renamed {
    std::string_view api;
    std::string_view card;
  };
  static constexpr std::array<Renamed, 4> kRenamed = {{{"display_name", "name"},
                                                       {"character.first_message", "first_mes"},
                                                       {"character.example_messages", "mes_example"},
                                                       {"character.lorebook", "character_book"}}};
  for (const auto& [api, card] : kRenamed) {
    if (field.starts_with(api) &&
        (field.size() == api.size() || field[api.size()] == '.' || field[api.size()] == '[')) {
      return data + std::string(card) + std::string(field.substr(api.size()));
    }
  }
  constexpr std::string_view kCharacter = "character.";
  if (field.starts_with(kCharacter)) return data + std::string(field.substr(kCharacter.size()));
  return "data.extensions.personae." + std::string(field);
}

ImportedCard read_card(const json& root) {
  if (!root.is_object()) reject("the card must be a JSON object");
  ObjectReader top(root, "");
  ImportedCard out;
  Unknown unknown;
  if (!root.contains("spec")) {
    if (root.contains("data") || root.contains("spec_version")) reject("spec: required");
    // V1: the six fields at the top level.
    out.version = CardVersion::kV1;
    out.persona.display_name = read_name(top);
    for (std::size_t i = 0; i < detail::kV1TextFields; ++i) {
      const auto& field = detail::kTextFields[i];
      if (auto text = top.text(field.key, kMaxTextChars))
        out.persona.character.*field.member = std::move(*text);
    }
  } else {
    const auto* spec = top.take("spec");
    if (spec == nullptr || !spec->is_string() || (*spec != detail::kSpecV2 && *spec != detail::kSpecV3)) {
      reject(R"(spec: expected "chara_card_v2" or "chara_card_v3")");
    }
    out.version = *spec == detail::kSpecV3 ? CardVersion::kV3 : CardVersion::kV2;
    read_spec_version(top, out.version, out.warnings);
    read_data(require_object(top.require("data"), "data"), out, unknown);
    // Derived copies for V1 readers: data is the truth.
    for (const auto key : detail::kV1Keys) top.take(key);
  }
  unknown.card = top.rest();
  out.persona.character.extensions_json =
      detail::dump_sections({{"card", std::move(unknown.card)},
                             {"data", std::move(unknown.data)},
                             {"extensions", std::move(unknown.extensions)}});
  // The persona's own rules, as when it is saved: a card that imports is one that can be saved.
  if (const auto problems = validate_persona(out.persona); !problems.empty()) {
    reject(card_path(problems.front().field, out.version) + ": " + problems.front().message);
  }
  return out;
}

}  // namespace

std::string_view to_string(CardVersion version) {
  switch (version) {
    case CardVersion::kV1: return "v1";
    case CardVersion::kV2: return "v2";
    case CardVersion::kV3: return "v3";
  }
  return "unknown";
}

Result<ImportedCard> parse_card_json(std::string_view json) {
  try {
    return read_card(detail::parse_strict_json(json));
  } catch (const detail::CardRejected& rejected) {
    return make_error(ErrorCode::kInvalidArgument, rejected.message);
  }
}

}  // namespace personae::cards

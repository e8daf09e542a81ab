#include <string>
#include <utility>

#include "adapters/cards/card_fields.hpp"
#include "adapters/cards/card_json_reader.hpp"
#include "adapters/cards/character_card.hpp"
#include "adapters/cards/personae_extension.hpp"

namespace personae::cards {
namespace {

using detail::contains;
using detail::load_sections;
using detail::section;
using nlohmann::json;

// Stored unknown keys first, then ours over them: a stored key never hides a modelled field.
template <std::size_t N>
json stored_except(const json& stored, const std::array<std::string_view, N>& written) {
  auto out = json::object();
  for (const auto& [key, value] : stored.items()) {
    if (!contains(written, key)) out[key] = value;
  }
  return out;
}

json write_entry(const LorebookEntry& entry, ExportVersion version) {
  const auto stored = load_sections(entry.extensions_json);
  auto out = stored_except(section(stored, "fields"), detail::kEntryKeys);
  out["keys"] = entry.keys;
  out["secondary_keys"] = entry.secondary_keys;
  out["content"] = entry.content;
  out["name"] = entry.name;
  out["comment"] = entry.comment;
  out["enabled"] = entry.enabled;
  out["case_sensitive"] = entry.case_sensitive;
  out["selective"] = entry.selective;
  out["constant"] = entry.constant;
  out["insertion_order"] = entry.insertion_order;
  if (entry.priority) out["priority"] = *entry.priority;
  if (entry.id) out["id"] = *entry.id;
  if (!entry.position.empty()) out["position"] = entry.position;
  // "fields" holds use_regex only when true; V3 requires the key.
  const bool use_regex = out.contains("use_regex") && out["use_regex"] == true;
  out.erase("use_regex");
  if (use_regex || version == ExportVersion::kV3) out["use_regex"] = use_regex;
  out["extensions"] = section(stored, "extensions");
  return out;
}

json write_lorebook(const Lorebook& book, ExportVersion version) {
  const auto stored = load_sections(book.extensions_json);
  auto out = stored_except(section(stored, "fields"), detail::kBookKeys);
  out["name"] = book.name;
  out["description"] = book.description;
  if (book.scan_depth) out["scan_depth"] = *book.scan_depth;
  if (book.token_budget) out["token_budget"] = *book.token_budget;
  if (book.recursive_scanning) out["recursive_scanning"] = *book.recursive_scanning;
  auto entries = json::array();
  for (const auto& entry : book.entries) entries.push_back(write_entry(entry, version));
  out["entries"] = std::move(entries);
  out["extensions"] = section(stored, "extensions");
  return out;
}

json build_card(const Persona& persona, ExportVersion version) {
  const auto& profile = persona.character;
  const bool v3 = version == ExportVersion::kV3;
  const auto stored = load_sections(profile.extensions_json);

  // V2 has no place for the V3 fields: they go to data.extensions.personae.card_v3.
  auto data = json::object();
  auto card_v3 = json::object();
  const auto stored_data = section(stored, "data");
  for (const auto& [key, value] : stored_data.items()) {
    if (contains(detail::kDataKeys, key) || contains(detail::kV3ModelledKeys, key)) continue;
    if (!v3 && contains(detail::kV3KeptKeys, key)) {
      card_v3[key] = value;
    } else {
      data[key] = value;
    }
  }
  data["name"] = persona.display_name;
  for (const auto& field : detail::kTextFields) data[std::string(field.key)] = profile.*field.member;
  data["alternate_greetings"] = profile.alternate_greetings;
  data["tags"] = profile.tags;
  if (profile.lorebook) data["character_book"] = write_lorebook(*profile.lorebook, version);
  if (v3) {
    if (!profile.nickname.empty()) data["nickname"] = profile.nickname;
    data["group_only_greetings"] = profile.group_only_greetings;
  } else {
    if (!profile.nickname.empty()) card_v3["nickname"] = profile.nickname;
    if (!profile.group_only_greetings.empty()) card_v3["group_only_greetings"] = profile.group_only_greetings;
  }

  auto extensions = section(stored, "extensions");
  auto personae = detail::write_personae_extension(persona);
  if (!card_v3.empty()) personae[std::string(detail::kCardV3Key)] = std::move(card_v3);
  extensions[std::string(detail::kPersonaeKey)] = std::move(personae);
  data["extensions"] = std::move(extensions);

  auto card = json::object();
  const auto stored_card = section(stored, "card");
  for (const auto& [key, value] : stored_card.items()) {
    if (key != "spec" && key != "spec_version" && key != "data" && !contains(detail::kV1Keys, key))
      card[key] = value;
  }
  card["spec"] = std::string(v3 ? detail::kSpecV3 : detail::kSpecV2);
  card["spec_version"] = v3 ? "3.0" : "2.0";
  card["data"] = std::move(data);
  return card;
}

}  // namespace

std::string_view to_string(ExportVersion version) {
  return version == ExportVersion::kV3 ? "v3" : "v2";
}

std::optional<ExportVersion> parse_export_version(std::string_view text) {
  if (text == "v2") return ExportVersion::kV2;
  if (text == "v3") return ExportVersion::kV3;
  return std::nullopt;
}

std::string export_card_json(const Persona& persona, ExportVersion version) {
  return detail::dump_json(build_card(persona, version));
}

}  // namespace personae::cards

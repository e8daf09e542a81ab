// Hand-written cards shaped like real exports (SillyTavern V2 with a lorebook, a RisuAI-style V3
// with assets, a flat V1): imported, exported again, and compared structurally with the input.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/cards/character_card.hpp"

namespace personae::cards {
namespace {

using nlohmann::json;

std::string fixture(const std::string& name) {
  std::ifstream in(PERSONAE_SOURCE_DIR "/tests/fixtures/cards/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ImportedCard import_fixture(const std::string& name) {
  auto card = parse_card_json(fixture(name));
  EXPECT_TRUE(card) << card.error().message;
  return card ? *card : ImportedCard{};
}

// Every value of `input` is in `output` at the same path; the keys `output` has beyond it are
// collected in `added`.
void compare(const json& output, const json& input, const std::string& path,
             std::vector<std::string>& added) {
  const auto child = [&path](std::string_view suffix, std::string_view key = {}) {
    std::string out = path;
    out += suffix;
    out += key;
    return out;
  };
  if (input.is_object() && output.is_object()) {
    for (const auto& [key, value] : input.items()) {
      if (!output.contains(key)) {
        ADD_FAILURE() << path << "." << key << " was lost";
        continue;
      }
      compare(output[key], value, child(".", key), added);
    }
    for (const auto& [key, value] : output.items()) {
      if (!input.contains(key)) added.push_back(child(".", key));
    }
  } else if (input.is_array() && output.is_array() && input.size() == output.size()) {
    for (std::size_t i = 0; i < input.size(); ++i) compare(output[i], input[i], child("[]"), added);
  } else {
    EXPECT_EQ(output, input) << path;
  }
}

std::vector<std::string> added_keys(const json& output, const json& input) {
  std::vector<std::string> added;
  compare(output, input, "", added);
  std::sort(added.begin(), added.end());
  added.erase(std::unique(added.begin(), added.end()), added.end());
  return added;
}

TEST(CardFixtures, SillyTavernV2WithLorebook) {
  const auto card = import_fixture("sillytavern_v2_lorebook.json");
  EXPECT_EQ(card.version, CardVersion::kV2);
  const auto& persona = card.persona;
  EXPECT_EQ(persona.display_name, "Captain Mara Quill");
  EXPECT_EQ(persona.character.creator, "skyward_writer");
  EXPECT_EQ(persona.character.alternate_greetings.size(), 2U);
  ASSERT_TRUE(persona.character.lorebook);
  const auto& book = *persona.character.lorebook;
  EXPECT_EQ(book.name, "Wren Lore");
  ASSERT_EQ(book.entries.size(), 3U);
  EXPECT_EQ(book.entries[1].keys, (std::vector<std::string>{"Ash", "first mate"}));
  EXPECT_EQ(book.entries[1].secondary_keys, (std::vector<std::string>{"crew"}));
  EXPECT_EQ(book.entries[1].position, "after_char");
  EXPECT_EQ(book.entries[2].constant, true);
  EXPECT_EQ(book.entries[2].enabled, false);
  EXPECT_EQ(book.entries[0].id, 0);
  EXPECT_EQ(json::parse(book.entries[0].extensions_json)["fields"]["use_regex"], true);
  EXPECT_EQ(json::parse(book.entries[0].extensions_json)["extensions"]["selectiveLogic"], 0);
  const auto stored = json::parse(persona.character.extensions_json);
  EXPECT_EQ(stored["card"]["chat"], "Captain Mara Quill - 2024-5-12 @17h 03m 12s 345ms");
  EXPECT_EQ(stored["extensions"]["depth_prompt"]["depth"], 4);
  EXPECT_FALSE(stored["card"].contains("first_mes"));  // a V1 copy, derived from data

  auto input = json::parse(fixture("sillytavern_v2_lorebook.json"));
  for (const auto* key : {"name", "description", "personality", "scenario", "first_mes", "mes_example"})
    input.erase(key);
  const auto exported = json::parse(export_card_json(persona, ExportVersion::kV2));
  EXPECT_EQ(added_keys(exported, input),
            (std::vector<std::string>{".data.character_book.description",
                                      ".data.character_book.entries[].case_sensitive",
                                      ".data.character_book.entries[].name",
                                      ".data.character_book.extensions", ".data.extensions.personae"}));
  EXPECT_EQ(import_fixture("sillytavern_v2_lorebook.json").persona,
            parse_card_json(exported.dump())->persona);
}

TEST(CardFixtures, RisuStyleV3WithAssets) {
  const auto card = import_fixture("risu_v3_assets.json");
  EXPECT_EQ(card.version, CardVersion::kV3);
  EXPECT_TRUE(card.warnings.empty());
  const auto& character = card.persona.character;
  EXPECT_EQ(character.nickname, "Doc");
  EXPECT_EQ(character.group_only_greetings,
            (std::vector<std::string>{"Everyone, gather round the tide pool."}));
  ASSERT_TRUE(character.lorebook);
  EXPECT_EQ(character.lorebook->scan_depth, 3);
  EXPECT_EQ(character.lorebook->recursive_scanning, false);
  EXPECT_EQ(character.lorebook->entries[0].priority, 5);
  EXPECT_EQ(character.lorebook->entries[1].keys, (std::vector<std::string>{"/kelp\\s+forest/i"}));
  const auto stored = json::parse(character.extensions_json);
  EXPECT_EQ(stored["data"]["assets"].size(), 3U);
  EXPECT_EQ(stored["data"]["x_station_code"], "S9-ALPHA");
  EXPECT_EQ(stored["data"]["creator_notes_multilingual"]["fr"], "Carte bilingue.");

  const auto input = json::parse(fixture("risu_v3_assets.json"));
  const auto exported = json::parse(export_card_json(card.persona, ExportVersion::kV3));
  EXPECT_EQ(added_keys(exported, input), (std::vector<std::string>{".data.extensions.personae"}));

  // Through V2 and back: the V3 fields wait in data.extensions.personae.card_v3.
  const auto v2 = json::parse(export_card_json(card.persona, ExportVersion::kV2));
  EXPECT_FALSE(v2["data"].contains("assets"));
  EXPECT_EQ(v2["data"]["extensions"]["personae"]["card_v3"]["assets"], input["data"]["assets"]);
  EXPECT_EQ(v2["data"]["x_station_code"], "S9-ALPHA");
  const auto back = parse_card_json(v2.dump());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->persona, card.persona);
  EXPECT_EQ(json::parse(export_card_json(back->persona, ExportVersion::kV3)), exported);
}

TEST(CardFixtures, FlatV1) {
  const auto card = import_fixture("tavern_v1_flat.json");
  EXPECT_EQ(card.version, CardVersion::kV1);
  EXPECT_EQ(card.persona.display_name, "Old Tom");
  EXPECT_EQ(card.persona.character.first_message, "*The door creaks open.* Who's there at this hour?");
  EXPECT_FALSE(card.persona.character.lorebook);

  const auto input = json::parse(fixture("tavern_v1_flat.json"));
  const auto exported = json::parse(export_card_json(card.persona, ExportVersion::kV2));
  for (const auto* key : {"name", "description", "personality", "scenario", "first_mes", "mes_example"}) {
    EXPECT_EQ(exported["data"][key], input[key]) << key;
    EXPECT_FALSE(exported.contains(key)) << key;
  }
  for (const auto* key : {"creatorcomment", "avatar", "chat", "talkativeness", "fav", "create_date"}) {
    EXPECT_EQ(exported[key], input[key]) << key;
  }
}

}  // namespace
}  // namespace personae::cards

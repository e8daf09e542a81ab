#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/cards/card_test_support.hpp"
#include "adapters/cards/character_card.hpp"

namespace personae::cards {
namespace {

using nlohmann::json;
using testing::full_persona;
using testing::v2_card;
using testing::without_installation_fields;

// A V2 card cut open after data.name, for cases that need raw JSON text.
std::string head() {
  return R"({"spec":"chara_card_v2","spec_version":"2.0","data":{"name":"A")";
}

ImportedCard import_ok(std::string_view text) {
  auto card = parse_card_json(text);
  EXPECT_TRUE(card) << card.error().message;
  return card ? *card : ImportedCard{};
}

std::string error_of(std::string_view text) {
  auto card = parse_card_json(text);
  if (card) return "(accepted)";
  EXPECT_EQ(card.error().code, ErrorCode::kInvalidArgument);
  return card.error().message;
}

TEST(CardJson, V2RoundTripKeepsEveryModelledAndPersonaeField) {
  const auto persona = full_persona();
  const auto card = import_ok(export_card_json(persona, ExportVersion::kV2));
  EXPECT_EQ(card.version, CardVersion::kV2);
  EXPECT_EQ(card.persona, without_installation_fields(persona));
  EXPECT_EQ(card.persona.character.lorebook->entries[1].id, 9'007'199'254'740'993);
  EXPECT_TRUE(card.warnings.empty());
}

TEST(CardJson, V3RoundTripKeepsEveryModelledAndPersonaeField) {
  const auto persona = full_persona();
  const auto card = import_ok(export_card_json(persona, ExportVersion::kV3));
  EXPECT_EQ(card.version, CardVersion::kV3);
  EXPECT_EQ(card.persona, without_installation_fields(persona));
}

TEST(CardJson, ExportsTheV2Layout) {
  const auto card = json::parse(export_card_json(full_persona(), ExportVersion::kV2));
  EXPECT_EQ(card["spec"], "chara_card_v2");
  EXPECT_EQ(card["spec_version"], "2.0");
  EXPECT_EQ(card["creatorcomment"], "old note");
  const auto& data = card["data"];
  EXPECT_EQ(data["name"], "Luna Vale");
  EXPECT_EQ(data["first_mes"], "*looks up from her sketchbook* Oh, hi there!");
  EXPECT_EQ(data["mes_example"], "<START>\n{{user}}: What are you drawing?\n{{char}}: You, maybe.");
  EXPECT_EQ(data["alternate_greetings"], json({"Bonsoir!", "*waves* You came back."}));
  EXPECT_EQ(data["custom_key"], json::parse(R"({"a":[1,2.5,null]})"));
  EXPECT_EQ(data["extensions"]["fav"], true);
  // V2 has no place for V3 fields: they wait in personae.card_v3.
  for (const auto* key :
       {"nickname", "group_only_greetings", "assets", "creation_date", "creator_notes_multilingual"}) {
    EXPECT_FALSE(data.contains(key)) << key;
  }
  const auto& card_v3 = data["extensions"]["personae"]["card_v3"];
  EXPECT_EQ(card_v3["nickname"], "Lu");
  EXPECT_EQ(card_v3["group_only_greetings"], json({"Hello, everyone!"}));
  EXPECT_EQ(card_v3["assets"][0]["uri"], "ccdefault:");
  EXPECT_EQ(card_v3["creation_date"], 1700000000);
  const auto& entry = data["character_book"]["entries"][0];
  EXPECT_EQ(entry["keys"], json({"gallery", "Galerie Nocturne"}));
  EXPECT_EQ(entry["position"], "before_char");
  EXPECT_EQ(entry["use_regex"], true);
  EXPECT_EQ(entry["extensions"]["depth"], 4);
  EXPECT_FALSE(data["character_book"]["entries"][1].contains("use_regex"));
  EXPECT_EQ(data["character_book"]["extensions"]["world"], "luna");
}

TEST(CardJson, ExportsTheV3Layout) {
  const auto card = json::parse(export_card_json(full_persona(), ExportVersion::kV3));
  EXPECT_EQ(card["spec"], "chara_card_v3");
  EXPECT_EQ(card["spec_version"], "3.0");
  const auto& data = card["data"];
  EXPECT_EQ(data["nickname"], "Lu");
  EXPECT_EQ(data["group_only_greetings"], json({"Hello, everyone!"}));
  EXPECT_EQ(data["assets"][0]["type"], "icon");
  EXPECT_EQ(data["creator_notes_multilingual"]["fr"], "Notes");
  EXPECT_FALSE(data["extensions"]["personae"].contains("card_v3"));
  EXPECT_EQ(data["character_book"]["entries"][0]["use_regex"], true);
  EXPECT_EQ(data["character_book"]["entries"][1]["use_regex"], false);
}

TEST(CardJson, WritesThePersonaeExtension) {
  const auto card = json::parse(export_card_json(full_persona(), ExportVersion::kV2));
  auto personae = card["data"]["extensions"]["personae"];
  personae.erase("card_v3");
  EXPECT_EQ(personae, json::parse(R"({
    "version": 1, "kind": "fictional", "review_mode": "review_explicit_only",
    "bio": "Digital artist and night owl.", "timezone": "Europe/Paris", "languages": ["fr", "en-GB"],
    "handles": {"x": "luna_vale", "fanvue": "luna.vale"},
    "disclosures": {"x": "#AI Made with AI", "instagram": "AI-generated"},
    "voice": {"tone": "playful, warm", "vocabulary": ["darling", "mon chou"], "banned_words": ["cringe"],
              "emoji_use": "frequent", "topics_to_avoid": ["politics"], "hashtags": []},
    "boundaries": [{"platform": "x", "allowed_ratings": ["sfw", "suggestive"], "allowed_categories": []},
                   {"platform": "fanvue", "allowed_ratings": ["sfw", "explicit"], "allowed_categories": ["lingerie", "art"]}],
    "visual": {"lora_name": "luna_v3", "trigger_words": ["lunavale", "silver hair"]},
    "llm": {"provider": "ollama", "model": "mistral-nemo", "temperature": 0.85, "context_size": 16384}
  })"));
}

TEST(CardJson, NeverExportsInstallationBoundFields) {
  auto persona = full_persona();
  persona.consent = ConsentRecord{"Jane Roe", 1, "all", "med_consent_doc", std::nullopt, "usr_9", 2};
  for (const auto version : {ExportVersion::kV2, ExportVersion::kV3}) {
    const auto text = export_card_json(persona, version);
    for (const auto* secret :
         {"prs_01HZX", "tnt_01HZX", "usr_1", "I attest", "Jane Roe", "med_consent_doc", "med_1",
          "1700000100000", "reference_media_ids", "attestation", "consent", "status"}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret;
    }
  }
}

TEST(CardJson, V3ExportedAsV2LosesNothing) {
  const auto v3 = import_ok(export_card_json(full_persona(), ExportVersion::kV3));
  const auto v2 = import_ok(export_card_json(v3.persona, ExportVersion::kV2));
  EXPECT_EQ(v2.persona, v3.persona);
  EXPECT_EQ(json::parse(export_card_json(v2.persona, ExportVersion::kV3)),
            json::parse(export_card_json(full_persona(), ExportVersion::kV3)));
}

TEST(CardJson, ImportIsADraftWithoutLegalRecords) {
  const auto card = import_ok(v2_card({{"extensions",
                                        {{"personae",
                                          {{"version", 1},
                                           {"status", "active"},
                                           {"id", "prs_other"},
                                           {"consent", {{"subject_name", "X"}}},
                                           {"attestation", {{"statement", "yes"}}},
                                           {"visual", {{"reference_media_ids", {"med_1"}}}}}}}}}));
  EXPECT_EQ(card.persona.status, PersonaStatus::kDraft);
  EXPECT_TRUE(card.persona.id.empty());
  EXPECT_FALSE(card.persona.attestation);
  EXPECT_FALSE(card.persona.consent);
  EXPECT_TRUE(card.persona.visual.reference_media_ids.empty());
  const std::string never = ": ignored (ids, status, attestation, consent and timestamps are never imported)";
  const std::string prefix = "data.extensions.personae.";
  EXPECT_EQ(card.warnings,
            (std::vector<std::string>{prefix + "visual.reference_media_ids: ignored (media ids of "
                                               "another installation); add reference images from the vault",
                                      prefix + "id" + never, prefix + "status" + never,
                                      prefix + "attestation" + never, prefix + "consent" + never}));
}

TEST(CardJson, WarnsThatARealAdultNeedsConsent) {
  const auto card = import_ok(
      v2_card({{"extensions", {{"personae", {{"version", 1}, {"kind", "real_adult_with_consent"}}}}}}));
  EXPECT_EQ(card.persona.kind, PersonaKind::kRealAdultWithConsent);
  EXPECT_EQ(card.warnings,
            (std::vector<std::string>{"data.extensions.personae.kind: the persona depicts a real adult; "
                                      "record their consent before activating it"}));
}

TEST(CardJson, ACardWithoutPersonaeExtensionGetsDefaults) {
  const auto card = import_ok(v2_card());
  Persona expected;
  expected.display_name = "Aria";
  EXPECT_EQ(card.persona, expected);
  EXPECT_EQ(card.persona.character.extensions_json, "{}");
}

TEST(CardJson, ImportsV1Cards) {
  const auto card = import_ok(R"({"name": "Old Bot", "description": "d", "personality": "p", "scenario": "s",
                                  "first_mes": "hi", "mes_example": "ex", "avatar": "none", "chat": "Old Bot - 2023"})");
  EXPECT_EQ(card.version, CardVersion::kV1);
  EXPECT_EQ(card.persona.display_name, "Old Bot");
  EXPECT_EQ(card.persona.character.first_message, "hi");
  EXPECT_EQ(card.persona.character.example_messages, "ex");
  EXPECT_EQ(card.persona.character.extensions_json, R"({"card":{"avatar":"none","chat":"Old Bot - 2023"}})");
  const auto v2 = json::parse(export_card_json(card.persona, ExportVersion::kV2));
  EXPECT_EQ(v2["avatar"], "none");
  EXPECT_EQ(v2["data"]["scenario"], "s");
  EXPECT_EQ(import_ok(v2.dump()).persona, card.persona);
}

TEST(CardJson, IgnoresTheTopLevelV1CopiesOfAV2Card) {
  auto card = json::parse(v2_card({{"description", "the truth"}}));
  card["name"] = "Stale";
  card["description"] = "stale";
  const auto imported = import_ok(card.dump());
  EXPECT_EQ(imported.persona.display_name, "Aria");
  EXPECT_EQ(imported.persona.character.description, "the truth");
  EXPECT_EQ(imported.persona.character.extensions_json, "{}");
}

TEST(CardJson, ReadsV3FieldsFoundInAV2Card) {
  const auto card = import_ok(v2_card({{"nickname", "Ari"}, {"source", {"https://example.org/aria"}}}));
  EXPECT_EQ(card.persona.character.nickname, "Ari");
  EXPECT_EQ(card.persona.character.extensions_json, R"({"data":{"source":["https://example.org/aria"]}})");
}

TEST(CardJson, DataLevelV3FieldsWinOverLiftedOnes) {
  auto card = json::parse(export_card_json(full_persona(), ExportVersion::kV2));
  card["data"]["nickname"] = "Moon";
  const auto imported = import_ok(card.dump());
  EXPECT_EQ(imported.persona.character.nickname, "Moon");
  EXPECT_EQ(imported.warnings,
            (std::vector<std::string>{"data.extensions.personae.card_v3.nickname: ignored, the "
                                      "card's data.nickname is used"}));
}

TEST(CardJson, NullOptionalFieldsReadAsAbsent) {
  const auto card =
      import_ok(v2_card({{"description", nullptr}, {"character_book", nullptr}, {"tags", nullptr}}));
  EXPECT_TRUE(card.persona.character.description.empty());
  EXPECT_FALSE(card.persona.character.lorebook);
}

TEST(CardJson, AcceptsALaterV3MinorVersionWithAWarning) {
  const auto card = import_ok(R"({"spec":"chara_card_v3","spec_version":"3.1","data":{"name":"N"}})");
  EXPECT_EQ(card.version, CardVersion::kV3);
  EXPECT_EQ(
      card.warnings,
      (std::vector<std::string>{R"(spec_version: "3.1" is newer than 3.0; fields it adds are kept unused)"}));
}

TEST(CardJson, AcceptsAUtf8ByteOrderMark) {
  EXPECT_EQ(import_ok("\xEF\xBB\xBF" + v2_card()).persona.display_name, "Aria");
}

TEST(CardJson, NamesAndVersions) {
  EXPECT_EQ(to_string(CardVersion::kV1), "v1");
  EXPECT_EQ(to_string(CardVersion::kV3), "v3");
  EXPECT_EQ(to_string(ExportVersion::kV2), "v2");
  EXPECT_EQ(parse_export_version("v3"), ExportVersion::kV3);
  EXPECT_EQ(parse_export_version("v2"), ExportVersion::kV2);
  EXPECT_FALSE(parse_export_version("v1"));
  EXPECT_FALSE(parse_export_version("V2"));
}

TEST(CardJson, ShortensALongPathInAMessage) {
  std::string deep;
  for (int i = 0; i < 20; ++i) deep += "{\"" + std::string(40, static_cast<char>('a' + i)) + "\":";
  deep += R"({"k":1,"k":2})" + std::string(20, '}');
  const auto message = error_of(head() + R"(,"extensions":{"x":)" + deep + "}}}");
  EXPECT_TRUE(message.starts_with("\u2026")) << message;
  EXPECT_TRUE(message.ends_with(std::string(40, 't') + R"(: the key "k" appears twice)")) << message;
  EXPECT_LT(message.size(), 300U);
}

std::string nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

json entries_with(const json& entry, std::size_t index = 3) {
  json entries = json::array();
  for (std::size_t i = 0; i < index; ++i) entries.push_back({{"keys", {"k"}}, {"content", "c"}});
  entries.push_back(entry);
  return {{"character_book", {{"entries", entries}}}};
}

json personae(const json& patch) {
  json extension = {{"version", 1}};
  extension.merge_patch(patch);
  return {{"extensions", {{"personae", extension}}}};
}

struct Rejection {
  std::string name;
  std::string card;
  std::string message;
};

void PrintTo(const Rejection& rejection, std::ostream* out) {
  *out << rejection.name;
}

class CardJsonRejects : public ::testing::TestWithParam<Rejection> {};

TEST_P(CardJsonRejects, WithAMessageNamingThePath) {
  EXPECT_EQ(error_of(GetParam().card), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Shape, CardJsonRejects,
    ::testing::Values(
        Rejection{"empty", "  \n", "the card is empty"},
        Rejection{"array", "[]", "the card must be a JSON object"},
        Rejection{"invalid_json", "{\"spec\":\n  \"chara_card_v2\",,}",
                  "the card is not valid JSON (at line 2, column 19)"},
        Rejection{"invalid_utf8", v2_card().replace(v2_card().find("Aria"), 1, "\xC3\x28"),
                  "the card is not valid UTF-8"},
        Rejection{"lone_surrogate_escape", head() + R"(,"description":"\ud800"}})",
                  "the card is not valid JSON (at line 1, column 86)"},
        Rejection{"too_large", v2_card({{"description", std::string(kMaxCardJsonBytes, 'x')}}),
                  "the card is larger than 4 MiB"},
        Rejection{"depth_bomb", head() + R"(,"extensions":{"x":)" + nested(100) + "}}}",
                  "the card nests deeper than 64 levels"},
        Rejection{"number_overflow", head() + R"(,"extensions":{"x":1e400}}})",
                  "the card holds a number too large to represent"},
        Rejection{"duplicate_top_key", R"({"spec":"chara_card_v2","spec":"chara_card_v3"})",
                  R"(the top level: the key "spec" appears twice)"},
        Rejection{"duplicate_data_key", head() + R"(,"name":"B"}})", R"(data: the key "name" appears twice)"},
        Rejection{"duplicate_extension_key", head() + R"(,"extensions":{"a":1,"a":2}}})",
                  R"(data.extensions: the key "a" appears twice)"},
        Rejection{
            "duplicate_entry_key",
            head() +
                R"(,"character_book":{"entries":[{"keys":[],"content":""},{"content":"","content":""}]}}})",
            R"(data.character_book.entries[1]: the key "content" appears twice)"},
        Rejection{"duplicate_long_key",
                  head() + R"(,"extensions":{")" + std::string(5000, 'k') + R"(":1,")" +
                      std::string(5000, 'k') + R"(":2}}})",
                  R"(data.extensions: the key "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…" appears twice)"},
        Rejection{"spec_unknown", R"({"spec":"chara_card_v4","data":{}})",
                  R"(spec: expected "chara_card_v2" or "chara_card_v3")"},
        Rejection{"spec_number", R"({"spec":2,"data":{}})",
                  R"(spec: expected "chara_card_v2" or "chara_card_v3")"},
        Rejection{"spec_missing", R"({"spec_version":"2.0","data":{"name":"A"}})", "spec: required"},
        Rejection{"spec_version_wrong",
                  R"({"spec":"chara_card_v2","spec_version":"3.0","data":{"name":"A"}})",
                  R"(spec_version: expected "2.0")"},
        Rejection{"spec_version_missing", R"({"spec":"chara_card_v3","data":{"name":"A"}})",
                  R"(spec_version: expected "3.0")"},
        Rejection{"spec_version_v4", R"({"spec":"chara_card_v3","spec_version":"4.0","data":{"name":"A"}})",
                  R"(spec_version: expected "3.0")"},
        Rejection{"data_missing", R"({"spec":"chara_card_v2","spec_version":"2.0"})", "data: required"},
        Rejection{"data_not_object", R"({"spec":"chara_card_v2","spec_version":"2.0","data":"x"})",
                  "data: expected an object"}));

INSTANTIATE_TEST_SUITE_P(
    Fields, CardJsonRejects,
    ::testing::Values(
        Rejection{"name_missing", R"({"spec":"chara_card_v2","spec_version":"2.0","data":{}})",
                  "data.name: required"},
        Rejection{"name_null", R"({"spec":"chara_card_v2","spec_version":"2.0","data":{"name":null}})",
                  "data.name: required"},
        Rejection{"name_empty", v2_card({{"name", ""}}), "data.name: must be 1-100 characters"},
        Rejection{"name_long", v2_card({{"name", std::string(101, 'n')}}),
                  "data.name: must be 1-100 characters"},
        Rejection{"name_number", v2_card({{"name", 7}}), "data.name: expected a string"},
        Rejection{"name_two_lines", v2_card({{"name", "A\nB"}}),
                  "data.name: must be one line without control characters"},
        Rejection{"v1_name_missing", R"({"description":"x"})", "name: required"},
        Rejection{"v1_description_type", R"({"name":"A","description":["x"]})",
                  "description: expected a string"},
        Rejection{"description_long", v2_card({{"description", std::string(200'001, 'd')}}),
                  "data.description: must be at most 200000 characters"},
        Rejection{"first_mes_type", v2_card({{"first_mes", true}}), "data.first_mes: expected a string"},
        Rejection{"greetings_type", v2_card({{"alternate_greetings", "hi"}}),
                  "data.alternate_greetings: expected an array of strings"},
        Rejection{"greeting_type", v2_card({{"alternate_greetings", {"hi", 2}}}),
                  "data.alternate_greetings[1]: expected a string"},
        Rejection{"greetings_many", v2_card({{"alternate_greetings", std::vector<std::string>(101, "hi")}}),
                  "data.alternate_greetings: must have at most 100 items"},
        Rejection{"tags_many", v2_card({{"tags", std::vector<std::string>(201, "t")}}),
                  "data.tags: must have at most 200 items"},
        Rejection{"tag_long", v2_card({{"tags", {std::string(101, 't')}}}),
                  "data.tags[0]: must be at most 100 characters"},
        Rejection{"creator_control", v2_card({{"creator", "a\tb"}}),
                  "data.creator: must be one line without control characters"},
        Rejection{"nickname_long", v2_card({{"nickname", std::string(101, 'n')}}),
                  "data.nickname: must be at most 100 characters"},
        Rejection{"extensions_type", v2_card({{"extensions", {1}}}), "data.extensions: expected an object"},
        Rejection{"weird_key_path", v2_card({{"creator_notes_multilingual", {{"a b", 1}}}}),
                  R"(data.creator_notes_multilingual["a b"]: expected a string)"},
        Rejection{"assets_type", v2_card({{"assets", {{"type", "icon"}}}}), "data.assets: expected an array"},
        Rejection{"asset_type", v2_card({{"assets", json::array({1})}}),
                  "data.assets[0]: expected an object"},
        Rejection{"asset_uri_missing", v2_card({{"assets", {{{"type", "icon"}}}}}),
                  "data.assets[0].uri: required"},
        Rejection{"creation_date_type", v2_card({{"creation_date", "2024-01-01"}}),
                  "data.creation_date: expected a number"},
        Rejection{"source_type", v2_card({{"source", "https://x"}}),
                  "data.source: expected an array of strings"}));

INSTANTIATE_TEST_SUITE_P(
    Lorebook, CardJsonRejects,
    ::testing::Values(
        Rejection{"book_type", v2_card({{"character_book", {1, 2}}}),
                  "data.character_book: expected an object"},
        Rejection{"entries_missing", v2_card({{"character_book", {{"name", "b"}}}}),
                  "data.character_book.entries: required"},
        Rejection{"entries_type", v2_card({{"character_book", {{"entries", {{"a", 1}}}}}}),
                  "data.character_book.entries: expected an array"},
        Rejection{
            "entries_many",
            v2_card({{"character_book",
                      {{"entries", std::vector<json>(5001, {{"keys", json::array()}, {"content", ""}})}}}}),
            "data.character_book.entries: must have at most 5000 entries"},
        Rejection{"keys_type", v2_card(entries_with({{"keys", "gallery"}, {"content", "c"}})),
                  "data.character_book.entries[3].keys: expected an array of strings"},
        Rejection{"keys_missing", v2_card(entries_with({{"content", "c"}})),
                  "data.character_book.entries[3].keys: required"},
        Rejection{"content_missing", v2_card(entries_with({{"keys", {"k"}}})),
                  "data.character_book.entries[3].content: required"},
        Rejection{"enabled_type",
                  v2_card(entries_with({{"keys", {"k"}}, {"content", "c"}, {"enabled", "yes"}})),
                  "data.character_book.entries[3].enabled: expected a boolean"},
        Rejection{"insertion_order_float",
                  v2_card(entries_with({{"keys", {"k"}}, {"content", "c"}, {"insertion_order", 1.5}})),
                  "data.character_book.entries[3].insertion_order: expected an integer"},
        Rejection{"priority_range",
                  v2_card(entries_with({{"keys", {"k"}}, {"content", "c"}, {"priority", 3'000'000'000LL}})),
                  "data.character_book.entries[3].priority: is out of range"},
        Rejection{
            "id_range",
            v2_card(entries_with({{"keys", {"k"}}, {"content", "c"}, {"id", 18'446'744'073'709'551'615ULL}})),
            "data.character_book.entries[3].id: is out of range"},
        Rejection{"id_string", v2_card(entries_with({{"keys", {"k"}}, {"content", "c"}, {"id", "7"}})),
                  "data.character_book.entries[3].id: expected an integer"},
        Rejection{"position_unknown",
                  v2_card(entries_with({{"keys", {"k"}}, {"content", "c"}, {"position", "top"}})),
                  R"(data.character_book.entries[3].position: expected "before_char" or "after_char")"},
        Rejection{"use_regex_type",
                  v2_card(entries_with({{"keys", {"k"}}, {"content", "c"}, {"use_regex", 1}})),
                  "data.character_book.entries[3].use_regex: expected a boolean"},
        Rejection{"entry_extensions_type",
                  v2_card(entries_with({{"keys", {"k"}}, {"content", "c"}, {"extensions", "x"}})),
                  "data.character_book.entries[3].extensions: expected an object"},
        Rejection{"scan_depth_negative",
                  v2_card({{"character_book", {{"entries", json::array()}, {"scan_depth", -1}}}}),
                  "data.character_book.scan_depth: must not be negative"},
        Rejection{"recursive_type",
                  v2_card({{"character_book", {{"entries", json::array()}, {"recursive_scanning", "no"}}}}),
                  "data.character_book.recursive_scanning: expected a boolean"}));

INSTANTIATE_TEST_SUITE_P(
    Personae, CardJsonRejects,
    ::testing::Values(
        Rejection{"type", v2_card({{"extensions", {{"personae", "x"}}}}),
                  "data.extensions.personae: expected an object"},
        Rejection{"version_missing", v2_card({{"extensions", {{"personae", json::object()}}}}),
                  "data.extensions.personae.version: required"},
        Rejection{"version_newer", v2_card(personae({{"version", 2}})),
                  "data.extensions.personae.version: unsupported version 2 (this installation reads 1)"},
        Rejection{"unknown_field", v2_card(personae({{"mood", "happy"}})),
                  "data.extensions.personae.mood: unknown field"},
        Rejection{"kind", v2_card(personae({{"kind", "minor"}})),
                  R"(data.extensions.personae.kind: expected "fictional" or "real_adult_with_consent")"},
        Rejection{
            "review_mode", v2_card(personae({{"review_mode", "none"}})),
            R"(data.extensions.personae.review_mode: expected "review_all", "review_explicit_only" or "automatic_with_gates")"},
        Rejection{"handles_platform", v2_card(personae({{"handles", {{"myspace", "tom"}}}})),
                  R"(data.extensions.personae.handles: unknown platform "myspace")"},
        Rejection{"handle_rule", v2_card(personae({{"handles", {{"x", "@luna"}}}})),
                  "data.extensions.personae.handles.x: must be 1-64 letters, digits, '_', '.' or '-' "
                  "(without '@')"},
        Rejection{"timezone_rule", v2_card(personae({{"timezone", "Paris time"}})),
                  "data.extensions.personae.timezone: must be an IANA time zone such as Europe/Paris"},
        Rejection{"languages_empty", v2_card(personae({{"languages", json::array()}})),
                  "data.extensions.personae.languages: must list 1-10 languages, the main one first"},
        Rejection{"language_tag", v2_card(personae({{"languages", {"en", "English"}}})),
                  "data.extensions.personae.languages[1]: must be a BCP 47 language tag such as fr or en-GB"},
        Rejection{"bio_rule", v2_card(personae({{"bio", std::string(2001, 'b')}})),
                  "data.extensions.personae.bio: must be at most 2000 characters"},
        Rejection{"voice_unknown", v2_card(personae({{"voice", {{"pitch", 1}}}})),
                  "data.extensions.personae.voice.pitch: unknown field"},
        Rejection{"emoji_use", v2_card(personae({{"voice", {{"emoji_use", "lots"}}}})),
                  R"(data.extensions.personae.voice.emoji_use: expected "none", "light" or "frequent")"},
        Rejection{"boundaries_type", v2_card(personae({{"boundaries", {{"platform", "x"}}}})),
                  "data.extensions.personae.boundaries: expected an array"},
        Rejection{"boundary_platform_missing",
                  v2_card(personae({{"boundaries", {{{"allowed_ratings", {"sfw"}}}}}})),
                  "data.extensions.personae.boundaries[0].platform: required"},
        Rejection{
            "boundary_rating",
            v2_card(personae({{"boundaries", {{{"platform", "x"}, {"allowed_ratings", {"nsfw"}}}}}})),
            R"(data.extensions.personae.boundaries[0].allowed_ratings: expected "sfw", "suggestive" or "explicit" items)"},
        Rejection{"boundary_twice",
                  v2_card(personae({{"boundaries",
                                     {{{"platform", "x"}, {"allowed_ratings", {"sfw"}}},
                                      {{"platform", "x"}, {"allowed_ratings", {"sfw"}}}}}})),
                  "data.extensions.personae.boundaries[1].platform: has a boundary already"},
        Rejection{"disclosure_platform", v2_card(personae({{"disclosures", {{"tiktok", "AI"}}}})),
                  R"(data.extensions.personae.disclosures: unknown platform "tiktok")"},
        Rejection{"visual_unknown", v2_card(personae({{"visual", {{"seed", 4}}}})),
                  "data.extensions.personae.visual.seed: unknown field"},
        Rejection{"llm_temperature_type", v2_card(personae({{"llm", {{"temperature", "hot"}}}})),
                  "data.extensions.personae.llm.temperature: expected a number"},
        Rejection{"llm_temperature_rule", v2_card(personae({{"llm", {{"temperature", 2.5}}}})),
                  "data.extensions.personae.llm.temperature: must be between 0 and 2"},
        Rejection{"llm_context_rule", v2_card(personae({{"llm", {{"context_size", 100}}}})),
                  "data.extensions.personae.llm.context_size: must be between 512 and 1048576 tokens"},
        Rejection{"card_v3_unknown", v2_card(personae({{"card_v3", {{"mood", 1}}}})),
                  "data.extensions.personae.card_v3.mood: unknown field"},
        Rejection{"card_v3_type", v2_card(personae({{"card_v3", {{"nickname", 1}}}})),
                  "data.extensions.personae.card_v3.nickname: expected a string"}));

}  // namespace
}  // namespace personae::cards

#include "adapters/json/persona_json.hpp"

#include <gtest/gtest.h>

namespace personae::json {
namespace {

Persona full_persona() {
  Persona persona;
  persona.id = "p1";
  persona.tenant_id = "t1";
  persona.display_name = "Luna Vale";
  persona.handles = {{Platform::kX, "luna_vale"}, {Platform::kReddit, "lunavale"}};
  persona.bio = "Night owl, 27.";
  persona.timezone = "Europe/Paris";
  persona.languages = {"fr", "en"};
  persona.voice = {"playful", {"darling"}, {"cheap"}, EmojiUse::kFrequent, {"politics"}};
  persona.boundaries = {{Platform::kFanvue, {Rating::kSfw, Rating::kExplicit}, {"lingerie", "feet"}}};
  persona.disclosures = {{Platform::kX, "#AI"}};
  persona.visual = {"luna_v2", {"lunavale woman"}, {"m1", "m2"}};
  persona.llm = {"local", "mistral", 0.7, 8192};
  persona.review_mode = ReviewMode::kReviewExplicitOnly;
  persona.kind = PersonaKind::kRealAdultWithConsent;
  persona.attestation = FictionalAttestation{"u1", 5, "statement"};
  persona.consent = ConsentRecord{"Jane Doe", 10, "images", "m9", 99, "u2", 11};
  persona.status = PersonaStatus::kActive;
  persona.character.description = "A painter.";
  persona.character.first_message = "Hello!";
  persona.character.alternate_greetings = {"Hi", "Hey"};
  persona.character.tags = {"art"};
  persona.character.extensions_json = R"({"depth_prompt":{"depth":4}})";
  Lorebook book;
  book.name = "World";
  book.scan_depth = 3;
  LorebookEntry entry;
  entry.keys = {"paris"};
  entry.content = "She lives in Paris.";
  entry.priority = 5;
  entry.id = 42;
  entry.position = "after_char";
  entry.extensions_json = R"({"probability":100})";
  book.entries.push_back(entry);
  persona.character.lorebook = book;
  persona.revision = 7;
  persona.created_at_unix_ms = 1000;
  persona.updated_at_unix_ms = 2000;
  return persona;
}

TEST(PersonaJson, ADocumentRoundTripsEveryField) {
  Persona persona = full_persona();
  const auto document = persona_to_json(persona);
  auto back = persona_from_document(nlohmann::json::parse(document.dump()));
  ASSERT_TRUE(back) << back.error().detail;
  persona.tenant_id.clear();  // the tenant is a column, not part of the document
  EXPECT_EQ(*back, persona);
}

TEST(PersonaJson, SettingsOnlyReplaceWhatIsPresent) {
  Persona persona = full_persona();
  const auto patch = nlohmann::json::parse(R"({"bio": "New bio", "voice": {"tone": "calm"}})");
  JsonReader body(patch);
  apply_persona_settings(body, persona);
  body.finish();
  EXPECT_EQ(persona.bio, "New bio");
  EXPECT_EQ(persona.voice.tone, "calm");
  EXPECT_TRUE(persona.voice.vocabulary.empty());  // a nested object is replaced whole
  EXPECT_EQ(persona.display_name, "Luna Vale");
  EXPECT_TRUE(persona.character.lorebook);

  const auto clear = nlohmann::json::parse(R"({"character": {"lorebook": null}})");
  JsonReader clearing(clear);
  apply_persona_settings(clearing, persona);
  clearing.finish();
  EXPECT_FALSE(persona.character.lorebook);
  EXPECT_EQ(persona.character.description, "A painter.");
}

TEST(PersonaJson, ServerOwnedFieldsAndBadValuesAreRefusedByName) {
  Persona persona;
  const auto body_json = nlohmann::json::parse(R"({
      "status": "active", "id": "mine", "attestation": {}, "revision": 3,
      "handles": {"myspace": "x"}, "review_mode": "yolo",
      "boundaries": [{"platform": "tiktok", "allowed_ratings": ["sfw", "nsfw"]}],
      "voice": {"emoji_use": "lots"}, "character": {"lorebook": {"entries": [{"position": "middle"}]}}})");
  JsonReader body(body_json);
  apply_persona_settings(body, persona);
  std::vector<std::string> fields;
  try {
    body.finish();
    FAIL() << "expected field errors";
  } catch (const AppError& error) {
    for (const auto& field : error.error().field_errors) fields.push_back(field.field);
  }
  for (const char* expected :
       {"status", "id", "attestation", "revision", "handles.myspace", "review_mode", "boundaries[0].platform",
        "boundaries[0].allowed_ratings", "voice.emoji_use", "character.lorebook.entries[0].position"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), expected), fields.end()) << expected;
  }
}

TEST(PersonaJson, ACorruptDocumentIsAnInternalError) {
  const auto result = persona_from_document(nlohmann::json::parse(R"({"display_name": 5})"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInternal);
  EXPECT_NE(result.error().detail.find("display_name"), std::string::npos);
}

}  // namespace
}  // namespace personae::json

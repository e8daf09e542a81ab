#include "domain/personas/persona_rules.hpp"

#include <gtest/gtest.h>

namespace personae {
namespace {

constexpr std::int64_t kNow = 1'750'000'000'000;

Persona valid_persona() {
  Persona persona;
  persona.display_name = "Luna Vale";
  persona.handles = {{Platform::kX, "luna_vale"}, {Platform::kFanvue, "luna.vale"}};
  persona.bio = "Digital artist and night owl. 24, Paris.";
  persona.timezone = "Europe/Paris";
  persona.languages = {"fr", "en-GB"};
  persona.voice.tone = "playful, warm";
  persona.boundaries = {
      {Platform::kX, {Rating::kSfw, Rating::kSuggestive}, {}},
      {Platform::kFanvue, {Rating::kSfw, Rating::kSuggestive, Rating::kExplicit}, {"lingerie"}}};
  fill_default_disclosures(persona);
  return persona;
}

std::vector<std::string> fields(const std::vector<FieldProblem>& problems) {
  std::vector<std::string> out;
  for (const auto& problem : problems) out.push_back(problem.field);
  return out;
}

TEST(PersonaRules, AWellFormedPersonaHasNoProblem) {
  EXPECT_TRUE(validate_persona(valid_persona()).empty());
}

TEST(PersonaRules, EveryBrokenFieldIsNamed) {
  Persona persona = valid_persona();
  persona.display_name = "  ";
  persona.handles[Platform::kInstagram] = "@luna";
  persona.timezone = "../etc/passwd";
  persona.languages = {"French"};
  persona.voice.vocabulary = {"darling", "darling"};
  persona.boundaries.push_back({Platform::kX, {}, {}});
  persona.disclosures[Platform::kReddit] = "";
  persona.llm.temperature = 3.5;
  persona.llm.context_size = 100;
  persona.bio = std::string(2'001, 'b');
  EXPECT_EQ(fields(validate_persona(persona)),
            (std::vector<std::string>{"display_name", "handles.instagram", "bio", "timezone", "languages[0]",
                                      "voice.vocabulary[1]", "boundaries[2].platform",
                                      "boundaries[2].allowed_ratings", "disclosures.reddit",
                                      "llm.temperature", "llm.context_size"}));
}

TEST(PersonaRules, LengthsCountCharactersNotBytes) {
  Persona persona = valid_persona();
  std::string name;
  for (int i = 0; i < 100; ++i) name += "é";  // 200 bytes, 100 characters
  persona.display_name = name;
  EXPECT_TRUE(validate_persona(persona).empty());
  persona.display_name += "é";
  EXPECT_EQ(fields(validate_persona(persona)), std::vector<std::string>{"display_name"});
  persona.display_name = "bad\xff";
  EXPECT_EQ(validate_persona(persona).front().message, "must be valid UTF-8");
}

TEST(PersonaRules, DisclosuresCannotBeSwitchedOff) {
  Persona persona;
  persona.disclosures[Platform::kX] = "  ";
  persona.disclosures[Platform::kFanvue] = "Custom AI label";
  fill_default_disclosures(persona);
  EXPECT_EQ(persona.disclosures.size(), std::size(kAllPlatforms));
  EXPECT_EQ(persona.disclosures[Platform::kX], default_disclosures()[Platform::kX]);
  EXPECT_EQ(persona.disclosures[Platform::kFanvue], "Custom AI label");
}

TEST(PersonaRules, AFictionalPersonaNeedsTheAttestation) {
  Persona persona = valid_persona();
  ASSERT_TRUE(activation_blocker(persona, kNow));
  EXPECT_NE(activation_blocker(persona, kNow)->find("attestation"), std::string::npos);
  persona.attestation = FictionalAttestation{"u1", kNow, std::string(kFictionalAttestationText)};
  EXPECT_FALSE(activation_blocker(persona, kNow));
}

TEST(PersonaRules, ARealAdultNeedsAValidConsentWithItsDocument) {
  Persona persona = valid_persona();
  persona.kind = PersonaKind::kRealAdultWithConsent;
  persona.attestation = FictionalAttestation{"u1", kNow, "irrelevant for a real person"};
  EXPECT_NE(activation_blocker(persona, kNow)->find("consent"), std::string::npos);
  persona.consent = ConsentRecord{"Jane Doe", kNow - 1000, "images on Fanvue", "", std::nullopt, "u1", kNow};
  EXPECT_NE(activation_blocker(persona, kNow)->find("document"), std::string::npos);
  persona.consent->document_media_id = "m1";
  EXPECT_FALSE(activation_blocker(persona, kNow));
  persona.consent->expires_at_unix_ms = kNow;
  EXPECT_NE(activation_blocker(persona, kNow)->find("expired"), std::string::npos);
  persona.consent->expires_at_unix_ms = kNow + 1;
  EXPECT_FALSE(activation_blocker(persona, kNow));
}

TEST(PersonaRules, NoTextMaySuggestAMinorWhateverTheKind) {
  Persona persona = valid_persona();
  persona.attestation = FictionalAttestation{"u1", kNow, std::string(kFictionalAttestationText)};
  persona.character.lorebook = Lorebook{};
  persona.character.lorebook->entries.push_back(LorebookEntry{});
  persona.character.lorebook->entries[0].content = "Her little sister is 15 years old.";
  const auto blocker = activation_blocker(persona, kNow);
  ASSERT_TRUE(blocker);
  EXPECT_NE(blocker->find("character.lorebook.entries[0].content"), std::string::npos) << *blocker;
  EXPECT_NE(blocker->find("15 years old"), std::string::npos);
  persona.character.lorebook->entries[0].content = "Her sister is 29.";
  persona.bio = "schoolgirl vibes";
  EXPECT_NE(activation_blocker(persona, kNow)->find("bio"), std::string::npos);
}

TEST(PersonaRules, BoundariesDecideWhatGoesWhere) {
  const Persona persona = valid_persona();
  EXPECT_TRUE(destination_allows(persona, Platform::kX, Rating::kSuggestive, "feet"));
  EXPECT_FALSE(destination_allows(persona, Platform::kX, Rating::kExplicit, "feet"));
  EXPECT_TRUE(destination_allows(persona, Platform::kFanvue, Rating::kExplicit, "lingerie"));
  EXPECT_FALSE(destination_allows(persona, Platform::kFanvue, Rating::kExplicit, "feet"));
  EXPECT_FALSE(destination_allows(persona, Platform::kInstagram, Rating::kSfw, "portrait"));  // no boundary
}

TEST(PersonaRules, DisplayNameKeysIgnoreCaseAndSpaces) {
  EXPECT_EQ(display_name_key("  Luna Vale "), "luna vale");
  EXPECT_EQ(display_name_key("LUNA VALE"), display_name_key("luna vale"));
}

}  // namespace
}  // namespace personae

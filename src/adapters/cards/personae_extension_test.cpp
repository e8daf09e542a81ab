#include "adapters/cards/personae_extension.hpp"

#include <gtest/gtest.h>

#include "adapters/cards/card_json_reader.hpp"
#include "adapters/cards/card_test_support.hpp"

namespace personae::cards::detail {
namespace {

using nlohmann::json;

Persona read(const json& extension, std::vector<std::string>* warnings = nullptr) {
  Persona persona;
  std::vector<std::string> ignored;
  read_personae_extension(extension, "p", persona, warnings != nullptr ? *warnings : ignored);
  return persona;
}

TEST(PersonaeExtension, ReadsBackWhatItWrites) {
  const auto persona = testing::full_persona();
  auto expected = Persona{};
  expected.display_name = persona.display_name;
  const auto back = read(write_personae_extension(persona));
  EXPECT_EQ(back.kind, persona.kind);
  EXPECT_EQ(back.review_mode, persona.review_mode);
  EXPECT_EQ(back.handles, persona.handles);
  EXPECT_EQ(back.bio, persona.bio);
  EXPECT_EQ(back.timezone, persona.timezone);
  EXPECT_EQ(back.languages, persona.languages);
  EXPECT_EQ(back.voice, persona.voice);
  EXPECT_EQ(back.boundaries, persona.boundaries);
  EXPECT_EQ(back.disclosures, persona.disclosures);
  EXPECT_EQ(back.visual.lora_name, persona.visual.lora_name);
  EXPECT_EQ(back.visual.trigger_words, persona.visual.trigger_words);
  EXPECT_TRUE(back.visual.reference_media_ids.empty());
  EXPECT_EQ(back.llm, persona.llm);
}

TEST(PersonaeExtension, AbsentKeysKeepThePersonaDefaults) {
  const auto persona = read({{"version", 1}, {"bio", "b"}});
  Persona expected;
  expected.bio = "b";
  EXPECT_EQ(persona, expected);
}

TEST(PersonaeExtension, LeavesUnsetLlmNumbersOut) {
  const auto extension = write_personae_extension(Persona{});
  EXPECT_EQ(extension["llm"], json::parse(R"({"provider":"","model":""})"));
  EXPECT_FALSE(read(extension).llm.temperature);
  EXPECT_FALSE(read(extension).llm.context_size);
}

TEST(PersonaeExtension, ReturnsCardV3ForTheCallerToLift) {
  Persona persona;
  std::vector<std::string> warnings;
  const auto card_v3 =
      read_personae_extension({{"version", 1}, {"card_v3", {{"nickname", "N"}}}}, "p", persona, warnings);
  ASSERT_TRUE(card_v3);
  EXPECT_EQ((*card_v3)["nickname"], "N");
  EXPECT_FALSE(read_personae_extension({{"version", 1}}, "p", persona, warnings));
}

TEST(PersonaeExtension, RejectsWithThePath) {
  try {
    read({{"version", 1}, {"voice", {{"vocabulary", {"a", 3}}}}});
    FAIL() << "accepted";
  } catch (const CardRejected& rejected) {
    EXPECT_EQ(rejected.message, "p.voice.vocabulary[1]: expected a string");
  }
}

}  // namespace
}  // namespace personae::cards::detail

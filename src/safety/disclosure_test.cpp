#include "safety/disclosure.hpp"

#include <gtest/gtest.h>

#include "safety/safety_test_support.hpp"
#include "safety/utf8.hpp"

namespace personae::safety {
namespace {

using testing::occurrences;
using testing::open_persona;

// A function, not a global: a static std::string may throw before main.
std::string emoji() {
  return "\xF0\x9F\x92\x8B";  // 💋
}

TEST(Disclosure, UsesThePersonasLabelOrTheDefault) {
  Persona persona = open_persona();
  persona.disclosures[Platform::kX] = "Made with AI \xF0\x9F\xA4\x96";
  persona.disclosures[Platform::kInstagram] = "   ";
  persona.disclosures.erase(Platform::kReddit);
  persona.disclosures[Platform::kFanvue] = "AI\r\ncreator";
  EXPECT_EQ(disclosure_for(persona, Platform::kX), "Made with AI \xF0\x9F\xA4\x96");
  EXPECT_EQ(disclosure_for(persona, Platform::kInstagram), default_disclosures().at(Platform::kInstagram));
  EXPECT_EQ(disclosure_for(persona, Platform::kReddit), default_disclosures().at(Platform::kReddit));
  EXPECT_EQ(disclosure_for(persona, Platform::kFanvue), "AI creator");
}

TEST(Disclosure, LabelIsFoundCaseInsensitively) {
  EXPECT_TRUE(contains_label("hi\n\n#ai made WITH ai", "#AI Made with AI"));
  EXPECT_FALSE(contains_label("hi #A I", "#AI"));
  EXPECT_TRUE(contains_label("anything", ""));
}

TEST(Disclosure, AppendsTheLabelOnceAfterABlankLine) {
  const auto labelled = attach_label("Hello there", "#ai", LabelField::kText, Platform::kInstagram, 2'200);
  EXPECT_EQ(labelled.text, "Hello there\n\n#ai");
  EXPECT_TRUE(labelled.appended);
  EXPECT_FALSE(labelled.shortened);
  const auto again = attach_label(labelled.text, "#ai", LabelField::kText, Platform::kInstagram, 2'200);
  EXPECT_EQ(again.text, labelled.text);
  EXPECT_FALSE(again.appended);
  EXPECT_EQ(attach_label("", "#ai", LabelField::kText, Platform::kX, 280).text, "#ai");
  EXPECT_EQ(attach_label("Title", "[AI]", LabelField::kTitle, Platform::kReddit, 300).text, "Title [AI]");
}

TEST(Disclosure, ShortensTheBodyAtAWordBoundaryNeverTheLabel) {
  const std::string label = "#AI Made with AI: a virtual creator.";
  std::string body;
  for (int i = 0; i < 100; ++i) body += "word" + emoji() + " ";
  const auto labelled = attach_label(body, label, LabelField::kText, Platform::kX, 280);
  EXPECT_TRUE(labelled.appended);
  EXPECT_TRUE(labelled.shortened);
  EXPECT_TRUE(labelled.fits);
  EXPECT_LE(x_weighted_length(labelled.text), 280U);
  EXPECT_EQ(occurrences(labelled.text, label), 1U);
  const std::string suffix = std::string(kEllipsis) + "\n\n" + label;
  ASSERT_GE(labelled.text.size(), suffix.size());
  EXPECT_EQ(labelled.text.substr(labelled.text.size() - suffix.size()), suffix);
  EXPECT_EQ(labelled.text.substr(labelled.text.size() - suffix.size() - emoji().size(), emoji().size()),
            emoji())
      << "cut after a whole word";
  // As long as the limit allows: one more word would not fit.
  EXPECT_GT(x_weighted_length(labelled.text) + 7, 280U);
}

TEST(Disclosure, LabelInsideATooLongTextMovesToTheEnd) {
  const std::string label = "#ai";
  const std::string body = "#AI " + std::string(2'000, 'x') + " end";
  const auto labelled = attach_label(body, label, LabelField::kText, Platform::kOnlyFans, 1'000);
  EXPECT_LE(utf8::count(labelled.text), 1'000U);
  EXPECT_EQ(occurrences(labelled.text, "#ai") + occurrences(labelled.text, "#AI"), 1U);
  EXPECT_EQ(labelled.text.substr(labelled.text.size() - 5), "\n\n#ai");
}

TEST(Disclosure, ALabelLongerThanTheLimitIsReportedNotCut) {
  const std::string label(400, 'L');
  const auto labelled = attach_label("body", label, LabelField::kTitle, Platform::kReddit, 300);
  EXPECT_FALSE(labelled.fits);
  EXPECT_EQ(labelled.text, label);
}

TEST(Disclosure, ExactlyOnceAndWithinLimitsOnEveryPlatform) {
  const Persona persona = open_persona();
  std::string body;
  for (int i = 0; i < 3'000; ++i) body += "mot\xC3\xA9 " + emoji() + " ";
  for (const Platform platform : kAllPlatforms) {
    const auto& rules = platform_rules(platform);
    const std::size_t limit = rules.label_field == LabelField::kTitle ? rules.max_title : rules.max_text;
    const std::string label = disclosure_for(persona, platform);
    const auto labelled = attach_label(body, label, rules.label_field, platform, limit);
    EXPECT_TRUE(labelled.fits) << to_string(platform);
    EXPECT_TRUE(labelled.shortened) << to_string(platform);
    EXPECT_LE(measure_text(platform, labelled.text), limit) << to_string(platform);
    EXPECT_EQ(occurrences(labelled.text, label), 1U) << to_string(platform);
    EXPECT_EQ(labelled.text.substr(labelled.text.size() - label.size()), label) << to_string(platform);
    EXPECT_TRUE(utf8::count(labelled.text) > 0);
  }
}

TEST(Disclosure, ShortenCutsInsideAWordOnlyWhenItMust) {
  auto fits_in = [](std::size_t n) {
    return [n](std::string_view candidate) { return utf8::count(candidate) <= n; };
  };
  EXPECT_EQ(shorten_to_fit("short", fits_in(10)), "short");
  EXPECT_EQ(shorten_to_fit("one two, three", fits_in(10)), "one two\xE2\x80\xA6");
  EXPECT_EQ(shorten_to_fit("abcdefghijkl", fits_in(5)), "abcd\xE2\x80\xA6");
  // An emoji with a skin tone is never split from its modifier.
  const std::string thumbs = "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD";
  EXPECT_EQ(shorten_to_fit("ab" + thumbs + "cd", fits_in(4)), "ab\xE2\x80\xA6");
  EXPECT_EQ(shorten_to_fit("abc", fits_in(0)), "");
  EXPECT_EQ(shorten_to_fit("abc", [](std::string_view) { return false; }), std::nullopt);
}

}  // namespace
}  // namespace personae::safety

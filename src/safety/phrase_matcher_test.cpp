#include "safety/phrase_matcher.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace personae::safety {
namespace {

std::vector<std::string> matches(const PhraseMatcher& matcher, const std::string& text) {
  const FoldedText folded(text);
  std::vector<std::string> out;
  for (const auto& match : matcher.find_all(folded))
    out.push_back(text.substr(match.begin, match.end - match.begin));
  return out;
}

PhraseMatcher matcher_of(std::vector<std::string> phrases) {
  return PhraseMatcher(std::span<const std::string>(phrases));
}

TEST(PhraseMatcher, MatchesWholeWordsOnly) {
  const auto matcher = matcher_of({"rape", "sex"});
  for (const char* text :
       {"grape juice", "therapist", "drapes", "Essex", "sexy", "Sussex", "unisex", "rapeseed"}) {
    EXPECT_TRUE(matches(matcher, text).empty()) << text;
  }
  EXPECT_EQ(matches(matcher, "RAPE!"), std::vector<std::string>{"RAPE"});
  EXPECT_EQ(matches(matcher, "no sex."), std::vector<std::string>{"sex"});
  EXPECT_EQ(matches(matcher, "\xF0\x9F\x98\x88sex\xF0\x9F\x98\x88"), std::vector<std::string>{"sex"});
}

TEST(PhraseMatcher, PhrasesMatchAcrossSeparatorsAndWrittenTogether) {
  const auto matcher = matcher_of({"hidden camera"});
  for (const char* text : {"hidden camera", "Hidden-Camera", "hidden_camera", "#HiddenCamera",
                           "hidden   camera", "hidden\ncamera", "hidden \xE2\x80\x93 camera"}) {
    EXPECT_EQ(matches(matcher, text).size(), 1U) << text;
  }
  for (const char* text : {"hidden, camera", "hidden cameras", "hidden. Camera", "hiddencameras"}) {
    EXPECT_TRUE(matches(matcher, text).empty()) << text;
  }
}

TEST(PhraseMatcher, IsCaseAndAccentInsensitive) {
  const auto matcher =
      matcher_of({"cam\xC3\xA9ra cach\xC3\xA9"
                  "e"});
  EXPECT_EQ(matches(matcher, "Oh, une CAMERA CACHEE !"), std::vector<std::string>{"CAMERA CACHEE"});
  EXPECT_EQ(matches(matcher,
                    "une Cam\xC3\xA9ra-Cach\xC3\xA9"
                    "e ici"),
            std::vector<std::string>{"Cam\xC3\xA9ra-Cach\xC3\xA9"
                                     "e"});
  const auto plain = matcher_of({"creme"});
  EXPECT_EQ(matches(plain,
                    "CR\xC3\x88ME br\xC3\xBBl\xC3\xA9"
                    "e"),
            std::vector<std::string>{"CR\xC3\x88ME"});
}

TEST(PhraseMatcher, PrefersTheLongestPhraseAndDoesNotOverlap) {
  const auto matcher = matcher_of({"hidden", "hidden camera", "camera"});
  const FoldedText folded("a hidden camera here, a camera there, hidden");
  const auto found = matcher.find_all(folded);
  ASSERT_EQ(found.size(), 3U);
  EXPECT_EQ(matcher.phrase(found[0].phrase), "hidden camera");
  EXPECT_EQ(matcher.phrase(found[1].phrase), "camera");
  EXPECT_EQ(matcher.phrase(found[2].phrase), "hidden");
  EXPECT_EQ(matcher.find_all(folded, 1).size(), 1U);
}

TEST(PhraseMatcher, KeepsPunctuationThePhraseHasAndApostrophes) {
  const auto matcher = matcher_of({"Dr. Who", "didn't consent"});
  EXPECT_EQ(matches(matcher, "dr. who"), std::vector<std::string>{"dr. who"});
  EXPECT_EQ(matches(matcher, "dr who"), std::vector<std::string>{"dr who"});
  EXPECT_EQ(matches(matcher, "she didn\xE2\x80\x99t consent"),
            std::vector<std::string>{"didn\xE2\x80\x99t consent"});
}

TEST(PhraseMatcher, SkipsEmptyDuplicateAndOversizedPhrases) {
  const std::string huge(PhraseMatcher::kMaxPhraseBytes + 1, 'a');
  const auto matcher = matcher_of({"", "!!!", "Rape", "rape", "R\xC3\xA0pe", huge, "ok"});
  EXPECT_EQ(matcher.size(), 2U);
  EXPECT_EQ(matcher.phrase(0), "Rape");
  EXPECT_EQ(matcher.input_index(0), 2U);
  EXPECT_EQ(matcher.input_index(1), 6U);
  EXPECT_TRUE(PhraseMatcher().empty());
  EXPECT_TRUE(PhraseMatcher().find_all(FoldedText("rape")).empty());
}

TEST(PhraseMatcher, HandlesLargeListsAndTexts) {
  std::vector<std::string> phrases;
  phrases.reserve(5'000);
  for (int i = 0; i < 5'000; ++i) phrases.push_back("name" + std::to_string(i) + " surname");
  const auto matcher = matcher_of(phrases);
  std::string text;
  for (int i = 0; i < 40'000; ++i) text += "word ";
  text += "Name4999 Surname";
  const auto found = matches(matcher, text);
  EXPECT_EQ(found, std::vector<std::string>{"Name4999 Surname"});
  EXPECT_TRUE(matches(matcher, std::string(200'000, '\xFF')).empty());
}

}  // namespace
}  // namespace personae::safety

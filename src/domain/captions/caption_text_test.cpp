#include "domain/captions/caption_text.hpp"

#include <gtest/gtest.h>

namespace personae::captions {
namespace {

TEST(CaptionText, TidiesWhitespace) {
  EXPECT_EQ(tidy_multiline("  Hi \r\nthere\t you\r\n\r\n\r\n\r\nbye  "), "Hi\nthere  you\n\nbye");
  EXPECT_EQ(tidy_single_line(" a\r\n b\t\tc "), "a b c");
  EXPECT_EQ(tidy_multiline(" \n "), "");
}

TEST(CaptionText, SplitsAfterTheFirstSentence) {
  const auto split =
      split_first_sentence("Golden hour again! Who else loves sunsets? \xF0\x9F\x8C\x85", "en");
  EXPECT_EQ(split.first, "Golden hour again!");
  EXPECT_EQ(split.rest, "Who else loves sunsets? \xF0\x9F\x8C\x85");
  EXPECT_EQ(split_first_sentence("Wait... what?! Yes.", "en").first, "Wait...");
  EXPECT_EQ(split_first_sentence("He said \"stop.\" Then left.", "en").first, "He said \"stop.\"");
  EXPECT_EQ(split_first_sentence("One sentence only", "en").first, "One sentence only");
  EXPECT_EQ(split_first_sentence("One sentence only", "en").rest, "");
  EXPECT_EQ(split_first_sentence("First line\nsecond line. More", "en").first, "First line");
  EXPECT_EQ(split_first_sentence("Version 2.5 is out. Try it", "en").first, "Version 2.5 is out.");
  EXPECT_EQ(split_first_sentence("\xE4\xBB\x8A\xE6\x97\xA5\xE3\x80\x82\xE6\x98\x8E", "ja").first,
            "\xE4\xBB\x8A\xE6\x97\xA5\xE3\x80\x82");
}

TEST(CaptionText, AbbreviationsDependOnTheLanguage) {
  EXPECT_EQ(split_first_sentence("Dinner with Mr. Smith tonight. Wish me luck", "en").first,
            "Dinner with Mr. Smith tonight.");
  EXPECT_EQ(split_first_sentence("Coffee e.g. espresso. Yum", "en-GB").first, "Coffee e.g. espresso.");
  EXPECT_EQ(split_first_sentence("Avec M. Dupont et Mme. Durand. Super", "fr").first,
            "Avec M. Dupont et Mme. Durand.");
  // "Mme." is not an English abbreviation.
  EXPECT_EQ(split_first_sentence("Avec Mme. Durand. Super", "en").first, "Avec Mme.");
  EXPECT_EQ(split_first_sentence("Photo by J. Doe. Nice", "en").first, "Photo by J. Doe.");
}

TEST(CaptionText, FrenchSpacingBeforePunctuation) {
  const auto split = split_first_sentence("Coucou ! Tu viens ce soir ?", "fr-FR");
  EXPECT_EQ(split.first, "Coucou !");
  EXPECT_EQ(split.rest, "Tu viens ce soir ?");
}

TEST(CaptionText, HostileInput) {
  EXPECT_EQ(split_first_sentence("", "en").first, "");
  EXPECT_EQ(split_first_sentence("\xFF\xFE.", "").first, "\xFF\xFE.");
  const std::string dots(100'000, '.');
  EXPECT_EQ(split_first_sentence(dots + " x", "en").rest, "x");
}

}  // namespace
}  // namespace personae::captions

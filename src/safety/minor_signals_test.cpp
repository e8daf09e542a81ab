#include "safety/minor_signals.hpp"

#include <gtest/gtest.h>

namespace personae::safety {
namespace {

bool flags(std::string_view text) {
  return !find_minor_signals(text).empty();
}

TEST(MinorSignals, StatedAgesUnder18AreFlaggedInEnglishAndFrench) {
  for (const char* text : {"She is 16 years old.", "a 17yo gamer", "15-year-old", "just turned 17 y/o",
                           "Age: 16", "aged 14", "J'ai 16 ans et je", "âge : 15", "16 YEARS OLD"}) {
    EXPECT_TRUE(flags(text)) << text;
  }
  const auto signals = find_minor_signals("Hi! I'm 16 years old and love cats");
  ASSERT_EQ(signals.size(), 1U);
  EXPECT_EQ(signals[0].phrase, "16 years old");
  EXPECT_EQ(signals[0].reason, "states an age under 18");
}

TEST(MinorSignals, AdultAgesAndDurationsAreNot) {
  for (const char* text : {"She is 24 years old.", "a 19yo student of art", "Age: 30", "aged 45",
                           "J'ai 25 ans", "modelling for 15 years", "10 ans d'expérience", "10 ans de métier",
                           "Born in 1999", "top 10 looks", "I'm 5'7\" tall"}) {
    EXPECT_FALSE(flags(text)) << text;
  }
}

TEST(MinorSignals, TermsForMinorsAreFlaggedAsWholeWords) {
  for (const char* text :
       {"naughty schoolgirl outfit", "Teen fantasy", "barely legal", "barely-legal", "underage",
        "not a minor at all", "une lycéenne", "petite ado", "LOLI style", "high school student"}) {
    EXPECT_TRUE(flags(text)) << text;
  }
  for (const char* text : {"just kidding", "Minority Report fan", "childhood memories", "steen", "teenyweeny",
                           "adorable", "minor details", "canteen", "a grown woman of 32"}) {
    EXPECT_FALSE(flags(text)) << text;
  }
}

TEST(MinorSignals, LongAndHostileInputIsHandled) {
  std::string big(200'000, 'a');
  big += " 16 years old";
  EXPECT_TRUE(flags(big));
  EXPECT_FALSE(flags(std::string(100'000, '9')));
  EXPECT_FALSE(flags(std::string("\xff\xfe 16 \x80")));
  EXPECT_FALSE(flags(""));
}

}  // namespace
}  // namespace personae::safety

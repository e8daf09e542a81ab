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

TEST(MinorSignals, CaseAccentsAndOddSpacesAreFolded) {
  for (const char* text : {"LYCÉENNE en uniforme", "une Écolière", "COLLÉGIENNE",
                           "Lyce\xCC\x81"
                           "enne",
                           "TEEN", "Barely\xC2\xA0Legal", "school\xE2\x80\x91girl", "ＴＥＥＮ"}) {
    EXPECT_TRUE(flags(text)) << text;
  }
  const auto signals = find_minor_signals("Salut, LYCÉENNE ici");
  ASSERT_EQ(signals.size(), 1U);
  EXPECT_EQ(signals[0].phrase, "LYCÉENNE") << "the phrase as written";
  EXPECT_EQ(signals[0].reason, "a term for a minor or a school child");
  // Stated ages read the folded text too: fullwidth digits, non-breaking spaces and hyphens.
  for (const char* text : {"１６ years old",
                           "16\xC2\xA0"
                           "ans",
                           "15\xE2\x80\x91year\xE2\x80\x91old", "ÂGE : 15"}) {
    EXPECT_TRUE(flags(text)) << text;
  }
}

TEST(MinorSignals, CompoundHashtagsAreFlagged) {
  for (const char* text :
       {"#barelylegal",     "#BarelyLegal",   "#BARELYLEGAL",  "#schoolgirlfantasy",
        "#hotschoolgirl",   "#teenslut",      "#hotteen",      "#HotTeen",
        "#petiteado",       "#PetiteAdo",     "#sexyteens18",  "#teen18",
        "#18teen",          "#underagegirls", "#jailbaitpics", "#preteenmodel",
        "#lolicon",         "#childporn",     "#hotteengirl",  "#MySchoolgirlDiary",
        "#écolièrecoquine", "#lycéennesexy",  "#lolistyle",    "new set #teenslut tonight"}) {
    EXPECT_TRUE(flags(text)) << text;
  }
  const auto signals = find_minor_signals("Night out #schoolgirlfantasy #beach");
  ASSERT_EQ(signals.size(), 1U);
  EXPECT_EQ(signals[0].phrase, "#schoolgirlfantasy");
  EXPECT_EQ(signals[0].reason, "a term for a minor or a school child");
  // A whole-word match inside a hashtag is reported once, as the words.
  const auto whole = find_minor_signals("#teen");
  ASSERT_EQ(whole.size(), 1U);
  EXPECT_EQ(whole[0].phrase, "teen");
  // The phrase stays short and whole UTF-8.
  const auto longer = find_minor_signals("#schoolgirl" + std::string(80, 'x') + "é");
  ASSERT_EQ(longer.size(), 1U);
  EXPECT_LE(longer[0].phrase.size(), 60U);
  EXPECT_EQ(longer[0].phrase.rfind("#schoolgirl", 0), 0U);
}

TEST(MinorSignals, HashtagsThatOnlyContainAShortTermAreNot) {
  // Short terms ("teen", "ado", "child", "minor", "tween", "loli") start or end innocent words:
  // they count inside a hashtag only next to words of the adult-hashtag list.
  for (const char* text :
       {"#canteen",  "#adorable", "#childfree", "#minority",  "#steen",     "#teenyweeny",     "#between",
        "#avocado",  "#tornado",  "#childhood", "#lolipop",   "#seventeen", "#minorityreport", "#childlike",
        "#teenwolf", "#adopt",    "#colorado",  "#inbetween", "#canteens",  "#amado",          "#adobo"}) {
    EXPECT_FALSE(flags(text)) << text;
  }
  // Plain words around a hashtag change nothing; a '#' alone is no hashtag.
  EXPECT_FALSE(flags("# canteen # adorable ##"));
}

TEST(MinorSignals, LongAndHostileInputIsHandled) {
  std::string big(200'000, 'a');
  big += " 16 years old";
  EXPECT_TRUE(flags(big));
  EXPECT_FALSE(flags(std::string(100'000, '9')));
  EXPECT_FALSE(flags(std::string("\xff\xfe 16 \x80")));
  EXPECT_FALSE(flags(""));
  EXPECT_TRUE(flags("#" + std::string(100'000, 'z') + "schoolgirl"));
  EXPECT_FALSE(flags("#" + std::string(100'000, 'z') + "teen"));
  std::string tags;
  for (int i = 0; i < 5'000; ++i) tags += "#adoadoadoado ";
  EXPECT_FALSE(flags(tags));
}

}  // namespace
}  // namespace personae::safety

#include "safety/text_folding.hpp"

#include <gtest/gtest.h>

namespace personae::safety {
namespace {

TEST(TextFolding, LowercasesAndRemovesLatinAccents) {
  EXPECT_EQ(fold("ÉCOLE Ça Œuvre Straße Łódź Ærø"), "ecole ca oeuvre strasse lodz aero");
  EXPECT_EQ(fold("caméra cachée"), "camera cachee");
  EXPECT_EQ(fold("e\xCC\x81t\xC3\xA9"), "ete");  // decomposed é, then precomposed é
  EXPECT_EQ(fold("\xEF\xBC\xB2\xEF\xBC\xA1\xEF\xBC\xB0\xEF\xBC\xA5"), "rape");  // fullwidth RAPE
}

TEST(TextFolding, DropsInvisibleCharactersAndNormalisesPunctuation) {
  EXPECT_EQ(fold("ra\xE2\x80\x8Bpe"), "rape");   // zero-width space
  EXPECT_EQ(fold("ra\xC2\xADpe"), "rape");       // soft hyphen
  EXPECT_EQ(fold("don\xE2\x80\x99t"), "don't");  // typographic apostrophe
  EXPECT_EQ(fold("non\xE2\x80\x91"
                 "con"),
            "non-con");  // non-breaking hyphen
  EXPECT_EQ(fold("a\xC2\xA0"
                 "b\tc\nd"),
            "a b c d");                                    // no-break space, tab, newline
  EXPECT_EQ(fold("hi\xF0\x9F\x98\x88there"), "hi there");  // emoji become spaces
  EXPECT_EQ(fold("\xFF\xFE"
                 "ok"),
            "  ok");  // invalid bytes become spaces
}

TEST(TextFolding, FindsWordsAndMapsThemBackToTheOriginal) {
  const std::string text = "H\xC3\xA9llo, w\xC3\xB6rld! \xE4\xB8\xAD\xE6\x96\x87 x_y";
  const FoldedText folded(text);
  ASSERT_EQ(folded.words().size(), 5U);
  EXPECT_EQ(folded.word(0), "hello");
  EXPECT_EQ(folded.word(1), "world");
  EXPECT_EQ(folded.word(2), "\xE4\xB8\xAD\xE6\x96\x87");  // CJK letters stay, as one word
  EXPECT_EQ(folded.word(3), "x");
  EXPECT_EQ(folded.word(4), "y");
  const auto [begin, end] = folded.original_range(folded.words()[1].begin, folded.words()[1].end);
  EXPECT_EQ(text.substr(begin, end - begin), "w\xC3\xB6rld");
  const FoldedText strasse(
      "Stra\xC3\x9F"
      "e");
  const auto [b, e] = strasse.original_range(strasse.words()[0].begin, strasse.words()[0].end);
  EXPECT_EQ(b, 0U);
  EXPECT_EQ(e, 7U);
}

TEST(TextFolding, FoldWordsIgnoresSpacingAndPunctuation) {
  EXPECT_EQ(fold_words("  Jane-DOE "), "jane doe");
  EXPECT_EQ(fold_words("jane   doe"), "jane doe");
  EXPECT_EQ(fold_words("J\xC3\xA4ne Doe!"), "jane doe");
  EXPECT_EQ(fold_words("!!!"), "");
}

TEST(TextFolding, SplitsCompoundHashtagsOnly) {
  EXPECT_EQ(split_hashtag_words("so #HotTeen18 in CamelCase"), "so #Hot Teen 18 in CamelCase");
  EXPECT_EQ(split_hashtag_words("BarelyLegal", true), "Barely Legal");
  EXPECT_EQ(split_hashtag_words("#HTMLParser #17yo", false), "#HTML Parser #17 yo");
  EXPECT_EQ(split_hashtag_words("#sunset_vibes ok", false), "#sunset_vibes ok");
  EXPECT_EQ(split_hashtag_words("", true), "");
}

TEST(TextFolding, TellsLettersFromSymbols) {
  EXPECT_TRUE(is_letter(U'\u00E9'));
  EXPECT_TRUE(is_letter(U'\u4E2D'));
  EXPECT_TRUE(is_letter(U'\u0436'));
  EXPECT_FALSE(is_letter(U'\u00D7'));
  EXPECT_FALSE(is_letter(U'\U0001F608'));
  EXPECT_FALSE(is_letter(U'\u2026'));
}

TEST(TextFolding, HostileInputIsHandled) {
  std::string hostile(200'000, '\0');
  hostile += "\xC3";  // truncated sequence at the end
  const FoldedText folded(hostile);
  EXPECT_TRUE(folded.words().empty());
  EXPECT_EQ(folded.folded().size(), hostile.size());
}

}  // namespace
}  // namespace personae::safety

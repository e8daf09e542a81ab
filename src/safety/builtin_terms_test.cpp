#include "safety/builtin_terms.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "safety/phrase_matcher.hpp"

namespace personae::safety {
namespace {

std::vector<BuiltinHit> hits(const std::string& text, bool sexual_context = false) {
  return find_builtin_terms(FoldedText(text), sexual_context);
}

TEST(BuiltinTerms, BlocksNonConsentInEnglishAndFrench) {
  for (const char* text : {"a rape fantasy", "non-consensual", "nonconsensual", "CNC play",
                           "without her consent", "against my will", "hidden camera pics", "#SpyCam",
                           "revenge porn", "#revengeporn", "upskirt", "une caméra cachée", "CAMERA CACHEE",
                           "elle a été violée", "sans consentement", "contre son gr\xC3\xA9", "roofies"}) {
    const auto found = hits(text);
    ASSERT_FALSE(found.empty()) << text;
    EXPECT_EQ(found.front().term->verdict, Verdict::kBlock) << text;
    EXPECT_EQ(rule_id(found.front().term->list), "consent.builtin") << text;
  }
}

TEST(BuiltinTerms, BlocksOtherIllegalContent) {
  for (const char* text : {"bestiality", "zoophilie", "incest", "Inceste", "necrophilia", "snuff film"}) {
    const auto found = hits(text);
    ASSERT_FALSE(found.empty()) << text;
    EXPECT_EQ(found.front().term->verdict, Verdict::kBlock) << text;
    EXPECT_EQ(rule_id(found.front().term->list), "illegal.builtin") << text;
  }
}

TEST(BuiltinTerms, AmbiguousWordsAskForReview) {
  for (const char* text :
       {"leaked pics", "my step-sis", "#StepMom", "drugged", "voyeur vibes", "demi-s\xC5\x93ur"}) {
    const auto found = hits(text);
    ASSERT_EQ(found.size(), 1U) << text;
    EXPECT_EQ(found.front().term->verdict, Verdict::kNeedsReview) << text;
  }
}

TEST(BuiltinTerms, IncapacityAndForceCountOnlyInSexualContext) {
  for (const char* text :
       {"fell asleep on the couch", "passed out after the gym", "forced smile", "endormie"}) {
    EXPECT_TRUE(hits(text, false).empty()) << text;
    const auto found = hits(text, true);
    ASSERT_EQ(found.size(), 1U) << text;
    EXPECT_EQ(found.front().term->verdict, Verdict::kNeedsReview);
    EXPECT_TRUE(found.front().term->sexual_context_only);
  }
}

TEST(BuiltinTerms, InnocentWordsAreNotFlagged) {
  for (const char* text : {"grape", "therapist", "drapes", "violet", "violin", "violence", "Essex",
                           "leakproof", "forcefully", "stepping stone", "one step, son", "sleeping in",
                           "drunk on love", "viola", "forc\xC3\xA9", "la force", "snuff"}) {
    EXPECT_TRUE(hits(text, true).empty()) << text;
  }
}

TEST(BuiltinTerms, SexualContextWords) {
  EXPECT_TRUE(has_sexual_context(FoldedText("naked and horny")));
  EXPECT_TRUE(has_sexual_context(FoldedText("toute NUE")));
  EXPECT_FALSE(has_sexual_context(FoldedText("#SexyTime")));  // one word until split_hashtag_words
  EXPECT_FALSE(has_sexual_context(FoldedText("good morning, coffee time")));
  EXPECT_FALSE(has_sexual_context(FoldedText("Essex and Sussex")));
}

TEST(BuiltinTerms, EveryEntryIsOneDistinctPhrase) {
  std::set<std::string> keys;
  for (const auto& term : builtin_terms()) {
    const std::string phrase(term.phrase);
    EXPECT_EQ(PhraseMatcher(std::span<const std::string>(&phrase, 1)).size(), 1U) << phrase;
    EXPECT_TRUE(keys.insert(fold_words(term.phrase)).second) << "listed twice once folded: " << phrase;
    EXPECT_FALSE(term.why.empty()) << phrase;
    EXPECT_EQ(hits(phrase, true).size(), 1U) << "does not match itself: " << phrase;
  }
}

TEST(BuiltinTerms, CapsHits) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "rape ";
  EXPECT_EQ(find_builtin_terms(FoldedText(text), false, 5).size(), 5U);
}

}  // namespace
}  // namespace personae::safety

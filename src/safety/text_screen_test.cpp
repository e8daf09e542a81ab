#include "safety/text_screen.hpp"

#include <gtest/gtest.h>

#include "safety/safety_test_support.hpp"

namespace personae::safety {
namespace {

using testing::open_persona;

std::vector<std::string> rules_of(const std::vector<Finding>& findings) {
  std::vector<std::string> rules;
  rules.reserve(findings.size());
  for (const auto& f : findings) rules.push_back(f.rule);
  return rules;
}

class TextScreenTest : public ::testing::Test {
 protected:
  Persona persona_ = open_persona();
  std::vector<std::string> terms_ = {"cr\xC3\xA8me", "bad phrase"};
  std::vector<std::string> names_ = {"Taylor Swift", "Jane Doe"};
  std::vector<std::string> tags_ = {"#BannedTag", "forbidden_tag"};
  TenantSafetyLists lists_{terms_, names_, tags_};
};

TEST_F(TextScreenTest, CleanTextHasNoFindings) {
  const TextScreen screen(persona_, lists_, true, 0);
  EXPECT_TRUE(screen.screen("text", "Sunset by the sea, feeling cute \xF0\x9F\x8C\x85 #beach").empty());
}

TEST_F(TextScreenTest, MinorsAreBlockedIncludingInCompoundHashtags) {
  const TextScreen screen(persona_, lists_, false, 0);
  for (const char* text : {"I am 17 years old", "#HotTeen vibes", "une lycéenne", "16\xC2\xA0years old",
                           "16\xE2\x80\x91year\xE2\x80\x91old"}) {
    const auto findings = screen.screen("text", text);
    ASSERT_FALSE(findings.empty()) << text;
    EXPECT_EQ(findings.front().rule, "minors.builtin") << text;
    EXPECT_EQ(findings.front().verdict, Verdict::kBlock) << text;
    EXPECT_EQ(findings.front().field, "text");
  }
  EXPECT_EQ(rules_of(screen.screen("hashtags[0]", "BarelyLegal", true)),
            std::vector<std::string>{"minors.builtin"});
  EXPECT_EQ(screen.screen("text", "I am 17 years old").size(), 1U) << "one finding for both forms";
  // A bare tag (a caption's hashtags field) is read as the hashtag it becomes.
  for (const char* tag : {"schoolgirlfantasy", "#teenslut", "hotteen", "LYCÉENNE"}) {
    EXPECT_EQ(rules_of(screen.screen("hashtags[0]", tag, true)), std::vector<std::string>{"minors.builtin"})
        << tag;
  }
  for (const char* tag : {"canteen", "adorable", "minority", "childfree"}) {
    EXPECT_TRUE(screen.screen("hashtags[0]", tag, true).empty()) << tag;
  }
}

TEST_F(TextScreenTest, TenantTermsAreWholeWordAndAccentInsensitive) {
  const TextScreen screen(persona_, lists_, false, 0);
  const auto findings = screen.screen("text", "Some CREME and a Bad-Phrase here");
  EXPECT_EQ(rules_of(findings), (std::vector<std::string>{"terms.tenant", "terms.tenant"}));
  EXPECT_EQ(findings[0].matched, "CREME");
  EXPECT_EQ(findings[1].matched, "Bad-Phrase");
  EXPECT_TRUE(screen.screen("text", "cremes and badphrases").empty());
}

TEST_F(TextScreenTest, RealPeopleAreBlockedUnlessTheyAreTheConsentingSubject) {
  const TextScreen fictional(persona_, lists_, false, 0);
  EXPECT_EQ(rules_of(fictional.screen("text", "Dinner with taylor swift")),
            std::vector<std::string>{"names.real_person"});
  EXPECT_EQ(rules_of(fictional.screen("hashtags[0]", "#TaylorSwift", true)),
            std::vector<std::string>{"names.real_person"});

  Persona real = persona_;
  real.kind = PersonaKind::kRealAdultWithConsent;
  real.consent = ConsentRecord{"Jane  DOE", 1, "captions", "doc1", std::nullopt, "u1", 1};
  const TextScreen consenting(real, lists_, false, 1'000);
  EXPECT_TRUE(consenting.is_consent_subject("jane doe"));
  EXPECT_TRUE(consenting.screen("text", "Jane Doe here").empty());
  EXPECT_EQ(rules_of(consenting.screen("text", "Jane Doe with Taylor Swift")),
            std::vector<std::string>{"names.real_person"});

  real.consent->expires_at_unix_ms = 500;
  const TextScreen expired(real, lists_, false, 1'000);
  EXPECT_FALSE(expired.is_consent_subject("Jane Doe"));
  EXPECT_EQ(rules_of(expired.screen("text", "Jane Doe here")), std::vector<std::string>{"names.real_person"});

  real.consent->expires_at_unix_ms.reset();
  real.consent->document_media_id.clear();
  EXPECT_FALSE(TextScreen(real, lists_, false, 1'000).is_consent_subject("Jane Doe"));
}

TEST_F(TextScreenTest, PersonaBannedWordsAskForReview) {
  persona_.voice.banned_words = {"moist"};
  const TextScreen screen(persona_, lists_, false, 0);
  const auto findings = screen.screen("call_to_action", "So MOIST");
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings[0].rule, "terms.persona");
  EXPECT_EQ(findings[0].verdict, Verdict::kNeedsReview);
  EXPECT_EQ(findings[0].field, "call_to_action");
}

TEST_F(TextScreenTest, BannedHashtagsInTagsAndInline) {
  const TextScreen screen(persona_, lists_, false, 0);
  EXPECT_EQ(rules_of(screen.screen("hashtags[1]", "bannedtag", true)),
            std::vector<std::string>{"hashtags.tenant"});
  EXPECT_EQ(rules_of(screen.screen("hashtags[1]", "#Forbidden_Tag", true)),
            std::vector<std::string>{"hashtags.tenant"});
  const auto inline_tags = screen.screen("text", "hello #BANNEDTAG and #ok and forbiddentag");
  ASSERT_EQ(inline_tags.size(), 1U);
  EXPECT_EQ(inline_tags[0].matched, "#BANNEDTAG");
}

TEST_F(TextScreenTest, ContextOnlyTermsNeedSexualContext) {
  EXPECT_TRUE(TextScreen(persona_, lists_, false, 0).screen("text", "fell asleep").empty());
  EXPECT_EQ(rules_of(TextScreen(persona_, lists_, true, 0).screen("text", "fell asleep")),
            std::vector<std::string>{"consent.builtin"});
}

TEST_F(TextScreenTest, ReasonsQuoteShortPrintableExcerpts) {
  const TextScreen screen(persona_, lists_, false, 0);
  std::vector<std::string> long_terms = {std::string(150, 'a')};
  const TenantSafetyLists lists(long_terms, {}, {});
  const TextScreen long_screen(persona_, lists, false, 0);
  const auto findings = long_screen.screen("text", std::string(150, 'A'));
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_LE(findings[0].matched.size(), 43U);
  EXPECT_LT(findings[0].reason.size(), 200U);
}

}  // namespace
}  // namespace personae::safety

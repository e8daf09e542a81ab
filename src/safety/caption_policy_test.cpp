#include "safety/caption_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/text_encoding.hpp"
#include "safety/disclosure.hpp"
#include "safety/platform_rules.hpp"
#include "safety/safety_test_support.hpp"
#include "safety/utf8.hpp"

namespace personae::safety {
namespace {

using testing::occurrences;
using testing::open_persona;

const Finding* finding(const Decision& decision, std::string_view rule) {
  const auto found = std::find_if(decision.findings.begin(), decision.findings.end(),
                                  [&](const Finding& f) { return f.rule == rule; });
  return found == decision.findings.end() ? nullptr : &*found;
}

// The rules that asked for more than allow.
std::vector<std::string> concerns(const Decision& decision) {
  std::vector<std::string> rules;
  for (const auto& f : decision.findings) {
    if (f.verdict != Verdict::kAllow) rules.push_back(f.rule);
  }
  return rules;
}

class CaptionPolicyTest : public ::testing::Test {
 protected:
  Decision check() const { return check_caption(persona_, candidate_, lists_); }

  Persona persona_ = open_persona();
  CaptionCandidate candidate_ = [] {
    CaptionCandidate c;
    c.platform = Platform::kX;
    c.rating = Rating::kSuggestive;
    c.category = "lingerie";
    c.text = "Golden hour and a new set \xE2\x9C\xA8 Link in bio #sunset";
    c.hashtags = {"sunset"};
    c.call_to_action = "Link in bio";
    c.now_unix_ms = 1'000;
    return c;
  }();
  std::vector<std::string> terms_ = {"cheap",
                                     "cr\xC3\xA8me br\xC3\xBBl\xC3\xA9"
                                     "e"};
  std::vector<std::string> names_ = {"Taylor Swift"};
  std::vector<std::string> banned_tags_ = {"#leakedcontent", "freebie"};
  TenantSafetyLists lists_{terms_, names_, banned_tags_};
};

TEST_F(CaptionPolicyTest, ACleanCaptionIsAllowedWithTheLabelAppended) {
  const auto decision = check();
  EXPECT_EQ(decision.verdict, Verdict::kAllow);
  EXPECT_TRUE(concerns(decision).empty());
  const std::string label = disclosure_for(persona_, Platform::kX);
  EXPECT_EQ(decision.text, candidate_.text + "\n\n" + label);
  ASSERT_NE(finding(decision, "disclosure.appended"), nullptr);
  EXPECT_EQ(finding(decision, "disclosure.appended")->verdict, Verdict::kAllow);
  EXPECT_EQ(finding(decision, "disclosure.appended")->field, "text");
  EXPECT_FALSE(decision.shortened);
  EXPECT_TRUE(decision.mark_adult);
  EXPECT_TRUE(decision.title.empty());
}

TEST_F(CaptionPolicyTest, ALabelAlreadyThereIsNotAppendedAgain) {
  candidate_.text += "\n\n" + disclosure_for(persona_, Platform::kX);
  const auto decision = check();
  EXPECT_EQ(decision.text, candidate_.text);
  EXPECT_FALSE(decision.has("disclosure.appended"));
}

TEST_F(CaptionPolicyTest, EachTermRuleAlone) {
  struct Case {
    std::string text;
    std::string rule;
    Verdict verdict;
  };
  const std::vector<Case> cases = {
      {"Feeling like a schoolgirl today", "minors.builtin", Verdict::kBlock},
      {"j'ai 16 ans", "minors.builtin", Verdict::kBlock},
      {"my hidden camera collection", "consent.builtin", Verdict::kBlock},
      {"Une cam\xC3\xA9ra cach\xC3\xA9"
       "e",
       "consent.builtin", Verdict::kBlock},
      {"fresh leaked pics", "consent.builtin", Verdict::kNeedsReview},
      {"Je suis endormie", "consent.builtin", Verdict::kNeedsReview},  // suggestive: sexual context
      {"incest vibes", "illegal.builtin", Verdict::kBlock},
      {"cheap thrills", "terms.tenant", Verdict::kBlock},
      {"CREME BRULEE time", "terms.tenant", Verdict::kBlock},
      {"me and Taylor Swift", "names.real_person", Verdict::kBlock},
      {"new set #FreeBie", "hashtags.tenant", Verdict::kBlock},
      {"look <b>here", "output.markup", Verdict::kNeedsReview},
      {std::string("nul\0here", 8), "output.control", Verdict::kNeedsReview},
      {"bad \xFF byte", "output.encoding", Verdict::kNeedsReview},
  };
  for (const auto& c : cases) {
    candidate_.text = c.text;
    const auto decision = check();
    EXPECT_EQ(concerns(decision), std::vector<std::string>{c.rule}) << c.text;
    EXPECT_EQ(decision.verdict, c.verdict) << c.text;
    ASSERT_NE(finding(decision, c.rule), nullptr);
    EXPECT_EQ(finding(decision, c.rule)->field, "text") << c.text;
  }
}

TEST_F(CaptionPolicyTest, NoScunthorpeFalsePositives) {
  persona_.voice.banned_words = {"sex"};
  for (const char* text : {"grape season", "Essex girl", "my therapist says hi", "violet dress",
                           "Sussex sunsets", "drapes and candles", "a forc\xC3\xA9 smile"}) {
    candidate_.text = text;
    EXPECT_EQ(check().verdict, Verdict::kAllow) << text;
  }
}

TEST_F(CaptionPolicyTest, HashtagsAndCtaAreCheckedAndAttributedOnce) {
  candidate_.call_to_action = "Watch the revenge porn";
  candidate_.text = "New post. Watch the revenge porn";
  candidate_.hashtags = {"sunset", "HotTeen"};
  const auto decision = check();
  EXPECT_EQ(decision.verdict, Verdict::kBlock);
  EXPECT_EQ(concerns(decision), (std::vector<std::string>{"consent.builtin", "minors.builtin"}));
  EXPECT_EQ(finding(decision, "consent.builtin")->field, "call_to_action");
  EXPECT_EQ(finding(decision, "minors.builtin")->field, "hashtags[1]");
}

TEST_F(CaptionPolicyTest, TitleCrLfInjectionIsNeutralised) {
  candidate_.platform = Platform::kReddit;
  candidate_.title = "Sunday mood\r\nX-Injected: yes";
  candidate_.text = "Body text";
  const auto decision = check();
  EXPECT_EQ(decision.title, "Sunday mood X-Injected: yes " + disclosure_for(persona_, Platform::kReddit));
  EXPECT_EQ(decision.text, "Body text");
  EXPECT_EQ(finding(decision, "output.line_break")->field, "title");
  EXPECT_EQ(finding(decision, "disclosure.appended")->field, "title");
  EXPECT_EQ(decision.verdict, Verdict::kAllow);
}

TEST_F(CaptionPolicyTest, RedditWithoutTitleNeedsReview) {
  candidate_.platform = Platform::kReddit;
  const auto decision = check();
  EXPECT_EQ(concerns(decision), std::vector<std::string>{"output.title"});
  EXPECT_EQ(decision.title, disclosure_for(persona_, Platform::kReddit));
}

TEST_F(CaptionPolicyTest, Boundaries) {
  persona_.boundaries = {{Platform::kX, {Rating::kSfw, Rating::kSuggestive}, {"lingerie", "feet"}}};
  EXPECT_EQ(check().verdict, Verdict::kAllow);

  candidate_.rating = Rating::kExplicit;
  auto decision = check();
  EXPECT_EQ(concerns(decision), std::vector<std::string>{"boundary.destination"});
  EXPECT_NE(finding(decision, "boundary.destination")->reason.find("allowed: sfw, suggestive"),
            std::string::npos);

  candidate_.rating = Rating::kSuggestive;
  candidate_.category = "artistic_nude";
  decision = check();
  EXPECT_EQ(concerns(decision), std::vector<std::string>{"boundary.category"});
  candidate_.category.reset();
  EXPECT_EQ(concerns(check()), std::vector<std::string>{"boundary.category"});

  candidate_.category = "lingerie";
  candidate_.platform = Platform::kFanvue;
  decision = check();
  EXPECT_EQ(concerns(decision), std::vector<std::string>{"boundary.destination"});
  EXPECT_NE(finding(decision, "boundary.destination")->reason.find("no boundary for Fanvue"),
            std::string::npos);
}

TEST_F(CaptionPolicyTest, InstagramRefusesExplicitWhateverThePersonaAllows) {
  candidate_.platform = Platform::kInstagram;
  candidate_.rating = Rating::kExplicit;
  const auto decision = check();
  EXPECT_EQ(concerns(decision), std::vector<std::string>{"boundary.platform"});
  EXPECT_FALSE(decision.mark_adult);
}

TEST_F(CaptionPolicyTest, ReviewModes) {
  persona_.review_mode = ReviewMode::kReviewAll;
  candidate_.rating = Rating::kSfw;
  EXPECT_EQ(concerns(check()), std::vector<std::string>{"review.persona_mode"});
  EXPECT_EQ(check().verdict, Verdict::kNeedsReview);

  persona_.review_mode = ReviewMode::kReviewExplicitOnly;
  EXPECT_EQ(check().verdict, Verdict::kAllow);
  candidate_.rating = Rating::kExplicit;
  EXPECT_EQ(concerns(check()), std::vector<std::string>{"review.persona_mode"});

  persona_.review_mode = ReviewMode::kAutomaticWithGates;
  EXPECT_EQ(check().verdict, Verdict::kAllow);

  candidate_.template_only_draft = true;
  EXPECT_EQ(concerns(check()), std::vector<std::string>{"review.draft"});
}

TEST_F(CaptionPolicyTest, TheStrictestVerdictWins) {
  persona_.review_mode = ReviewMode::kReviewAll;
  candidate_.text = "leaked and cheap";
  const auto decision = check();
  EXPECT_EQ(decision.verdict, Verdict::kBlock);
  EXPECT_EQ(concerns(decision),
            (std::vector<std::string>{"consent.builtin", "terms.tenant", "review.persona_mode"}));
  candidate_.text = "leaked";
  EXPECT_EQ(check().verdict, Verdict::kNeedsReview);
}

TEST_F(CaptionPolicyTest, PersonaStateAndConsent) {
  persona_.status = PersonaStatus::kDraft;
  EXPECT_EQ(concerns(check()), std::vector<std::string>{"persona.status"});
  persona_.status = PersonaStatus::kActive;
  persona_.kind = PersonaKind::kRealAdultWithConsent;
  persona_.consent = ConsentRecord{"Ann Real", 1, "all", "doc", 900, "u", 1};
  EXPECT_EQ(concerns(check()), std::vector<std::string>{"persona.consent"});
  persona_.consent->expires_at_unix_ms = 2'000;
  EXPECT_EQ(check().verdict, Verdict::kAllow);
}

TEST_F(CaptionPolicyTest, RealAdultMayNameItsOwnSubjectOnly) {
  names_.emplace_back("Ann Real");
  lists_ = TenantSafetyLists(terms_, names_, banned_tags_);
  candidate_.text = "Ann Real here";
  EXPECT_EQ(concerns(check()), std::vector<std::string>{"names.real_person"});
  persona_.kind = PersonaKind::kRealAdultWithConsent;
  persona_.consent = ConsentRecord{"ann real", 1, "all", "doc", std::nullopt, "u", 1};
  EXPECT_EQ(check().verdict, Verdict::kAllow);
}

TEST_F(CaptionPolicyTest, DisclosureExactlyOnceAndWithinLimitsOnEveryPlatform) {
  std::string long_text;
  for (int i = 0; i < 6'000; ++i) long_text += "jolie\xF0\x9F\x92\x8B ";
  for (const Platform platform : kAllPlatforms) {
    candidate_.platform = platform;
    candidate_.rating = Rating::kSfw;
    candidate_.text = long_text;
    candidate_.title = "A title for Reddit";
    candidate_.hashtags.clear();
    const auto decision = check();
    const auto& rules = platform_rules(platform);
    const std::string label = disclosure_for(persona_, platform);
    EXPECT_LE(measure_text(platform, decision.text), rules.max_text) << to_string(platform);
    EXPECT_TRUE(decision.shortened) << to_string(platform);
    if (rules.label_field == LabelField::kTitle) {
      EXPECT_EQ(decision.title, "A title for Reddit " + label);
      EXPECT_EQ(occurrences(decision.text, label), 0U);
      EXPECT_TRUE(decision.has("output.shortened"));
    } else {
      EXPECT_EQ(occurrences(decision.text, label), 1U) << to_string(platform);
      EXPECT_EQ(decision.text.substr(decision.text.size() - label.size()), label) << to_string(platform);
      EXPECT_NE(finding(decision, "disclosure.appended")->reason.find("shortened"), std::string::npos);
    }
    EXPECT_EQ(decision.verdict, Verdict::kAllow) << to_string(platform);
  }
}

TEST_F(CaptionPolicyTest, TooLongALabelBlocks) {
  persona_.disclosures[Platform::kReddit] = std::string(301, 'A');
  candidate_.platform = Platform::kReddit;
  candidate_.title = "t";
  const auto decision = check();
  EXPECT_EQ(concerns(decision), std::vector<std::string>{"disclosure.too_long"});
}

TEST_F(CaptionPolicyTest, InstagramHashtagLimit) {
  candidate_.platform = Platform::kInstagram;
  candidate_.text = "Beach day";
  for (int i = 0; i < 31; ++i) candidate_.text += " #tag" + std::to_string(i);
  EXPECT_EQ(concerns(check()), std::vector<std::string>{"output.hashtag_limit"});
}

TEST_F(CaptionPolicyTest, HostileInput) {
  std::string big(200'000, 'a');
  big += " cheap";
  candidate_.text = big;
  auto decision = check();
  EXPECT_EQ(concerns(decision), std::vector<std::string>{"terms.tenant"});
  EXPECT_LE(x_weighted_length(decision.text), 280U);

  candidate_.text = std::string("\0\0", 2) + "\xC0\xAF<img src=x onerror=alert(1)>\x1B";
  decision = check();
  EXPECT_EQ(decision.verdict, Verdict::kNeedsReview);
  EXPECT_EQ(concerns(decision),
            (std::vector<std::string>{"output.encoding", "output.control", "output.markup"}));
  EXPECT_TRUE(utf8_code_points(decision.text).has_value());
  EXPECT_EQ(decision.text.find('\0'), std::string::npos);

  candidate_.text = std::string(kMaxCheckedFieldBytes + 10, 'b');
  decision = check();
  EXPECT_EQ(decision.verdict, Verdict::kBlock);
  EXPECT_EQ(finding(decision, "output.length")->field, "text");

  candidate_.text = "ok";
  candidate_.hashtags.assign(kMaxCheckedHashtags + 1, "tag");
  EXPECT_EQ(check().verdict, Verdict::kBlock);
}

TEST_F(CaptionPolicyTest, ScreenHashtagForTheComposer) {
  EXPECT_TRUE(screen_hashtag("sunset", persona_, lists_, Rating::kSfw, 0).empty());
  EXPECT_EQ(screen_hashtag("#RevengePorn", persona_, lists_, Rating::kSfw, 0).at(0).rule, "consent.builtin");
  EXPECT_EQ(screen_hashtag("LeakedContent", persona_, lists_, Rating::kSfw, 0).size(),
            2U);  // leaked + banned tag
  EXPECT_TRUE(screen_hashtag("Asleep", persona_, lists_, Rating::kSfw, 0).empty());
  EXPECT_EQ(screen_hashtag("Asleep", persona_, lists_, Rating::kExplicit, 0).size(), 1U);
}

}  // namespace
}  // namespace personae::safety

#include "domain/captions/caption_composer.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "safety/disclosure.hpp"
#include "safety/platform_rules.hpp"
#include "safety/safety_test_support.hpp"
#include "safety/utf8.hpp"

namespace personae::captions {
namespace {

using safety::testing::occurrences;
using safety::testing::open_persona;

// Functions, not globals: a static std::string may throw before main.
std::string sparkles() {
  return "\xE2\x9C\xA8";
}
std::string kiss() {
  return "\xF0\x9F\x92\x8B";
}

std::vector<std::string> tags_of(const std::vector<Hashtag>& tags) {
  std::vector<std::string> out;
  out.reserve(tags.size());
  for (const auto& tag : tags) out.push_back(tag.tag);
  return out;
}

const DroppedHashtag* dropped(const ComposedCaption& caption, std::string_view tag) {
  const auto found = std::find_if(caption.dropped_hashtags.begin(), caption.dropped_hashtags.end(),
                                  [&](const DroppedHashtag& d) { return d.tag == tag; });
  return found == caption.dropped_hashtags.end() ? nullptr : &*found;
}

std::string words(std::size_t count, const std::string& word) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += (i > 0 ? " " : "") + word;
  return out;
}

class CaptionComposerTest : public ::testing::Test {
 protected:
  CaptionComposerTest() {
    persona_.voice.hashtags = {"LunaVale"};
    request_.platform = Platform::kX;
    request_.rating = Rating::kSuggestive;
    request_.category = "lingerie";
    request_.model = ModelCaption{"Golden hour " + sparkles(), "Link in bio", {"sunset", "#GoldenHour"}, ""};
    request_.tenant_hashtags = {"agency"};
    request_.now_unix_ms = 1'000;
  }

  ComposedCaption compose() const {
    auto composed = compose_caption(persona_, request_, lists_);
    EXPECT_TRUE(composed.has_value()) << (composed ? "" : composed.error().field_errors.at(0).message);
    return composed.value_or(ComposedCaption{});
  }

  safety::Decision check(const ComposedCaption& caption) const {
    return safety::check_caption(persona_, to_candidate(caption, request_), lists_);
  }

  std::string label(Platform platform) const { return safety::disclosure_for(persona_, platform); }

  Persona persona_ = open_persona();
  CaptionRequest request_;
  std::vector<std::string> banned_terms_ = {"cheap"};
  std::vector<std::string> banned_tags_ = {"freebie"};
  safety::TenantSafetyLists lists_{banned_terms_, {}, banned_tags_};
};

TEST_F(CaptionComposerTest, ComposesAnXPostTheEngineAcceptsUnchanged) {
  const auto caption = compose();
  EXPECT_EQ(caption.text, "Golden hour " + sparkles() +
                              " Link in bio #LunaVale #sunset #GoldenHour #agency\n\n" + label(Platform::kX));
  EXPECT_EQ(tags_of(caption.hashtags),
            (std::vector<std::string>{"LunaVale", "sunset", "GoldenHour", "agency"}));
  EXPECT_EQ(caption.hashtags[0].source, HashtagSource::kPersona);
  EXPECT_EQ(caption.hashtags[3].source, HashtagSource::kTenant);
  EXPECT_TRUE(caption.dropped_hashtags.empty());
  EXPECT_EQ(caption.call_to_action, "Link in bio");
  EXPECT_FALSE(caption.shortened);
  EXPECT_FALSE(caption.template_only);
  EXPECT_TRUE(caption.title.empty());
  const auto decision = check(caption);
  EXPECT_EQ(decision.verdict, safety::Verdict::kAllow);
  EXPECT_EQ(decision.text, caption.text);
  EXPECT_FALSE(decision.has("disclosure.appended"));
}

TEST_F(CaptionComposerTest, EveryPlatformComposesWhatTheEngineAccepts) {
  for (const Platform platform : kAllPlatforms) {
    request_.platform = platform;
    const auto caption = compose();
    const auto decision = check(caption);
    EXPECT_EQ(decision.verdict, safety::Verdict::kAllow) << to_string(platform);
    EXPECT_FALSE(decision.has("disclosure.appended")) << to_string(platform);
    EXPECT_EQ(decision.text, caption.text) << to_string(platform);
    EXPECT_EQ(decision.title, caption.title) << to_string(platform);
    const std::string& labelled = platform == Platform::kReddit ? caption.title : caption.text;
    EXPECT_EQ(occurrences(labelled, label(platform)), 1U) << to_string(platform);
  }
}

TEST_F(CaptionComposerTest, XDropsTheLowestPriorityTagsFirstThenShortens) {
  // 280 - label (36) - blank line (2) leaves 242: 215 + " #LunaVale #sunset #beach" (25) fits, not "
  // #agency".
  request_.model->caption = std::string(215, 'a');
  request_.model->call_to_action.clear();
  request_.model->topic_hashtags = {"sunset", "beach"};
  auto caption = compose();
  EXPECT_LE(safety::x_weighted_length(caption.text), 280U);
  EXPECT_EQ(tags_of(caption.hashtags), (std::vector<std::string>{"LunaVale", "sunset", "beach"}));
  ASSERT_NE(dropped(caption, "agency"), nullptr);
  EXPECT_EQ(dropped(caption, "agency")->reason, "does not fit in X's 280 characters");
  EXPECT_FALSE(caption.shortened);

  request_.model->caption = words(100, "lovely" + kiss());
  caption = compose();
  EXPECT_TRUE(caption.hashtags.empty());
  EXPECT_EQ(caption.dropped_hashtags.size(), 4U);
  EXPECT_TRUE(caption.shortened);
  EXPECT_LE(safety::x_weighted_length(caption.text), 280U);
  EXPECT_GT(safety::x_weighted_length(caption.text), 270U) << "uses the room it has";
  EXPECT_NE(caption.text.find(kiss() + std::string(safety::kEllipsis) + "\n\n"), std::string::npos);
  EXPECT_EQ(occurrences(caption.text, label(Platform::kX)), 1U);
  EXPECT_EQ(check(caption).verdict, safety::Verdict::kAllow);
}

TEST_F(CaptionComposerTest, LimitsCountCodePointsAndXWeights) {
  request_.model->caption = words(300, kiss() + kiss());  // X weighs an emoji 2
  auto caption = compose();
  EXPECT_LE(safety::x_weighted_length(caption.text), 280U);
  EXPECT_TRUE(safety::utf8::count(caption.text) < 200U);

  request_.platform = Platform::kInstagram;
  request_.model->caption = words(1'500, "\xC3\xA9t\xC3\xA9" + kiss());  // 5 code points, 10 bytes each
  caption = compose();
  EXPECT_TRUE(caption.shortened);
  EXPECT_LE(safety::utf8::count(caption.text), 2'200U);
  EXPECT_GT(safety::utf8::count(caption.text), 2'190U);
  EXPECT_GT(caption.text.size(), 4'000U);  // bytes are not what is counted
}

TEST_F(CaptionComposerTest, InstagramKeepsAtMostThirtyHashtags) {
  request_.platform = Platform::kInstagram;
  request_.model->topic_hashtags.clear();
  for (int i = 0; i < 40; ++i) request_.model->topic_hashtags.push_back("topic" + std::to_string(i));
  const auto caption = compose();
  EXPECT_EQ(caption.hashtags.size(), 30U);
  EXPECT_EQ(caption.hashtags.front().tag, "LunaVale");
  EXPECT_EQ(safety::count_hashtags(caption.text), 30U);
  ASSERT_NE(dropped(caption, "topic29"), nullptr);
  EXPECT_EQ(dropped(caption, "topic29")->reason, "over Instagram's limit of 30 hashtags");
  EXPECT_EQ(dropped(caption, "agency")->reason, "over Instagram's limit of 30 hashtags");
  EXPECT_EQ(caption.text.find("Golden hour " + sparkles() + "\n\nLink in bio\n\n#LunaVale #topic0 #topic1"),
            0U);
  EXPECT_EQ(check(caption).verdict, safety::Verdict::kAllow);
}

TEST_F(CaptionComposerTest, TheLabelsHashtagsCountTowardsTheCap) {
  request_.platform = Platform::kOnlyFans;  // "#ai #AIGenerated": 2 of 10
  request_.model->topic_hashtags.clear();
  for (int i = 0; i < 20; ++i) request_.model->topic_hashtags.push_back("t" + std::to_string(i) + "x");
  const auto caption = compose();
  EXPECT_EQ(caption.hashtags.size(), 8U);
  EXPECT_EQ(safety::count_hashtags(caption.text), 10U);
  EXPECT_EQ(check(caption).verdict, safety::Verdict::kAllow);
}

TEST_F(CaptionComposerTest, HashtagsInTheModelsTextCountTowardsTheCap) {
  request_.platform = Platform::kInstagram;
  request_.model->caption = "Beach #one #two #three";
  request_.model->call_to_action = "Tap #four";
  request_.model->topic_hashtags.clear();
  for (int i = 0; i < 40; ++i) request_.model->topic_hashtags.push_back("topic" + std::to_string(i));
  const auto caption = compose();
  EXPECT_EQ(caption.hashtags.size(), 26U);
  EXPECT_EQ(safety::count_hashtags(caption.text), 30U);
}

TEST_F(CaptionComposerTest, BannedAndUnsafeTagsAreDroppedWithWhy) {
  request_.model->topic_hashtags = {"FreeBie", "RevengePorn", "HotTeen", "sunset", "cheap", "2024"};
  const auto caption = compose();
  EXPECT_EQ(tags_of(caption.hashtags), (std::vector<std::string>{"LunaVale", "sunset", "agency"}));
  EXPECT_NE(dropped(caption, "FreeBie")->reason.find("tenant's banned list"), std::string::npos);
  EXPECT_NE(dropped(caption, "RevengePorn")->reason.find("without consent"), std::string::npos);
  EXPECT_NE(dropped(caption, "HotTeen")->reason.find("minor"), std::string::npos);
  EXPECT_NE(dropped(caption, "cheap")->reason.find("banned list"), std::string::npos);
  EXPECT_EQ(dropped(caption, "2024")->reason, "not a valid hashtag: must contain a letter");
}

TEST_F(CaptionComposerTest, RedditTitleFromTheFirstSentenceAndNoHashtags) {
  request_.platform = Platform::kReddit;
  request_.model->caption = "Sunday vibes! Who's up for brunch? \xF0\x9F\xA5\x82";
  auto caption = compose();
  EXPECT_EQ(caption.title, "Sunday vibes! " + label(Platform::kReddit));
  EXPECT_EQ(caption.text, "Who's up for brunch? \xF0\x9F\xA5\x82\n\nLink in bio");
  EXPECT_TRUE(caption.hashtags.empty());
  EXPECT_EQ(dropped(caption, "LunaVale")->reason, "Reddit posts carry no hashtags");
  EXPECT_EQ(check(caption).verdict, safety::Verdict::kAllow);

  request_.model->title = "My own\r\ntitle";
  caption = compose();
  EXPECT_EQ(caption.title, "My own title " + label(Platform::kReddit));
  EXPECT_EQ(caption.text, "Sunday vibes! Who's up for brunch? \xF0\x9F\xA5\x82\n\nLink in bio");

  request_.model->title.clear();
  request_.model->caption = words(120, "longword") + ". Rest.";
  caption = compose();
  EXPECT_TRUE(caption.shortened);
  EXPECT_LE(safety::utf8::count(caption.title), 300U);
  EXPECT_EQ(occurrences(caption.title, label(Platform::kReddit)), 1U);
  EXPECT_NE(caption.title.find(std::string(safety::kEllipsis) + " " + label(Platform::kReddit)),
            std::string::npos);
  EXPECT_EQ(caption.text, "Rest.\n\nLink in bio");
}

TEST_F(CaptionComposerTest, TemplateOnlyDraft) {
  request_.model.reset();
  request_.description = "Beach set,\r\ngolden light";
  const auto caption = compose();
  EXPECT_TRUE(caption.template_only);
  EXPECT_EQ(caption.text, "Beach set,\ngolden light #LunaVale\n\n" + label(Platform::kX));
  EXPECT_EQ(tags_of(caption.hashtags), std::vector<std::string>{"LunaVale"});
  EXPECT_TRUE(caption.call_to_action.empty());
  const auto decision = check(caption);
  EXPECT_EQ(decision.verdict, safety::Verdict::kNeedsReview);
  EXPECT_TRUE(decision.has("review.draft"));

  request_.description.clear();
  EXPECT_EQ(compose().text, "#LunaVale\n\n" + label(Platform::kX));
}

TEST_F(CaptionComposerTest, HostileModelTextStaysText) {
  request_.platform = Platform::kInstagram;
  request_.model = ModelCaption{"{{cta}} {{> caption}} <script>alert(1)</script>\r\nline two",
                                "Tap\r\nSet-Cookie: x",
                                {"{{x}}", "ok"},
                                ""};
  const auto caption = compose();
  EXPECT_EQ(
      caption.text.find("{{cta}} {{> caption}} <script>alert(1)</script>\nline two\n\nTap Set-Cookie: x\n\n"),
      0U);
  EXPECT_EQ(caption.call_to_action, "Tap Set-Cookie: x");
  EXPECT_EQ(dropped(caption, "{{x}}")->reason,
            "not a valid hashtag: has characters other than letters, digits and '_'");
  const auto decision = check(caption);
  EXPECT_EQ(decision.verdict, safety::Verdict::kNeedsReview);
  EXPECT_TRUE(decision.has("output.markup"));
  EXPECT_EQ(decision.text.find("<script>"), std::string::npos);
}

TEST_F(CaptionComposerTest, TenantTemplates) {
  request_.templates.text =
      "{{disclosure}}\n{{caption}} \xE2\x80\x94 {{display_name}}{{#hashtags}}\n{{hashtags}}{{/hashtags}}";
  const auto caption = compose();
  EXPECT_EQ(caption.text, label(Platform::kX) + "\nGolden hour " + sparkles() +
                              " \xE2\x80\x94 Luna Vale\n#LunaVale #sunset #GoldenHour #agency");
  EXPECT_EQ(caption.call_to_action, "Link in bio") << "the template left it out, but it was offered";
  EXPECT_FALSE(check(caption).has("disclosure.appended"));

  request_.templates.text = "{{> caption}}";
  auto refused = compose_caption(persona_, request_, lists_);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().field_errors.at(0).field, "templates.text");

  request_.templates.text.clear();
  request_.platform = Platform::kReddit;
  request_.templates.title = "{{#title}}";
  refused = compose_caption(persona_, request_, lists_);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().field_errors.at(0).field, "templates.title");
}

TEST_F(CaptionComposerTest, ALabelTooLongForThePlatformIsAnError) {
  persona_.disclosures[Platform::kX] = std::string(290, 'A');
  const auto refused = compose_caption(persona_, request_, lists_);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().field_errors.at(0).field, "templates.text");
}

TEST_F(CaptionComposerTest, ALongCtaIsCutAndDroppedBeforeTheCaptionVanishes) {
  request_.model->call_to_action = words(100, "click");
  request_.model->caption = words(60, "word");
  const auto caption = compose();
  EXPECT_LE(safety::utf8::count(caption.call_to_action), kMaxCallToActionCharacters);
  EXPECT_LE(safety::x_weighted_length(caption.text), 280U);
  EXPECT_TRUE(caption.shortened);
  EXPECT_EQ(caption.text.rfind("word", 0), 0U) << "the caption survives";
}

TEST_F(CaptionComposerTest, CandidateCarriesEverything) {
  const auto caption = compose();
  const auto candidate = to_candidate(caption, request_);
  EXPECT_EQ(candidate.platform, Platform::kX);
  EXPECT_EQ(candidate.rating, Rating::kSuggestive);
  EXPECT_EQ(candidate.category, "lingerie");
  EXPECT_EQ(candidate.text, caption.text);
  EXPECT_EQ(candidate.hashtags, (std::vector<std::string>{"LunaVale", "sunset", "GoldenHour", "agency"}));
  EXPECT_EQ(candidate.call_to_action, "Link in bio");
  EXPECT_FALSE(candidate.template_only_draft);
  EXPECT_EQ(candidate.now_unix_ms, 1'000);
}

}  // namespace
}  // namespace personae::captions

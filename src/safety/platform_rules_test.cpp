#include "safety/platform_rules.hpp"

#include <gtest/gtest.h>

namespace personae::safety {
namespace {

TEST(PlatformRules, LimitsPerPlatform) {
  EXPECT_EQ(platform_rules(Platform::kX).max_text, 280U);
  EXPECT_EQ(platform_rules(Platform::kX).max_hashtags, kNoLimit);
  EXPECT_EQ(platform_rules(Platform::kInstagram).max_text, 2'200U);
  EXPECT_EQ(platform_rules(Platform::kInstagram).max_hashtags, 30U);
  EXPECT_FALSE(platform_rules(Platform::kInstagram).allows_explicit);
  EXPECT_EQ(platform_rules(Platform::kReddit).max_title, 300U);
  EXPECT_EQ(platform_rules(Platform::kReddit).max_hashtags, 0U);
  EXPECT_EQ(platform_rules(Platform::kReddit).label_field, LabelField::kTitle);
  EXPECT_EQ(platform_rules(Platform::kFanvue).max_text, 5'000U);
  EXPECT_EQ(platform_rules(Platform::kOnlyFans).max_text, 1'000U);
  for (const Platform platform : kAllPlatforms) EXPECT_EQ(platform_rules(platform).platform, platform);
}

TEST(PlatformRules, XWeighsLikeTwitterText) {
  EXPECT_EQ(x_weighted_length("hello"), 5U);
  EXPECT_EQ(x_weighted_length("\xC3\xA9t\xC3\xA9"), 3U);         // Latin: 1 each
  EXPECT_EQ(x_weighted_length("\xF0\x9F\x98\x80"), 2U);          // emoji: 2
  EXPECT_EQ(x_weighted_length("\xE4\xB8\xAD\xE6\x96\x87"), 4U);  // CJK: 2 each
  EXPECT_EQ(x_weighted_length("\xE2\x80\x94"), 1U);              // em dash: light range
  EXPECT_EQ(x_weighted_length("https://a.co"), 23U);             // short link: 23
  EXPECT_EQ(x_weighted_length("x https://a.co y"), 27U);
  EXPECT_EQ(x_weighted_length("https://example.com/a/very/long/path"), 36U);  // never less than itself
  EXPECT_EQ(x_weighted_length("\xFF"), 2U);
  EXPECT_EQ(measure_text(Platform::kInstagram, "\xF0\x9F\x98\x80\xE4\xB8\xAD"), 2U);
  EXPECT_EQ(measure_text(Platform::kX, "\xF0\x9F\x98\x80\xE4\xB8\xAD"), 4U);
}

TEST(PlatformRules, CountsHashtags) {
  EXPECT_EQ(count_hashtags("#a #b c#d &#39; #_x # #\xC3\xA9t\xC3\xA9"), 4U);
  EXPECT_EQ(count_hashtags(""), 0U);
  EXPECT_EQ(count_hashtags("#"), 0U);
}

}  // namespace
}  // namespace personae::safety

#include "domain/captions/hashtag_strategy.hpp"

#include <gtest/gtest.h>

namespace personae::captions {
namespace {

std::vector<std::string> tags_of(const std::vector<Hashtag>& tags) {
  std::vector<std::string> out;
  out.reserve(tags.size());
  for (const auto& tag : tags) out.push_back(tag.tag);
  return out;
}

TEST(HashtagStrategy, NormalisesTags) {
  EXPECT_EQ(normalize_hashtag("  #SummerVibes "), "SummerVibes");
  EXPECT_EQ(normalize_hashtag("##summer vibes"), "summervibes");
  EXPECT_EQ(normalize_hashtag("rock'n'roll"), "rocknroll");
  EXPECT_EQ(normalize_hashtag("caf\xC3\xA9_au_lait"), "caf\xC3\xA9_au_lait");
  EXPECT_EQ(normalize_hashtag("\xE6\x9D\xB1\xE4\xBA\xAC"), "\xE6\x9D\xB1\xE4\xBA\xAC");
  EXPECT_EQ(normalize_hashtag("cafe\xCC\x81"), "cafe\xCC\x81");  // decomposed accent
  EXPECT_EQ(normalize_hashtag("2024").error(), "must contain a letter");
  EXPECT_EQ(normalize_hashtag("#").error(), "is empty");
  EXPECT_EQ(normalize_hashtag("fun!").error(), "has characters other than letters, digits and '_'");
  EXPECT_EQ(normalize_hashtag("a\xF0\x9F\x92\x8B").error(),
            "has characters other than letters, digits and '_'");
  EXPECT_EQ(normalize_hashtag("{{caption}}").error(), "has characters other than letters, digits and '_'");
  EXPECT_EQ(normalize_hashtag("x\xFF").error(), "is not valid UTF-8");
  EXPECT_EQ(normalize_hashtag(std::string(101, 'a')).error(), "is longer than 100 characters");
  EXPECT_TRUE(normalize_hashtag(std::string(100, 'a')).has_value());
}

TEST(HashtagStrategy, MergesByPriorityAndRemovesDuplicates) {
  const std::vector<std::string> persona = {"LunaVale", "sunset"};
  const std::vector<std::string> model = {"#Sunset", "beach life", "bad tag!", "Plage"};
  const std::vector<std::string> tenant = {"plage", "agency", "luna_vale"};
  const auto selection = select_hashtags(persona, model, tenant, nullptr, 100, "over");
  EXPECT_EQ(tags_of(selection.kept),
            (std::vector<std::string>{"LunaVale", "sunset", "beachlife", "Plage", "agency"}));
  EXPECT_EQ(selection.kept[2].source, HashtagSource::kModel);
  EXPECT_EQ(selection.kept[4].source, HashtagSource::kTenant);
  ASSERT_EQ(selection.dropped.size(), 4U);
  EXPECT_EQ(selection.dropped[0].tag, "Sunset");
  EXPECT_EQ(selection.dropped[0].reason, "duplicate of #sunset");
  EXPECT_EQ(selection.dropped[1].reason,
            "not a valid hashtag: has characters other than letters, digits and '_'");
  EXPECT_EQ(selection.dropped[2].reason, "duplicate of #Plage");
  EXPECT_EQ(selection.dropped[3].reason, "duplicate of #LunaVale");
  EXPECT_EQ(selection.dropped[3].source, HashtagSource::kTenant);
}

TEST(HashtagStrategy, ScreensAndCaps) {
  const std::vector<std::string> persona = {"one", "banned", "two"};
  const std::vector<std::string> model = {"three", "four"};
  const HashtagScreen screen = [](std::string_view tag) -> std::optional<std::string> {
    if (tag == "banned") return "on the banned list";
    return std::nullopt;
  };
  const auto selection = select_hashtags(persona, model, {}, screen, 3, "over the limit of 3");
  EXPECT_EQ(tags_of(selection.kept), (std::vector<std::string>{"one", "two", "three"}));
  ASSERT_EQ(selection.dropped.size(), 2U);
  EXPECT_EQ(selection.dropped[0].reason, "on the banned list");
  EXPECT_EQ(selection.dropped[1].tag, "four");
  EXPECT_EQ(selection.dropped[1].reason, "over the limit of 3");
  EXPECT_TRUE(select_hashtags(persona, model, {}, screen, 0, "none").kept.empty());
}

TEST(HashtagStrategy, BoundsItsInput) {
  std::vector<std::string> many;
  many.reserve(1'000);
  for (int i = 0; i < 1'000; ++i) many.push_back("tag" + std::to_string(i));
  const auto selection = select_hashtags(many, {}, {}, nullptr, 1'000, "over");
  EXPECT_EQ(selection.kept.size(), kMaxHashtagsPerSource);
  EXPECT_TRUE(selection.dropped.empty());
}

TEST(HashtagStrategy, Joins) {
  EXPECT_EQ(join_hashtags(std::vector<Hashtag>{{"a", HashtagSource::kPersona}, {"B", HashtagSource::kModel}}),
            "#a #B");
  EXPECT_EQ(join_hashtags({}), "");
  EXPECT_EQ(to_string(HashtagSource::kTenant), "tenant");
}

}  // namespace
}  // namespace personae::captions

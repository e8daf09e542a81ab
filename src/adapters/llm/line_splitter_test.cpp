#include "adapters/llm/line_splitter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace personae::llm::internal {
namespace {

std::vector<std::string> feed_all(LineSplitter& splitter, const std::vector<std::string>& chunks) {
  std::vector<std::string> lines;
  for (const auto& chunk : chunks) {
    const auto status = splitter.feed(chunk, [&](std::string_view line) {
      lines.emplace_back(line);
      return true;
    });
    EXPECT_EQ(status, FeedStatus::kOk);
  }
  return lines;
}

TEST(LineSplitter, HandsOverEveryLineOfOneChunk) {
  LineSplitter splitter(1024);
  EXPECT_EQ(feed_all(splitter, {"one\ntwo\nthree\n"}), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_TRUE(splitter.rest().empty());
}

TEST(LineSplitter, JoinsALineCutAcrossChunks) {
  LineSplitter splitter(1024);
  EXPECT_EQ(feed_all(splitter, {"{\"a\":", "1}\n{\"b\"", ":2}\n{\"c\""}),
            (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  EXPECT_EQ(splitter.rest(), "{\"c\"");
}

TEST(LineSplitter, ByteByByteGivesTheSameLinesAsWhole) {
  const std::string stream = "first line\r\nsecond\n\nfourth after an empty one\n";
  LineSplitter whole(1024);
  const auto expected = feed_all(whole, {stream});
  LineSplitter bytes(1024);
  std::vector<std::string> chunks;
  for (const char c : stream) chunks.emplace_back(1, c);
  EXPECT_EQ(feed_all(bytes, chunks), expected);
  EXPECT_EQ(expected, (std::vector<std::string>{"first line", "second", "", "fourth after an empty one"}));
}

TEST(LineSplitter, DropsTheCarriageReturnOfCrLfEvenWhenCutBeforeTheLineFeed) {
  LineSplitter splitter(1024);
  EXPECT_EQ(feed_all(splitter, {"text\r", "\nmore\n"}), (std::vector<std::string>{"text", "more"}));
}

TEST(LineSplitter, StopsAtTheFirstFalseAndDeliversNothingAfter) {
  LineSplitter splitter(1024);
  std::vector<std::string> seen;
  const auto status = splitter.feed("a\nb\nc\n", [&](std::string_view line) {
    seen.emplace_back(line);
    return line != "b";
  });
  EXPECT_EQ(status, FeedStatus::kStopped);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
}

TEST(LineSplitter, RefusesALineOverTheCapInOneChunkOrAcrossChunks) {
  LineSplitter one(8);
  EXPECT_EQ(one.feed("123456789\n", [](std::string_view) { return true; }), FeedStatus::kTooLong);

  LineSplitter across(8);
  EXPECT_EQ(across.feed("12345", [](std::string_view) { return true; }), FeedStatus::kOk);
  EXPECT_EQ(across.feed("6789", [](std::string_view) { return true; }), FeedStatus::kTooLong);

  LineSplitter exact(8);
  std::vector<std::string> lines;
  EXPECT_EQ(exact.feed("1234", [](std::string_view) { return true; }), FeedStatus::kOk);
  EXPECT_EQ(exact.feed("5678\n",
                       [&](std::string_view line) {
                         lines.emplace_back(line);
                         return true;
                       }),
            FeedStatus::kOk);
  EXPECT_EQ(lines, (std::vector<std::string>{"12345678"}));
}

TEST(LineSplitter, ALineLongerThanAnyChunkArrivesWhole) {
  const std::string long_line(200'000, 'x');
  const std::string stream = long_line + "\nshort\n";
  LineSplitter splitter(1 << 20);
  std::vector<std::string> chunks;
  for (std::size_t i = 0; i < stream.size(); i += 16'384) chunks.push_back(stream.substr(i, 16'384));
  const auto lines = feed_all(splitter, chunks);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0], long_line);
  EXPECT_EQ(lines[1], "short");
}

}  // namespace
}  // namespace personae::llm::internal

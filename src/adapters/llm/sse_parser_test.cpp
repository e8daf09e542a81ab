#include "adapters/llm/sse_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace personae::llm::internal {
namespace {

using Events = std::vector<std::pair<std::string, std::string>>;  // type, data

Events feed_all(SseParser& parser, const std::vector<std::string>& chunks) {
  Events events;
  for (const auto& chunk : chunks) {
    const auto status = parser.feed(chunk, [&](const SseEvent& event) {
      events.emplace_back(std::string(event.type), std::string(event.data));
      return true;
    });
    EXPECT_EQ(status, FeedStatus::kOk);
  }
  return events;
}

std::vector<std::string> bytes_of(const std::string& stream) {
  std::vector<std::string> chunks;
  for (const char c : stream) chunks.emplace_back(1, c);
  return chunks;
}

TEST(SseParser, DispatchesEachEventAtItsBlankLine) {
  SseParser parser(1024);
  EXPECT_EQ(feed_all(parser, {"data: {\"a\":1}\n\ndata: [DONE]\n\n"}),
            (Events{{"", "{\"a\":1}"}, {"", "[DONE]"}}));
  EXPECT_FALSE(parser.in_event());
}

TEST(SseParser, JoinsDataLinesWithLineFeedsAndKeepsTheEventType) {
  SseParser parser(1024);
  EXPECT_EQ(feed_all(parser, {"event: error\ndata: first\ndata:second\ndata\n\n"}),
            (Events{{"error", "first\nsecond\n"}}));
}

TEST(SseParser, SkipsCommentsKeepAlivesIdsAndEventsWithoutData) {
  SseParser parser(1024);
  EXPECT_EQ(feed_all(parser, {": keep-alive\n\n:\n\nid: 7\nretry: 100\n\nevent: ping\n\ndata: x\n\n"}),
            (Events{{"", "x"}}));
}

TEST(SseParser, AcceptsCrLfAndLoneCrLineEnds) {
  SseParser crlf(1024);
  EXPECT_EQ(feed_all(crlf, {"data: a\r\n\r\ndata: b\r\r"}), (Events{{"", "a"}, {"", "b"}}));
}

TEST(SseParser, ACrLfCutBetweenChunksIsOneLineEnd) {
  SseParser parser(1024);
  // Were the "\n" taken as a second line end, "a" would go out alone before "b" arrived.
  EXPECT_EQ(feed_all(parser, {"data: a\r", "\ndata: b\r", "\n\r", "\n"}), (Events{{"", "a\nb"}}));
}

TEST(SseParser, ByteByByteGivesTheSameEventsAsWhole) {
  const std::string stream =
      ": keep-alive\r\n\r\nid: 1\r\nevent: message\r\ndata: {\r\ndata: \"x\": 1}\r\n\r\ndata: [DONE]\r\n\r\n";
  SseParser whole(1024);
  const auto expected = feed_all(whole, {stream});
  SseParser bytes(1024);
  EXPECT_EQ(feed_all(bytes, bytes_of(stream)), expected);
  EXPECT_EQ(expected, (Events{{"message", "{\n\"x\": 1}"}, {"", "[DONE]"}}));
}

TEST(SseParser, ReportsAnUnfinishedEvent) {
  SseParser parser(1024);
  EXPECT_TRUE(feed_all(parser, {"data: half"}).empty());
  EXPECT_TRUE(parser.in_event());
  SseParser second(1024);
  EXPECT_TRUE(feed_all(second, {"data: whole line\n"}).empty());
  EXPECT_TRUE(second.in_event());
}

TEST(SseParser, StopsAtTheFirstFalse) {
  SseParser parser(1024);
  int seen = 0;
  const auto status =
      parser.feed("data: 1\n\ndata: 2\n\ndata: 3\n\n", [&](const SseEvent&) { return ++seen < 2; });
  EXPECT_EQ(status, FeedStatus::kStopped);
  EXPECT_EQ(seen, 2);
}

TEST(SseParser, RefusesALineOrAnEventOverTheCap) {
  SseParser line(16);
  EXPECT_EQ(line.feed("data: 0123456789abcdef\n", [](const SseEvent&) { return true; }),
            FeedStatus::kTooLong);
  SseParser event(15);
  EXPECT_EQ(event.feed("data: 0123456\ndata: 0123456\n", [](const SseEvent&) { return true; }),
            FeedStatus::kTooLong);
}

}  // namespace
}  // namespace personae::llm::internal

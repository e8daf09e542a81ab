#include "http/framing.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace personae::http {
namespace {

using Status = HeadScan::Status;

TEST(RequestHeadScanner, FindsTheEndOfTheHeadAcrossCalls) {
  const std::string head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string data = head + "BODY";
  RequestHeadScanner scanner(1024);
  for (std::size_t i = 1; i < head.size(); ++i) {
    EXPECT_EQ(scanner.scan(std::string_view(data).substr(0, i)).status, Status::kNeedMore) << i;
  }
  const auto result = scanner.scan(data);
  EXPECT_EQ(result.status, Status::kComplete);
  EXPECT_EQ(result.size, head.size());
}

TEST(RequestHeadScanner, RejectsObsFoldBareLineEndingsAndNul) {
  for (const std::string& data :
       std::vector<std::string>{"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", "GET / HTTP/1.1\r\n\tX: a\r\n\r\n",
                                "GET / HTTP/1.1\nHost: x\r\n\r\n", "GET / HTTP/1.1\rHost: x\r\n\r\n",
                                std::string("GET /\0 HTTP/1.1\r\n\r\n", 20)}) {
    EXPECT_EQ(RequestHeadScanner(1024).scan(data).status, Status::kMalformed) << data;
  }
}

TEST(RequestHeadScanner, EnforcesTheLimitIncludingTheBlankLine) {
  const std::string head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(RequestHeadScanner(head.size()).scan(head).status, Status::kComplete);
  EXPECT_EQ(RequestHeadScanner(head.size() - 1).scan(head).status, Status::kTooLarge);
  EXPECT_EQ(RequestHeadScanner(10).scan("GET /aaaaaaaaaaaa").status, Status::kTooLarge);
}

Headers make(std::initializer_list<std::pair<const char*, const char*>> fields) {
  Headers headers;
  for (const auto& [name, value] : fields) headers.add(name, value);
  return headers;
}

TEST(RequestFraming, AcceptsOrdinaryRequests) {
  EXPECT_FALSE(check_request_framing(make({{"Host", "x"}, {"Content-Length", "5"}}), 11));
  EXPECT_FALSE(check_request_framing(make({{"Host", "x"}, {"Transfer-Encoding", "Chunked"}}), 11));
  EXPECT_FALSE(check_request_framing(make({}), 10));
}

TEST(RequestFraming, RejectsSmugglingVectors) {
  EXPECT_TRUE(check_request_framing(
      make({{"Host", "x"}, {"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}}), 11));
  EXPECT_TRUE(
      check_request_framing(make({{"Host", "x"}, {"Content-Length", "5"}, {"Content-Length", "5"}}), 11));
  EXPECT_TRUE(check_request_framing(make({{"Host", "x"}, {"Content-Length", "5, 5"}}), 11));
  EXPECT_TRUE(check_request_framing(make({{"Host", "x"}, {"Content-Length", "+5"}}), 11));
  EXPECT_TRUE(check_request_framing(make({{"Host", "x"}, {"Transfer-Encoding", "gzip, chunked"}}), 11));
  EXPECT_TRUE(check_request_framing(
      make({{"Host", "x"}, {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}), 11));
  EXPECT_TRUE(check_request_framing(make({{"Host", "x"}, {"Transfer-Encoding", "chunked"}}), 10));
  EXPECT_TRUE(check_request_framing(make({}), 11));
  EXPECT_TRUE(check_request_framing(make({{"Host", "a"}, {"Host", "b"}}), 11));
}

}  // namespace
}  // namespace personae::http

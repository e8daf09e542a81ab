#include "http/headers.hpp"

#include <gtest/gtest.h>

namespace personae::http {
namespace {

TEST(Headers, NamesAreCaseInsensitiveAndOrderIsKept) {
  Headers headers;
  headers.add("Content-Type", "text/plain");
  headers.add("set-cookie", "a=1");
  headers.add("Set-Cookie", "b=2");
  EXPECT_EQ(headers.get("content-type"), "text/plain");
  EXPECT_EQ(headers.get("SET-COOKIE"), "a=1");
  EXPECT_EQ(headers.count("Set-Cookie"), 2u);
  EXPECT_FALSE(headers.get("Missing").has_value());
  EXPECT_FALSE(headers.contains("missing"));
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers.begin()->first, "Content-Type");
}

TEST(Headers, SetReplacesEveryFieldAndRemoveDeletesAll) {
  Headers headers;
  headers.add("Vary", "Origin");
  headers.add("vary", "Accept");
  headers.set("VARY", "*");
  EXPECT_EQ(headers.count("Vary"), 1u);
  EXPECT_EQ(headers.get("vary"), "*");
  headers.remove("vary");
  EXPECT_EQ(headers.size(), 0u);
}

TEST(Headers, IequalsComparesAsciiOnly) {
  EXPECT_TRUE(iequals("X-Request-Id", "x-request-id"));
  EXPECT_FALSE(iequals("abc", "abcd"));
  EXPECT_FALSE(iequals("a-b", "a_b"));
}

}  // namespace
}  // namespace personae::http

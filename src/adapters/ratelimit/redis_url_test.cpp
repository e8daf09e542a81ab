#include "adapters/ratelimit/redis_url.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace personae {
namespace {

TEST(RedisUrl, ParsesHostPortAndDatabase) {
  const auto url = RedisUrl::parse("redis://127.0.0.1:6380/2");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 6380);
  EXPECT_EQ(url.database, 2);
  EXPECT_TRUE(url.password.empty());
  EXPECT_EQ(url.redacted(), "redis://127.0.0.1:6380/2");
}

TEST(RedisUrl, DefaultsPortAndDatabase) {
  const auto url = RedisUrl::parse("redis://cache.internal");
  EXPECT_EQ(url.host, "cache.internal");
  EXPECT_EQ(url.port, 6379);
  EXPECT_EQ(url.database, 0);
  EXPECT_EQ(RedisUrl::parse("redis://cache:7000/").database, 0);
}

TEST(RedisUrl, ParsesPasswordAndUsername) {
  const auto url = RedisUrl::parse("redis://:s%40cret:x@localhost:6379");
  EXPECT_EQ(url.username, "");
  EXPECT_EQ(url.password, "s@cret:x");
  EXPECT_EQ(url.redacted(), "redis://:***@localhost:6379/0");
  const auto acl = RedisUrl::parse("redis://app:pw@localhost:6379/1");
  EXPECT_EQ(acl.username, "app");
  EXPECT_EQ(acl.password, "pw");
}

TEST(RedisUrl, ParsesBracketedIpv6) {
  const auto url = RedisUrl::parse("redis://[::1]:7001");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 7001);
  EXPECT_EQ(url.redacted(), "redis://[::1]:7001/0");
}

TEST(RedisUrl, RejectsMalformedUrlsWithoutEchoingThePassword) {
  for (const char* text : {"",
                           "http://localhost:6379",
                           "rediss://localhost:6379",
                           "redis://",
                           "redis://:6379",
                           "redis://localhost:",
                           "redis://localhost:0",
                           "redis://localhost:65536",
                           "redis://localhost:port",
                           "redis://localhost:6379/x",
                           "redis://localhost:6379/-1",
                           "redis://localhost:6379?db=1",
                           "redis://user@localhost",
                           "redis://:@localhost",
                           "redis://:%zz@localhost",
                           "redis://[::1",
                           "redis://[::1]x",
                           "redis://[zz]:1",
                           "redis://bad host:1",
                           "localhost:6379"}) {
    EXPECT_THROW(RedisUrl::parse(text), ConfigError) << text;
  }
  try {
    RedisUrl::parse("redis://:topsecret@localhost:notaport");
    FAIL() << "accepted a bad port";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()).find("topsecret"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("port"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace personae

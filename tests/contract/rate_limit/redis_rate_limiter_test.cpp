// Redis-only behaviour: buckets shared between limiters and processes, the stored form, outages
// (stopped, frozen, never started), credentials and URLs.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapters/ratelimit/redis_rate_limiter.hpp"
#include "core/error.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "tests/contract/rate_limit/rate_limit_fixture.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::string_view kBackendErrors = "personae_rate_limit_backend_errors_total";
constexpr std::string_view kFallbackCalls = "personae_rate_limit_fallback_total";

double counter_value(observability::MetricsRegistry& metrics, std::string_view name) {
  return metrics.counter(std::string(name), "").labels({}).value();
}

RedisRateLimiterOptions options_for(const std::string& url) {
  RedisRateLimiterOptions options;
  options.url = url;
  options.key_prefix = unique_key_prefix();
  options.command_timeout = milliseconds(300);
  options.connect_timeout = milliseconds(200);
  options.retry_interval = milliseconds(100);
  return options;
}

int count_allowed(RateLimiter& limiter, std::string_view key, const RateLimit& limit, int calls) {
  int allowed = 0;
  for (int i = 0; i < calls; ++i) allowed += limiter.acquire(key, limit).allowed ? 1 : 0;
  return allowed;
}

/// Calls acquire until Redis answers again (backend_available), up to `patience`.
bool wait_for_backend(RedisRateLimiter& limiter, milliseconds patience) {
  const auto deadline = steady_clock::now() + patience;
  while (steady_clock::now() < deadline) {
    limiter.acquire("probe", {1000, 1000});
    if (limiter.backend_available()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

TEST(RedisRateLimiter, TwoInstancesShareOneBucket) {
  SteadyMonotonicClock clock;
  observability::MetricsRegistry metrics;
  const auto options = options_for(shared_redis_server().url());
  RedisRateLimiter first(options, clock, &metrics);
  RedisRateLimiter second(options, clock, &metrics);
  const RateLimit limit{10, 0.01};
  int allowed = 0;
  for (int i = 0; i < 10; ++i) {
    allowed += first.acquire("login:account:abc", limit).allowed ? 1 : 0;
    allowed += second.acquire("login:account:abc", limit).allowed ? 1 : 0;
  }
  EXPECT_EQ(allowed, 10);
  // A reset through one is seen by the other.
  first.reset("login:account:abc");
  EXPECT_TRUE(second.acquire("login:account:abc", limit).allowed);
  EXPECT_EQ(counter_value(metrics, kBackendErrors), 0);
  EXPECT_EQ(counter_value(metrics, kFallbackCalls), 0);
}

TEST(RedisRateLimiter, TwoProcessesShareOneLimit) {
  TempDir folder;
  const auto start_file = folder.path() / "go";
  const std::string prefix = unique_key_prefix();
  std::vector<std::unique_ptr<ChildProcess>> workers;
  for (int i = 0; i < 2; ++i) {
    ChildProcess::Options options;
    options.arguments = {PERSONAE_RATE_LIMIT_WORKER,
                         shared_redis_server().url(),
                         prefix,
                         "login:ip:198.51.100.7",
                         "50",     // capacity
                         "0.001",  // refill per second: nothing meaningful refills during the test
                         "100",
                         start_file.string()};
    workers.push_back(std::make_unique<ChildProcess>(std::move(options)));
  }
  std::ofstream(start_file).put('\n');
  int total = 0;
  for (auto& worker : workers) {
    ASSERT_EQ(worker->wait(std::chrono::seconds(60)), 0) << worker->standard_error();
    int allowed = -1;
    int errors = -1;
    ASSERT_EQ(
        std::sscanf(worker->standard_output().c_str(), "allowed=%d backend_errors=%d", &allowed, &errors), 2)
        << worker->standard_output();
    EXPECT_EQ(errors, 0);
    total += allowed;
  }
  // Either process may take most of the tokens (whichever runs first): the sum is what is shared.
  EXPECT_EQ(total, 50);
}

TEST(RedisRateLimiter, ManyThreadsShareASmallPool) {
  SteadyMonotonicClock clock;
  observability::MetricsRegistry metrics;
  auto options = options_for(shared_redis_server().url());
  options.pool_size = 2;
  options.command_timeout = std::chrono::seconds(2);
  RedisRateLimiter limiter(options, clock, &metrics);
  const RateLimit limit{100, 0.01};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 40; ++i) allowed += limiter.acquire("api:tenant:1", limit).allowed ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 100);
  EXPECT_EQ(counter_value(metrics, kBackendErrors), 0);
}

TEST(RedisRateLimiter, StoresATokenHashUnderThePrefixThatExpiresOnceRefilled) {
  SteadyMonotonicClock clock;
  auto options = options_for(shared_redis_server().url());
  RedisRateLimiter limiter(options, clock);
  ASSERT_TRUE(limiter.acquire("api:tenant:7", {10, 2}, 4).allowed);
  RedisServer& server = shared_redis_server();
  const std::string key = options.key_prefix + "api:tenant:7";
  EXPECT_EQ(server.command({"TYPE", key}), "hash");
  EXPECT_NEAR(std::stod(server.command({"HGET", key, "tokens"})), 6, 0.1);
  // Four tokens missing at two a second: full in 2 s, plus one second of margin.
  const long ttl = std::stol(server.command({"PTTL", key}));
  EXPECT_GT(ttl, 2000);
  EXPECT_LE(ttl, 3000);
  limiter.reset("api:tenant:7");
  EXPECT_EQ(server.command({"EXISTS", key}), "0");
}

TEST(RedisRateLimiter, ReloadsTheScriptAfterAFlush) {
  SteadyMonotonicClock clock;
  observability::MetricsRegistry metrics;
  RedisRateLimiter limiter(options_for(shared_redis_server().url()), clock, &metrics);
  const RateLimit limit{3, 0.01};
  ASSERT_TRUE(limiter.acquire("k", limit).allowed);
  shared_redis_server().command({"SCRIPT", "FLUSH"});
  EXPECT_EQ(count_allowed(limiter, "k", limit, 5), 2);  // EVALSHA → NOSCRIPT → EVAL, same bucket
  EXPECT_EQ(counter_value(metrics, kBackendErrors), 0);
}

TEST(RedisRateLimiter, FallsBackLocallyWhenRedisStopsAndSharesAgainWhenItReturns) {
  RedisServer server;
  SteadyMonotonicClock clock;
  observability::MetricsRegistry metrics;
  const auto options = options_for(server.url());
  RedisRateLimiter first(options, clock, &metrics);
  RedisRateLimiter second(options, clock, &metrics);
  const RateLimit limit{3, 0.01};
  ASSERT_EQ(count_allowed(first, "login:ip:203.0.113.9", limit, 3), 3);
  ASSERT_TRUE(first.backend_available());

  server.stop();
  int allowed = 0;
  for (int i = 0; i < 10; ++i) {
    const auto start = steady_clock::now();
    allowed += first.acquire("login:ip:203.0.113.9", limit).allowed ? 1 : 0;
    EXPECT_LT(steady_clock::now() - start, options.command_timeout + milliseconds(100));
    std::this_thread::sleep_for(milliseconds(30));  // spans several retry intervals
  }
  // The in-process bucket starts full, so limits hold per process: never unlimited.
  EXPECT_EQ(allowed, 3);
  EXPECT_FALSE(first.backend_available());
  EXPECT_GE(counter_value(metrics, kBackendErrors), 1);
  EXPECT_GE(counter_value(metrics, kFallbackCalls), 10);

  server.start();
  ASSERT_TRUE(wait_for_backend(first, std::chrono::seconds(5)));
  ASSERT_TRUE(wait_for_backend(second, std::chrono::seconds(5)));
  // The restarted server lost its data: a fresh shared bucket, split between both limiters.
  int shared = 0;
  for (int i = 0; i < 5; ++i) {
    shared += first.acquire("login:ip:203.0.113.9", limit).allowed ? 1 : 0;
    shared += second.acquire("login:ip:203.0.113.9", limit).allowed ? 1 : 0;
  }
  EXPECT_EQ(shared, 3);
}

TEST(RedisRateLimiter, AnswersWithinTheTimeoutWhenRedisHangs) {
  RedisServer server;
  SteadyMonotonicClock clock;
  observability::MetricsRegistry metrics;
  auto options = options_for(server.url());
  options.command_timeout = milliseconds(150);
  RedisRateLimiter limiter(options, clock, &metrics);
  const RateLimit limit{2, 0.01};
  ASSERT_TRUE(limiter.acquire("k", limit).allowed);

  server.pause();
  milliseconds slowest{0};
  int allowed = 0;
  for (int i = 0; i < 6; ++i) {
    const auto start = steady_clock::now();
    allowed += limiter.acquire("k", limit).allowed ? 1 : 0;
    slowest = std::max(slowest, std::chrono::duration_cast<milliseconds>(steady_clock::now() - start));
    std::this_thread::sleep_for(milliseconds(60));
  }
  EXPECT_LT(slowest, options.command_timeout + milliseconds(100));
  EXPECT_LE(allowed, 2);
  EXPECT_GE(counter_value(metrics, kBackendErrors), 1);

  server.resume();
  EXPECT_TRUE(wait_for_backend(limiter, std::chrono::seconds(5)));
}

TEST(RedisRateLimiter, StartsOnTheFallbackWhenRedisIsDownAndWarnsOncePerInterval) {
  SteadyMonotonicClock clock;
  observability::MetricsRegistry metrics;
  auto options = options_for("redis://127.0.0.1:" + std::to_string(free_tcp_port()));
  options.retry_interval = milliseconds(1);
  options.warning_interval = std::chrono::hours(1);
  ::testing::internal::CaptureStderr();
  {
    RedisRateLimiter limiter(options, clock, &metrics);
    const RateLimit limit{5, 0.01};
    int allowed = 0;
    for (int i = 0; i < 50; ++i) {
      allowed += limiter.acquire("k", limit).allowed ? 1 : 0;
      std::this_thread::sleep_for(milliseconds(2));
    }
    EXPECT_EQ(allowed, 5);
    EXPECT_FALSE(limiter.backend_available());
  }
  log::flush();
  const std::string logged = ::testing::internal::GetCapturedStderr();
  std::size_t warnings = 0;
  for (auto at = logged.find("Redis unavailable"); at != std::string::npos;
       at = logged.find("Redis unavailable", at + 1)) {
    ++warnings;
  }
  EXPECT_EQ(warnings, 1u) << logged;
  EXPECT_NE(logged.find("Connection refused"), std::string::npos) << logged;
  EXPECT_GT(counter_value(metrics, kBackendErrors), 10);
  EXPECT_EQ(counter_value(metrics, kFallbackCalls), 50);
}

TEST(RedisRateLimiter, AuthenticatesWithThePasswordInTheUrl) {
  RedisServer server(RedisServer::Options{"s3cret-pw"});
  SteadyMonotonicClock clock;
  observability::MetricsRegistry metrics;
  RedisRateLimiter limiter(options_for(server.url()), clock, &metrics);
  EXPECT_EQ(count_allowed(limiter, "k", {2, 0.01}, 4), 2);
  EXPECT_EQ(counter_value(metrics, kBackendErrors), 0);
}

TEST(RedisRateLimiter, AWrongOrMissingPasswordIsAConfigErrorAtStartUp) {
  RedisServer server(RedisServer::Options{"s3cret-pw"});
  SteadyMonotonicClock clock;
  const std::string address = "127.0.0.1:" + std::to_string(server.port());
  for (const std::string& url : {"redis://:wrong-pw@" + address, "redis://" + address}) {
    try {
      RedisRateLimiter limiter(options_for(url), clock);
      ADD_FAILURE() << "accepted " << url;
    } catch (const ConfigError& error) {
      const std::string message = error.what();
      EXPECT_EQ(message.find("wrong-pw"), std::string::npos) << message;
      EXPECT_NE(message.find("refused"), std::string::npos) << message;
    }
  }
  // A password for a server that has none is a mistake too.
  RedisServer open_server;
  EXPECT_THROW(
      RedisRateLimiter(options_for("redis://:pw@127.0.0.1:" + std::to_string(open_server.port())), clock),
      ConfigError);
}

TEST(RedisRateLimiter, SelectsTheDatabaseInTheUrl) {
  SteadyMonotonicClock clock;
  const std::string base = shared_redis_server().url();
  auto options = options_for(base + "/3");
  RedisRateLimiter limiter(options, clock);
  ASSERT_TRUE(limiter.acquire("k", {2, 1}).allowed);
  // RedisServer::command talks to database 0, where the bucket is not.
  EXPECT_EQ(shared_redis_server().command({"EXISTS", options.key_prefix + "k"}), "0");
  EXPECT_THROW(RedisRateLimiter(options_for(base + "/999"), clock), ConfigError);
}

TEST(RedisRateLimiter, RejectsMalformedUrlsAndOptions) {
  SteadyMonotonicClock clock;
  for (const char* url : {"", "localhost:6379", "http://localhost", "redis://localhost:99999",
                          "redis://:@localhost", "redis://localhost/db", "rediss://localhost"}) {
    EXPECT_THROW(RedisRateLimiter(options_for(url), clock), ConfigError) << url;
  }
  auto options = options_for(shared_redis_server().url());
  options.pool_size = 0;
  EXPECT_THROW(RedisRateLimiter(options, clock), ConfigError);
  options = options_for(shared_redis_server().url());
  options.command_timeout = milliseconds(0);
  EXPECT_THROW(RedisRateLimiter(options, clock), ConfigError);
}

TEST(RedisRateLimiter, RoundTripTime) {
  SteadyMonotonicClock clock;
  RedisRateLimiter limiter(options_for(shared_redis_server().url()), clock);
  constexpr int kCalls = 2000;
  const auto start = steady_clock::now();
  for (int i = 0; i < kCalls; ++i) limiter.acquire("login:ip:10.0.0." + std::to_string(i % 50), {100, 10});
  const double micros =
      std::chrono::duration<double, std::micro>(steady_clock::now() - start).count() / kCalls;
  std::printf("redis limiter: %.1f us per acquire on loopback, one thread (this build)\n", micros);
  EXPECT_TRUE(limiter.backend_available());
}

}  // namespace
}  // namespace personae::testing

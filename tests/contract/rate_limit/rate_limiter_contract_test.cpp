// The RateLimiter contract, run unchanged against the in-process limiter (manual clock: exact
// figures) and the Redis limiter (a throwaway redis-server, real time: bounds only).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/contract/rate_limit/rate_limit_fixture.hpp"

namespace personae::testing {
namespace {

using std::chrono::milliseconds;

struct Implementation {
  std::string name;
  std::function<std::unique_ptr<LimiterHarness>()> make;
};

class RateLimiterContract : public ::testing::TestWithParam<Implementation> {
 protected:
  void SetUp() override { harness_ = GetParam().make(); }

  RateLimiter& limiter() { return harness_->limiter(); }
  bool exact() const { return harness_->exact_time(); }

  int count_allowed(std::string_view key, const RateLimit& limit, int calls, double cost = 1) {
    int allowed = 0;
    for (int i = 0; i < calls; ++i) allowed += limiter().acquire(key, limit, cost).allowed ? 1 : 0;
    return allowed;
  }

  /// `tokens` plus what may have refilled since `start` in real time (nothing with a manual clock).
  int upper_bound(const RateLimit& limit, double tokens, std::chrono::steady_clock::time_point start) const {
    if (exact()) return static_cast<int>(tokens);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return static_cast<int>(std::floor(tokens + limit.refill_per_second * seconds));
  }

  /// How far `remaining` may drift from the exact figure: real time refills a little meanwhile.
  double tolerance() const { return exact() ? 1e-9 : 0.25; }

  std::unique_ptr<LimiterHarness> harness_;
};

TEST_P(RateLimiterContract, ANewKeyAllowsABurstOfCapacityThenRefuses) {
  // 0.5 token/s: the real-time run gains far less than a token while it makes its calls.
  const RateLimit limit{5, 0.5};
  const auto first = limiter().acquire("login:ip:192.0.2.1", limit);
  EXPECT_TRUE(first.allowed);
  EXPECT_NEAR(first.remaining, 4, tolerance());
  EXPECT_EQ(first.retry_after, milliseconds(0));
  EXPECT_EQ(count_allowed("login:ip:192.0.2.1", limit, 10), 4);
  const auto refused = limiter().acquire("login:ip:192.0.2.1", limit);
  EXPECT_FALSE(refused.allowed);
  EXPECT_LT(refused.remaining, 1);
}

TEST_P(RateLimiterContract, RefusedCallsTakeNothingAndSayWhenToRetry) {
  const RateLimit limit{2, 1};
  ASSERT_EQ(count_allowed("k", limit, 2), 2);
  const auto refused = limiter().acquire("k", limit);
  ASSERT_FALSE(refused.allowed);
  EXPECT_GT(refused.retry_after, milliseconds(0));
  EXPECT_LE(refused.retry_after, milliseconds(1000));
  if (exact()) {
    EXPECT_EQ(refused.retry_after, milliseconds(1000));
  }
  // Refused calls took nothing: the next one is due no later than the first refusal said.
  const auto again = limiter().acquire("k", limit);
  EXPECT_FALSE(again.allowed);
  EXPECT_LE(again.retry_after, refused.retry_after);
}

TEST_P(RateLimiterContract, RetryAfterCountsDownAndWaitingItIsEnough) {
  const RateLimit limit{1, 1};  // one token a second
  ASSERT_TRUE(limiter().acquire("k", limit).allowed);
  const auto first = limiter().acquire("k", limit);
  ASSERT_FALSE(first.allowed);
  EXPECT_LE(first.retry_after, milliseconds(1000));
  if (exact()) {
    EXPECT_EQ(first.retry_after, milliseconds(1000));
  }
  harness_->pass(milliseconds(200));
  const auto later = limiter().acquire("k", limit);
  ASSERT_FALSE(later.allowed);
  EXPECT_LE(later.retry_after, milliseconds(800));
  if (exact()) {
    EXPECT_EQ(later.retry_after, milliseconds(800));
  }
  harness_->pass(later.retry_after);
  EXPECT_TRUE(limiter().acquire("k", limit).allowed);
}

TEST_P(RateLimiterContract, RefillsAtTheConfiguredRateUpToCapacity) {
  const RateLimit limit{3, 10};
  ASSERT_EQ(count_allowed("k", limit, 3), 3);
  harness_->pass(milliseconds(250));  // at least 2.5 tokens
  auto start = std::chrono::steady_clock::now();
  int allowed = count_allowed("k", limit, 5);
  EXPECT_GE(allowed, 2);
  EXPECT_LE(allowed, upper_bound(limit, 3, start));
  if (exact()) {
    EXPECT_EQ(allowed, 2);
    EXPECT_NEAR(limiter().acquire("k", limit, 0).remaining, 0.5, 1e-9);
  }
  harness_->pass(milliseconds(2000));  // far more than needed: capped at capacity
  start = std::chrono::steady_clock::now();
  allowed = count_allowed("k", limit, 6);
  EXPECT_GE(allowed, 3);
  EXPECT_LE(allowed, upper_bound(limit, 3, start));
}

TEST_P(RateLimiterContract, CostTakesSeveralTokensAtOnce) {
  const RateLimit limit{10, 0.5};
  const auto first = limiter().acquire("k", limit, 4);
  EXPECT_TRUE(first.allowed);
  EXPECT_NEAR(first.remaining, 6, tolerance());
  EXPECT_TRUE(limiter().acquire("k", limit, 4).allowed);
  const auto refused = limiter().acquire("k", limit, 4);
  EXPECT_FALSE(refused.allowed);
  EXPECT_NEAR(refused.remaining, 2, tolerance());
  // Two tokens missing at 0.5 token/s.
  EXPECT_LE(refused.retry_after, milliseconds(4000));
  EXPECT_GT(refused.retry_after, milliseconds(3000));
  if (exact()) {
    EXPECT_EQ(refused.retry_after, milliseconds(4000));
  }
  EXPECT_TRUE(limiter().acquire("k", limit, 2).allowed);
  const auto peek = limiter().acquire("k", limit, 0);
  EXPECT_TRUE(peek.allowed);
  EXPECT_NEAR(peek.remaining, 0, tolerance());
}

TEST_P(RateLimiterContract, KeysAreIndependent) {
  const RateLimit limit{2, 0.1};
  EXPECT_EQ(count_allowed("login:ip:192.0.2.1", limit, 5), 2);
  EXPECT_EQ(count_allowed("login:ip:192.0.2.2", limit, 5), 2);
  EXPECT_EQ(count_allowed("api:tenant:1", limit, 5), 2);
  // Keys are bytes: spaces, newlines, non-ASCII and prefixes of other keys are all distinct.
  EXPECT_EQ(count_allowed("login:ip:192.0.2.", limit, 5), 2);
  EXPECT_EQ(count_allowed("odd key\nwith \xc3\xa9", limit, 5), 2);
}

TEST_P(RateLimiterContract, ResetMakesTheBucketFullAgain) {
  const RateLimit limit{3, 0.1};
  ASSERT_EQ(count_allowed("k", limit, 5), 3);
  ASSERT_EQ(count_allowed("other", limit, 5), 3);
  limiter().reset("k");
  limiter().reset("never-used");
  EXPECT_EQ(count_allowed("k", limit, 5), 3);
  EXPECT_EQ(count_allowed("other", limit, 5), 0);
}

TEST_P(RateLimiterContract, ASmallerCapacityClampsAFullBucket) {
  ASSERT_TRUE(limiter().acquire("k", {10, 0.1}).allowed);
  const auto decision = limiter().acquire("k", {3, 0.1});
  EXPECT_TRUE(decision.allowed);
  EXPECT_NEAR(decision.remaining, 2, tolerance());
}

TEST_P(RateLimiterContract, RejectsInvalidLimitsAndCosts) {
  EXPECT_THROW(limiter().acquire("k", {0, 1}), std::invalid_argument);
  EXPECT_THROW(limiter().acquire("k", {1, 0}), std::invalid_argument);
  EXPECT_THROW(limiter().acquire("k", {1, -1}), std::invalid_argument);
  EXPECT_THROW(limiter().acquire("k", {std::numeric_limits<double>::infinity(), 1}), std::invalid_argument);
  EXPECT_THROW(limiter().acquire("k", {2, 1}, 2.5), std::invalid_argument);
  EXPECT_THROW(limiter().acquire("k", {2, 1}, -1), std::invalid_argument);
  EXPECT_THROW(limiter().acquire("k", {2, 1}, std::nan("")), std::invalid_argument);
}

TEST_P(RateLimiterContract, ConcurrentCallersNeverGetMoreThanCapacityPlusRefill) {
  const RateLimit limit{20, 50};
  RateLimiter& first = harness_->limiter();
  RateLimiter& second = harness_->peer();
  std::atomic<bool> stop{false};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      RateLimiter& mine = t % 2 == 0 ? first : second;
      while (!stop) {
        if (mine.acquire("hot", limit).allowed) allowed.fetch_add(1);
      }
    });
  }
  milliseconds elapsed{0};
  for (int step = 0; step < 20; ++step) {
    harness_->pass(milliseconds(10));
    elapsed += milliseconds(10);
    // With a manual clock, let the callers run between steps.
    if (exact()) std::this_thread::sleep_for(milliseconds(2));
  }
  stop = true;
  for (auto& thread : threads) thread.join();
  if (!exact()) {
    elapsed =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start) + milliseconds(1);
  }
  const double bound =
      limit.capacity + limit.refill_per_second * std::chrono::duration<double>(elapsed).count();
  EXPECT_LE(allowed.load(), static_cast<int>(std::floor(bound)) + 1)
      << "elapsed " << elapsed.count() << " ms";
  EXPECT_GE(allowed.load(), static_cast<int>(limit.capacity));
}

INSTANTIATE_TEST_SUITE_P(Implementations, RateLimiterContract,
                         ::testing::Values(Implementation{"Memory", make_memory_harness},
                                           Implementation{"Redis", make_redis_harness}),
                         [](const ::testing::TestParamInfo<Implementation>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace personae::testing

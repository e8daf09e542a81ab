#include "adapters/ratelimit/memory_rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace personae {
namespace {

using std::chrono::milliseconds;

class ManualClock final : public MonotonicClock {
 public:
  std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(nanos_.load()));
  }
  void advance(std::chrono::nanoseconds step) { nanos_.fetch_add(step.count()); }

 private:
  std::atomic<std::int64_t> nanos_{1'000'000'000};
};

TEST(MemoryRateLimiter, RejectsInvalidLimitsAndCosts) {
  ManualClock clock;
  MemoryRateLimiter limiter(clock);
  EXPECT_THROW(limiter.acquire("k", {0, 1}), std::invalid_argument);
  EXPECT_THROW(limiter.acquire("k", {1, 0}), std::invalid_argument);
  EXPECT_THROW(limiter.acquire("k", {-1, 1}), std::invalid_argument);
  EXPECT_THROW(limiter.acquire("k", {1, std::numeric_limits<double>::infinity()}), std::invalid_argument);
  EXPECT_THROW(limiter.acquire("k", {1, std::numeric_limits<double>::quiet_NaN()}), std::invalid_argument);
  EXPECT_THROW(limiter.acquire("k", {2, 1}, 3), std::invalid_argument);
  EXPECT_THROW(limiter.acquire("k", {2, 1}, -1), std::invalid_argument);
  EXPECT_THROW(MemoryRateLimiter(clock, {.max_keys = 0}), std::invalid_argument);
  EXPECT_THROW(MemoryRateLimiter(clock, {.shards = 0}), std::invalid_argument);
}

TEST(MemoryRateLimiter, ZeroCostReadsWithoutTaking) {
  ManualClock clock;
  MemoryRateLimiter limiter(clock);
  limiter.acquire("k", {3, 1});
  const auto peek = limiter.acquire("k", {3, 1}, 0);
  EXPECT_TRUE(peek.allowed);
  EXPECT_DOUBLE_EQ(peek.remaining, 2);
  EXPECT_DOUBLE_EQ(limiter.acquire("k", {3, 1}, 0).remaining, 2);
}

TEST(MemoryRateLimiter, ADistinctKeyFloodStaysWithinMaxKeys) {
  ManualClock clock;
  MemoryRateLimiter limiter(clock, {.max_keys = 64, .shards = 4});
  for (int i = 0; i < 10'000; ++i) {
    limiter.acquire("flood:" + std::to_string(i), {5, 0.001});
    ASSERT_LE(limiter.size(), 64u);
  }
  EXPECT_GE(limiter.size(), 60u);
}

TEST(MemoryRateLimiter, DropsTheLeastRecentlyUsedBucketWhenFull) {
  ManualClock clock;
  MemoryRateLimiter limiter(clock, {.max_keys = 3, .shards = 1});
  const RateLimit limit{1, 0.001};
  ASSERT_TRUE(limiter.acquire("a", limit).allowed);
  ASSERT_TRUE(limiter.acquire("b", limit).allowed);
  ASSERT_TRUE(limiter.acquire("c", limit).allowed);
  EXPECT_FALSE(limiter.acquire("a", limit).allowed);  // "a" becomes the most recently used
  ASSERT_TRUE(limiter.acquire("d", limit).allowed);   // evicts "b"
  EXPECT_EQ(limiter.size(), 3u);
  EXPECT_FALSE(limiter.acquire("a", limit).allowed);
  EXPECT_FALSE(limiter.acquire("c", limit).allowed);
  EXPECT_TRUE(limiter.acquire("b", limit).allowed);  // forgotten, so full again
}

TEST(MemoryRateLimiter, DropsIdleFullBucketsBeforeBusyOnes) {
  ManualClock clock;
  MemoryRateLimiter limiter(clock, {.max_keys = 100, .shards = 1});
  for (int i = 0; i < 50; ++i) limiter.acquire("old:" + std::to_string(i), {2, 1});
  EXPECT_EQ(limiter.size(), 50u);
  clock.advance(std::chrono::seconds(5));  // every old bucket has refilled
  for (int i = 0; i < 50; ++i) limiter.acquire("new:" + std::to_string(i), {2, 1});
  // Each insertion dropped up to two idle-full buckets from the cold end.
  EXPECT_EQ(limiter.size(), 50u);
}

TEST(MemoryRateLimiter, ResetRefillsOneKeyOnly) {
  ManualClock clock;
  MemoryRateLimiter limiter(clock);
  const RateLimit limit{1, 0.01};
  limiter.acquire("a", limit);
  limiter.acquire("b", limit);
  limiter.reset("a");
  limiter.reset("never-used");
  EXPECT_TRUE(limiter.acquire("a", limit).allowed);
  EXPECT_FALSE(limiter.acquire("b", limit).allowed);
}

TEST(MemoryRateLimiter, ConcurrentCallersNeverExceedCapacityPlusRefill) {
  ManualClock clock;
  MemoryRateLimiter limiter(clock);
  const RateLimit limit{20, 100};  // 100 tokens per second
  std::atomic<bool> stop{false};
  std::atomic<long> allowed{0};
  std::atomic<std::int64_t> elapsed_ns{0};
  std::thread ticker([&] {
    // Time moves only once the workers have drained the initial burst: on a loaded machine they
    // may start after the ticker would otherwise have finished.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (allowed.load() < static_cast<long>(limit.capacity) && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::yield();
    }
    for (int i = 0; i < 500; ++i) {
      clock.advance(std::chrono::microseconds(200));
      elapsed_ns.fetch_add(200'000);
      std::this_thread::yield();
    }
    stop = true;
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      while (!stop) {
        if (limiter.acquire("hot", limit).allowed) allowed.fetch_add(1);
      }
    });
  }
  ticker.join();
  for (auto& thread : threads) thread.join();
  const double bound =
      limit.capacity + limit.refill_per_second * static_cast<double>(elapsed_ns.load()) / 1e9;
  EXPECT_LE(allowed.load(), static_cast<long>(bound) + 1);
  EXPECT_GE(allowed.load(), static_cast<long>(limit.capacity));
}

TEST(MemoryRateLimiter, Speed) {
  ManualClock clock;
  MemoryRateLimiter limiter(clock, {.max_keys = 10'000});
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; ++i) keys.push_back("login:ip:10.0.0." + std::to_string(i));
  constexpr int kCalls = 200'000;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kCalls; ++i) limiter.acquire(keys[i % keys.size()], {10, 1});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const double ns_per_call = std::chrono::duration<double, std::nano>(elapsed).count() / kCalls;
  std::printf("memory limiter: %.0f ns per acquire (1000 keys, this build)\n", ns_per_call);
  EXPECT_LT(ns_per_call, 100'000);
}

}  // namespace
}  // namespace personae

#include "security/concurrency_limiter.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <thread>

namespace personae::security {
namespace {

using namespace std::chrono_literals;

void wait_until_waiting(const ConcurrencyLimiter& limiter, std::size_t count) {
  // Synchronisation, not an assertion on timing: spin until the other thread is queued.
  while (limiter.waiting() != count) std::this_thread::yield();
}

TEST(ConcurrencyLimiter, RefusesAtOnceWhenFullAndNoQueueIsAllowed) {
  ConcurrencyLimiter limiter(1, 0, 5s);
  auto first = limiter.acquire("busy");
  ASSERT_TRUE(first);
  auto second = limiter.acquire("busy");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(second.error().message, "busy");
  first->reset();
  EXPECT_TRUE(limiter.acquire("busy"));
  EXPECT_EQ(limiter.active(), 0U);
}

TEST(ConcurrencyLimiter, AQueuedCallerIsRefusedWhenItsWaitRunsOut) {
  ConcurrencyLimiter limiter(1, 1, 1ms);
  auto held = limiter.acquire("busy");
  ASSERT_TRUE(held);
  auto late = limiter.acquire("busy");  // nobody releases, so the outcome does not depend on timing
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(limiter.waiting(), 0U);
}

TEST(ConcurrencyLimiter, AQueuedCallerGetsTheReleasedSlotAndTheQueueIsBounded) {
  ConcurrencyLimiter limiter(1, 1, 1h);
  auto held = limiter.acquire("busy");
  ASSERT_TRUE(held);
  std::optional<bool> waiter_succeeded;
  std::thread waiter([&] { waiter_succeeded = limiter.acquire("busy").has_value(); });
  wait_until_waiting(limiter, 1);
  auto overflow = limiter.acquire("busy");
  ASSERT_FALSE(overflow);
  EXPECT_EQ(overflow.error().code, ErrorCode::kUnavailable);
  held->reset();
  waiter.join();
  EXPECT_EQ(waiter_succeeded, true);
  EXPECT_EQ(limiter.active(), 0U);
}

TEST(ConcurrencyLimiter, RefusesAZeroLimit) {
  EXPECT_THROW(ConcurrencyLimiter(0, 1, 1s), ConfigError);
}

}  // namespace
}  // namespace personae::security

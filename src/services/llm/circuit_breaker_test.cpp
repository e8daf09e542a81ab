#include "services/llm/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace personae::llm {
namespace {

using std::chrono::milliseconds;
using TimePoint = CircuitBreaker::TimePoint;

constexpr TimePoint kStart{std::chrono::seconds(1000)};

CircuitBreaker breaker(int threshold = 3, milliseconds open = milliseconds(10'000)) {
  return CircuitBreaker(CircuitBreakerOptions{threshold, open});
}

TEST(CircuitBreaker, OpensAfterTheThresholdOfConsecutiveFailures) {
  auto circuit = breaker(3);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(circuit.try_acquire(kStart));
    circuit.record_failure(kStart);
  }
  EXPECT_EQ(circuit.snapshot(kStart).state, CircuitState::kClosed);
  EXPECT_EQ(circuit.snapshot(kStart).consecutive_failures, 2);
  ASSERT_TRUE(circuit.try_acquire(kStart));
  circuit.record_failure(kStart);
  const auto open = circuit.snapshot(kStart);
  EXPECT_EQ(open.state, CircuitState::kOpen);
  EXPECT_EQ(open.retry_at, kStart + milliseconds(10'000));
  EXPECT_FALSE(circuit.try_acquire(kStart + milliseconds(9'999)));
}

TEST(CircuitBreaker, ASuccessResetsTheCount) {
  auto circuit = breaker(2);
  circuit.record_failure(kStart);
  circuit.record_success();
  circuit.record_failure(kStart);
  EXPECT_EQ(circuit.snapshot(kStart).state, CircuitState::kClosed);
  EXPECT_EQ(circuit.snapshot(kStart).consecutive_failures, 1);
}

TEST(CircuitBreaker, LetsOneProbeThroughAfterTheCoolDownAndClosesOnItsSuccess) {
  auto circuit = breaker(1);
  circuit.record_failure(kStart);
  const auto later = kStart + milliseconds(10'000);
  EXPECT_EQ(circuit.snapshot(later).state, CircuitState::kHalfOpen);
  EXPECT_TRUE(circuit.try_acquire(later));
  EXPECT_FALSE(circuit.try_acquire(later));  // one probe at a time
  circuit.record_success();
  EXPECT_EQ(circuit.snapshot(later).state, CircuitState::kClosed);
  EXPECT_TRUE(circuit.try_acquire(later));
  EXPECT_TRUE(circuit.try_acquire(later));
}

TEST(CircuitBreaker, AFailedProbeOpensItForAnotherFullCoolDown) {
  auto circuit = breaker(1);
  circuit.record_failure(kStart);
  const auto probe = kStart + milliseconds(12'000);
  ASSERT_TRUE(circuit.try_acquire(probe));
  circuit.record_failure(probe);
  EXPECT_EQ(circuit.snapshot(probe).state, CircuitState::kOpen);
  EXPECT_FALSE(circuit.try_acquire(probe + milliseconds(9'999)));
  EXPECT_TRUE(circuit.try_acquire(probe + milliseconds(10'000)));
}

TEST(CircuitBreaker, AnAbandonedProbeFreesTheSlotWithoutDeciding) {
  auto circuit = breaker(1);
  circuit.record_failure(kStart);
  const auto later = kStart + milliseconds(10'000);
  ASSERT_TRUE(circuit.try_acquire(later));
  circuit.record_abandoned();
  EXPECT_EQ(circuit.snapshot(later).state, CircuitState::kHalfOpen);
  EXPECT_TRUE(circuit.try_acquire(later));
  EXPECT_FALSE(circuit.try_acquire(later));
}

TEST(CircuitBreaker, FailuresWhileOpenDoNotExtendTheCoolDown) {
  auto circuit = breaker(1);
  circuit.record_failure(kStart);
  circuit.record_failure(kStart + milliseconds(5'000));  // a call that began before it opened
  EXPECT_TRUE(circuit.try_acquire(kStart + milliseconds(10'000)));
}

TEST(CircuitBreaker, RefusesUnusableOptions) {
  EXPECT_THROW(breaker(0), std::invalid_argument);
  EXPECT_THROW(breaker(1, milliseconds(-1)), std::invalid_argument);
  EXPECT_EQ(circuit_state_name(CircuitState::kHalfOpen), "half_open");
}

}  // namespace
}  // namespace personae::llm

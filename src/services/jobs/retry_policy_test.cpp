#include "services/jobs/retry_policy.hpp"

#include <gtest/gtest.h>

namespace personae {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicyTest, FullJitterStaysWithinZeroAndTheExponentialCeiling) {
  const RetryPolicy policy{milliseconds(1'000), milliseconds(60'000)};
  for (int attempt = 1; attempt <= 10; ++attempt) {
    const std::int64_t ceiling = std::min<std::int64_t>(60'000, 1'000LL << (attempt - 1));
    EXPECT_EQ(retry_delay(policy, attempt, 0.0), milliseconds(0)) << attempt;
    EXPECT_EQ(retry_delay(policy, attempt, 0.5), milliseconds(ceiling / 2)) << attempt;
    EXPECT_LT(retry_delay(policy, attempt, 0.999999), milliseconds(ceiling)) << attempt;
    EXPECT_GE(retry_delay(policy, attempt, 0.999999), milliseconds(ceiling - 1)) << attempt;
  }
}

TEST(RetryPolicyTest, SaturatesAtTheCapForLargeAttempts) {
  const RetryPolicy policy{milliseconds(2'000), milliseconds(3'600'000)};
  EXPECT_EQ(retry_delay(policy, 1'000, 0.5), milliseconds(1'800'000));
  EXPECT_EQ(retry_delay(policy, 0, 0.5), milliseconds(1'000));  // attempts below 1 count as 1
}

TEST(RetryPolicyTest, RetryAfterIsALowerBound) {
  const RetryPolicy policy{milliseconds(1'000), milliseconds(60'000)};
  EXPECT_EQ(retry_delay(policy, 1, 0.1, milliseconds(7'000)), milliseconds(7'000));
  EXPECT_EQ(retry_delay(policy, 8, 0.9, milliseconds(7'000)), milliseconds(54'000));  // capped at 60 s
  // Beyond the cap when the server asks for it.
  EXPECT_EQ(retry_delay(policy, 3, 0.9, milliseconds(120'000)), milliseconds(120'000));
}

TEST(RetryPolicyTest, SystemRandomSourceIsInTheUnitInterval) {
  SystemRandomSource random;
  double sum = 0;
  for (int i = 0; i < 10'000; ++i) {
    const double value = random.uniform01();
    ASSERT_GE(value, 0.0);
    ASSERT_LT(value, 1.0);
    sum += value;
  }
  EXPECT_NEAR(sum / 10'000, 0.5, 0.05);
}

}  // namespace
}  // namespace personae

#include "services/jobs/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace personae {

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempt, double uniform01,
                                      std::optional<std::chrono::milliseconds> retry_after) {
  const double cap = static_cast<double>(std::max<std::int64_t>(policy.cap.count(), 0));
  const int exponent = std::clamp(attempt, 1, 62) - 1;
  // base * 2^(n-1), computed in floating point so that large attempts saturate at the cap.
  const double ceiling = std::min(cap, static_cast<double>(policy.base.count()) * std::ldexp(1.0, exponent));
  const double u = std::clamp(uniform01, 0.0, 1.0);
  auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(std::floor(u * ceiling)));
  if (retry_after.has_value()) delay = std::max(delay, *retry_after);
  return delay;
}

SystemRandomSource::SystemRandomSource() : engine_(std::random_device{}()) {}

double SystemRandomSource::uniform01() {
  std::lock_guard lock(mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
}

}  // namespace personae

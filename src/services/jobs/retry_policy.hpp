#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <random>

namespace personae {

/// Exponential backoff with full jitter: the delay before retry number n (after the n-th failed
/// attempt) is uniform in [0, min(cap, base * 2^(n-1))], so that many jobs failing together do
/// not retry together. A handler's retry_after (a 429's Retry-After) is a lower bound.
struct RetryPolicy {
  std::chrono::milliseconds base{2'000};
  std::chrono::milliseconds cap{3'600'000};
};

/// The delay after failed attempt `attempt` (1-based), given `uniform01` in [0, 1) from a
/// RandomSource and an optional lower bound.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempt, double uniform01,
                                      std::optional<std::chrono::milliseconds> retry_after = std::nullopt);

/// Where jitter comes from; tests inject a fixed sequence.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  /// A value in [0, 1). Thread-safe.
  virtual double uniform01() = 0;
};

/// A Mersenne twister seeded from std::random_device (jitter needs no cryptographic strength).
class SystemRandomSource final : public RandomSource {
 public:
  SystemRandomSource();
  double uniform01() override;

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

}  // namespace personae

#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "ports/rate_limiter.hpp"
#include "tests/support/redis_server.hpp"

namespace personae::testing {

/// A monotonic clock that moves only when told to. Thread-safe.
class ManualMonotonicClock final : public MonotonicClock {
 public:
  std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(nanos_.load()));
  }
  void advance(std::chrono::nanoseconds step) { nanos_.fetch_add(step.count()); }

 private:
  std::atomic<std::int64_t> nanos_{1'000'000'000};
};

/// One limiter implementation under the contract suite, with the way its time passes: a manual
/// clock for the in-process limiter (exact), real sleeps for Redis (whose buckets follow the
/// server's clock; tests assert bounds only).
class LimiterHarness {
 public:
  virtual ~LimiterHarness() = default;
  virtual RateLimiter& limiter() = 0;
  /// A second limiter sharing buckets with limiter() where the implementation shares them across
  /// processes; limiter() itself otherwise.
  virtual RateLimiter& peer() = 0;
  /// Lets at least `duration` pass for the limiter.
  virtual void pass(std::chrono::milliseconds duration) = 0;
  /// Whether time passes only through pass(), so that refill amounts are exact.
  virtual bool exact_time() const = 0;
};

std::unique_ptr<LimiterHarness> make_memory_harness();
std::unique_ptr<LimiterHarness> make_redis_harness();

/// One Redis server for this test binary, started on first use (for tests that do not stop it).
RedisServer& shared_redis_server();

/// A key prefix no other limiter in this process uses: "personae-test:<pid>:<n>:".
std::string unique_key_prefix();

}  // namespace personae::testing

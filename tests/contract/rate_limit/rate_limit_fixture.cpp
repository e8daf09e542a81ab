#include "tests/contract/rate_limit/rate_limit_fixture.hpp"

#include <unistd.h>

#include <thread>

#include "adapters/ratelimit/memory_rate_limiter.hpp"
#include "adapters/ratelimit/redis_rate_limiter.hpp"

namespace personae::testing {
namespace {

class MemoryHarness final : public LimiterHarness {
 public:
  RateLimiter& limiter() override { return limiter_; }
  RateLimiter& peer() override { return limiter_; }
  void pass(std::chrono::milliseconds duration) override { clock_.advance(duration); }
  bool exact_time() const override { return true; }

 private:
  ManualMonotonicClock clock_;
  MemoryRateLimiter limiter_{clock_};
};

class RedisHarness final : public LimiterHarness {
 public:
  RedisHarness() {
    RedisRateLimiterOptions options;
    options.url = shared_redis_server().url();
    options.key_prefix = unique_key_prefix();
    // Generous for a loaded, sanitised build: these tests are about semantics, not latency.
    options.command_timeout = std::chrono::seconds(2);
    options.connect_timeout = std::chrono::seconds(1);
    limiter_ = std::make_unique<RedisRateLimiter>(options, clock_);
    peer_ = std::make_unique<RedisRateLimiter>(options, clock_);
  }
  RateLimiter& limiter() override { return *limiter_; }
  RateLimiter& peer() override { return *peer_; }
  void pass(std::chrono::milliseconds duration) override { std::this_thread::sleep_for(duration); }
  bool exact_time() const override { return false; }

 private:
  SteadyMonotonicClock clock_;
  std::unique_ptr<RedisRateLimiter> limiter_;
  std::unique_ptr<RedisRateLimiter> peer_;
};

}  // namespace

std::unique_ptr<LimiterHarness> make_memory_harness() {
  return std::make_unique<MemoryHarness>();
}

std::unique_ptr<LimiterHarness> make_redis_harness() {
  return std::make_unique<RedisHarness>();
}

RedisServer& shared_redis_server() {
  static RedisServer server;
  return server;
}

std::string unique_key_prefix() {
  static std::atomic<int> next{0};
  return "personae-test:" + std::to_string(::getpid()) + ":" + std::to_string(++next) + ":";
}

}  // namespace personae::testing

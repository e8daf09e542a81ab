// A stand-in for one server process in the two-process test: waits for a start file, makes CALLS
// acquires of KEY against Redis, and prints "allowed=N backend_errors=M".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "adapters/ratelimit/redis_rate_limiter.hpp"
#include "observability/metrics.hpp"

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: %s URL PREFIX KEY CAPACITY REFILL CALLS START_FILE\n", argv[0]);
    return 2;
  }
  personae::SteadyMonotonicClock clock;
  personae::observability::MetricsRegistry metrics;
  personae::RedisRateLimiterOptions options;
  options.url = argv[1];
  options.key_prefix = argv[2];
  options.command_timeout = std::chrono::seconds(2);
  options.connect_timeout = std::chrono::seconds(1);
  personae::RedisRateLimiter limiter(options, clock, &metrics);
  const personae::RateLimit limit{std::stod(argv[4]), std::stod(argv[5])};
  const int calls = std::stoi(argv[6]);

  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!std::filesystem::exists(argv[7])) {
    if (std::chrono::steady_clock::now() > give_up) return 3;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  int allowed = 0;
  for (int i = 0; i < calls; ++i) allowed += limiter.acquire(argv[3], limit).allowed ? 1 : 0;
  const double errors = metrics.counter("personae_rate_limit_backend_errors_total", "").labels({}).value();
  std::printf("allowed=%d backend_errors=%.0f\n", allowed, errors);
  return 0;
}

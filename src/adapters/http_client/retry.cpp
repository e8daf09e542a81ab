#include "adapters/http_client/retry.hpp"

#include <cmath>
#include <random>
#include <thread>

#include "observability/log.hpp"

namespace personae::outbound {
namespace {

using std::chrono::milliseconds;

double default_random() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

std::string_view code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kDeadlineExceeded: return "deadline_exceeded";
    case ErrorCode::kResourceExhausted: return "resource_exhausted";
    default: return "other";
  }
}

}  // namespace

milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit_random,
                           std::optional<milliseconds> retry_after) {
  const double base = static_cast<double>(std::max<std::int64_t>(0, policy.base_delay.count()));
  const double cap = static_cast<double>(std::max<std::int64_t>(0, policy.max_delay.count()));
  // 2^(retry-1), bounded so that the product stays finite long before it matters.
  const double factor = std::ldexp(1.0, std::clamp(retry - 1, 0, 62));
  const double ceiling = std::min(cap, base * factor);
  const double jitter = std::clamp(unit_random, 0.0, 1.0);
  auto delay = milliseconds(static_cast<std::int64_t>(std::floor(ceiling * jitter)));
  if (retry_after && *retry_after > delay) delay = *retry_after;
  return std::max(delay, milliseconds(0));
}

bool retryable(const Request& request, const Attempt& attempt) {
  if (attempt.result || !attempt.transient) return false;
  return request.idempotent || !attempt.sent;
}

Retrier::Retrier(RetryPolicy policy, RetryEnvironment environment)
    : policy_(policy), environment_(std::move(environment)) {
  if (!environment_.sleep)
    environment_.sleep = [](milliseconds delay) { std::this_thread::sleep_for(delay); };
  if (!environment_.random) environment_.random = default_random;
}

Result<Response> Retrier::send(HttpClient& client, const Request& request, std::string_view what) const {
  return run<Response>(what, [&]() -> Outcome<Response> {
    Attempt attempt = client.attempt(request);
    const bool again = retryable(request, attempt);
    return Outcome<Response>{std::move(attempt.result), again};
  });
}

bool Retrier::wait_before_retry(std::string_view what, int failed_attempt, const Error& error) const {
  if (error.retry_after && *error.retry_after > policy_.max_retry_after) {
    log::warn("outbound request not retried: the server asked for a longer wait",
              {{"what", what},
               {"attempt", failed_attempt},
               {"retry_after_ms", error.retry_after->count()},
               {"detail", error.detail}});
    return false;
  }
  const auto delay = backoff_delay(policy_, failed_attempt, environment_.random(), error.retry_after);
  log::warn("outbound request failed; retrying", {{"what", what},
                                                  {"attempt", failed_attempt},
                                                  {"max_attempts", policy_.max_attempts},
                                                  {"delay_ms", delay.count()},
                                                  {"code", code_name(error.code)},
                                                  {"detail", error.detail}});
  environment_.sleep(delay);
  return true;
}

}  // namespace personae::outbound

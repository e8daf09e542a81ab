#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "adapters/http_client/http_client.hpp"
#include "core/error.hpp"

namespace personae::outbound {

struct RetryPolicy {
  /// Attempts in all, the first included (1: no retry).
  int max_attempts = 3;
  /// The backoff ceiling before retry n is min(max_delay, base_delay * 2^(n-1)); the delay is drawn
  /// uniformly below it (full jitter).
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{10'000};
  /// A Retry-After longer than this is not waited for inside the call: the error is returned at
  /// once, with its `retry_after`, so that the caller (a job queue) can reschedule.
  std::chrono::milliseconds max_retry_after{30'000};
};

/// Where a Retrier waits and draws its jitter. Empty members mean the real ones
/// (std::this_thread::sleep_for; a per-thread generator seeded from std::random_device); tests
/// inject their own to run deterministically and without waiting.
struct RetryEnvironment {
  std::function<void(std::chrono::milliseconds)> sleep;
  /// Uniform in [0, 1).
  std::function<double()> random;
};

/// One try of an operation, for Retrier::run: its result and whether a failure may be retried.
template <class T>
struct Outcome {
  Result<T> result;
  bool retryable = false;
};

/// The delay before retry number `retry` (1 for the first retry): `unit_random` (in [0, 1)) times
/// the backoff ceiling, then raised to `retry_after` when that is longer. Never negative.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit_random,
                                        std::optional<std::chrono::milliseconds> retry_after = std::nullopt);

/// Whether a failed HTTP attempt may be tried again: only transient failures (connection errors,
/// 5xx, 429, timeouts), and only when the request is idempotent or never reached the server.
bool retryable(const Request& request, const Attempt& attempt);

/// Retries with full-jitter exponential backoff. Logs a warning before each retry (what, attempt,
/// delay, error detail). Thread-safe when the environment's functions are.
class Retrier {
 public:
  explicit Retrier(RetryPolicy policy = {}, RetryEnvironment environment = {});

  const RetryPolicy& policy() const { return policy_; }

  /// Sends `request` until it succeeds, fails for good (see retryable()), or the attempts run out;
  /// returns the last result. `what` names the operation in logs ("S3 UploadPart").
  Result<Response> send(HttpClient& client, const Request& request,
                        std::string_view what = "http request") const;

  /// The same loop over any operation.
  template <class T>
  Result<T> run(std::string_view what, const std::function<Outcome<T>()>& operation) const {
    for (int attempt = 1;; ++attempt) {
      Outcome<T> outcome = operation();
      if (outcome.result || !outcome.retryable || attempt >= std::max(1, policy_.max_attempts)) {
        return std::move(outcome.result);
      }
      if (!wait_before_retry(what, attempt, outcome.result.error())) return std::move(outcome.result);
    }
  }

 private:
  /// Sleeps before the next attempt; false when the server asked for a longer wait than allowed.
  bool wait_before_retry(std::string_view what, int failed_attempt, const Error& error) const;

  RetryPolicy policy_;
  RetryEnvironment environment_;
};

}  // namespace personae::outbound

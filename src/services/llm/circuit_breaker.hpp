#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string_view>

namespace personae::llm {

enum class CircuitState {
  kClosed,    ///< calls go through; consecutive failures are counted
  kOpen,      ///< calls are refused until the cool-down ends
  kHalfOpen,  ///< the cool-down ended: one probe call goes through, its outcome decides
};

/// "closed", "open", "half_open".
std::string_view circuit_state_name(CircuitState state);

struct CircuitBreakerOptions {
  /// Consecutive failures that open the circuit (at least 1).
  int failure_threshold = 3;
  /// How long an open circuit refuses calls before it lets one probe through.
  std::chrono::milliseconds open_duration{30'000};
};

/// A circuit breaker for one provider. Closed: calls pass and `failure_threshold` consecutive
/// failures open it. Open: calls are refused for `open_duration`; then the next call is the one
/// probe (half-open) and others are refused while it runs; the probe's success closes the circuit,
/// its failure opens it for another `open_duration`. A success in any state closes it (the server
/// answered). Time comes from the caller (a monotonic clock), so tests control it.
///
/// Every call that try_acquire() let through must be reported once: record_success(),
/// record_failure() or record_abandoned() (a cancelled call, which says nothing about the server).
/// Thread-safe.
class CircuitBreaker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  /// Throws std::invalid_argument when the threshold is below 1 or the duration negative.
  explicit CircuitBreaker(CircuitBreakerOptions options = {});

  /// Whether a call may go now (and, when the cool-down is over, takes the probe slot).
  bool try_acquire(TimePoint now);
  void record_success();
  void record_failure(TimePoint now);
  void record_abandoned();

  struct Snapshot {
    CircuitState state = CircuitState::kClosed;
    int consecutive_failures = 0;
    /// Open: when a probe will be allowed.
    std::optional<TimePoint> retry_at;
  };
  /// The state as seen at `now`: an open circuit whose cool-down has ended reads as half-open.
  Snapshot snapshot(TimePoint now) const;

 private:
  CircuitBreakerOptions options_;
  mutable std::mutex mutex_;
  CircuitState state_ = CircuitState::kClosed;
  int consecutive_failures_ = 0;
  TimePoint opened_at_{};
  bool probe_in_flight_ = false;
};

}  // namespace personae::llm

#include "services/llm/circuit_breaker.hpp"

#include <stdexcept>

namespace personae::llm {

std::string_view circuit_state_name(CircuitState state) {
  switch (state) {
    case CircuitState::kOpen: return "open";
    case CircuitState::kHalfOpen: return "half_open";
    case CircuitState::kClosed: break;
  }
  return "closed";
}

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options) : options_(options) {
  if (options_.failure_threshold < 1)
    throw std::invalid_argument("the circuit breaker threshold must be at least 1");
  if (options_.open_duration.count() < 0)
    throw std::invalid_argument("the circuit breaker duration must not be negative");
}

bool CircuitBreaker::try_acquire(TimePoint now) {
  const std::lock_guard lock(mutex_);
  switch (state_) {
    case CircuitState::kClosed: return true;
    case CircuitState::kOpen:
      if (now - opened_at_ < options_.open_duration) return false;
      state_ = CircuitState::kHalfOpen;
      probe_in_flight_ = true;
      return true;
    case CircuitState::kHalfOpen:
      if (probe_in_flight_) return false;
      probe_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::record_success() {
  const std::lock_guard lock(mutex_);
  state_ = CircuitState::kClosed;
  consecutive_failures_ = 0;
  probe_in_flight_ = false;
}

void CircuitBreaker::record_failure(TimePoint now) {
  const std::lock_guard lock(mutex_);
  ++consecutive_failures_;
  switch (state_) {
    case CircuitState::kClosed:
      if (consecutive_failures_ >= options_.failure_threshold) {
        state_ = CircuitState::kOpen;
        opened_at_ = now;
      }
      break;
    case CircuitState::kHalfOpen:
      state_ = CircuitState::kOpen;
      opened_at_ = now;
      probe_in_flight_ = false;
      break;
    case CircuitState::kOpen: break;  // a call from before it opened: the cool-down stands
  }
}

void CircuitBreaker::record_abandoned() {
  const std::lock_guard lock(mutex_);
  // A cancelled probe proves nothing: the next call probes instead.
  if (state_ == CircuitState::kHalfOpen) probe_in_flight_ = false;
}

CircuitBreaker::Snapshot CircuitBreaker::snapshot(TimePoint now) const {
  const std::lock_guard lock(mutex_);
  Snapshot snapshot;
  snapshot.state = state_;
  snapshot.consecutive_failures = consecutive_failures_;
  if (state_ == CircuitState::kOpen) {
    snapshot.retry_at = opened_at_ + options_.open_duration;
    if (now >= *snapshot.retry_at) snapshot.state = CircuitState::kHalfOpen;
  }
  return snapshot;
}

}  // namespace personae::llm

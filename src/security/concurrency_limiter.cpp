#include "security/concurrency_limiter.hpp"

#include <string>

namespace personae::security {

ConcurrencyLimiter::Permit& ConcurrencyLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    reset();
    limiter_ = other.limiter_;
    other.limiter_ = nullptr;
  }
  return *this;
}

void ConcurrencyLimiter::Permit::reset() {
  if (limiter_ != nullptr) {
    limiter_->release();
    limiter_ = nullptr;
  }
}

ConcurrencyLimiter::ConcurrencyLimiter(std::size_t max_active, std::size_t max_waiting,
                                       std::chrono::milliseconds wait_timeout)
    : max_active_(max_active), max_waiting_(max_waiting), wait_timeout_(wait_timeout) {
  if (max_active_ == 0) throw ConfigError("the concurrency limit must be at least 1");
}

Result<ConcurrencyLimiter::Permit> ConcurrencyLimiter::acquire(std::string_view busy_message) {
  std::unique_lock lock(mutex_);
  if (active_ < max_active_ && waiting_ == 0) {
    ++active_;
    return Permit(this);
  }
  if (waiting_ >= max_waiting_) {
    return make_error(ErrorCode::kUnavailable, std::string(busy_message), "wait queue full");
  }
  ++waiting_;
  const bool got_slot = released_.wait_for(lock, wait_timeout_, [this] { return active_ < max_active_; });
  --waiting_;
  if (!got_slot) return make_error(ErrorCode::kUnavailable, std::string(busy_message), "wait timed out");
  ++active_;
  return Permit(this);
}

void ConcurrencyLimiter::release() {
  {
    std::lock_guard lock(mutex_);
    --active_;
  }
  released_.notify_one();
}

std::size_t ConcurrencyLimiter::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

std::size_t ConcurrencyLimiter::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace personae::security

#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

#include "core/error.hpp"

namespace personae::security {

/// A counting semaphore with a bounded queue: at most `max_active` holders at once, at most
/// `max_waiting` callers blocked behind them, each for at most `wait_timeout`. A caller beyond
/// the queue, or one whose wait runs out, gets kUnavailable at once rather than piling up threads.
/// Thread-safe. Must outlive every Permit it hands out.
class ConcurrencyLimiter {
 public:
  /// Holds one slot until destroyed. Move-only.
  class Permit {
   public:
    Permit(Permit&& other) noexcept : limiter_(other.limiter_) { other.limiter_ = nullptr; }
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { reset(); }

    /// Gives the slot back early (idempotent).
    void reset();

   private:
    friend class ConcurrencyLimiter;
    explicit Permit(ConcurrencyLimiter* limiter) : limiter_(limiter) {}
    ConcurrencyLimiter* limiter_;
  };

  /// `max_active` must be at least 1 (throws ConfigError otherwise).
  ConcurrencyLimiter(std::size_t max_active, std::size_t max_waiting, std::chrono::milliseconds wait_timeout);
  ConcurrencyLimiter(const ConcurrencyLimiter&) = delete;
  ConcurrencyLimiter& operator=(const ConcurrencyLimiter&) = delete;

  /// Takes a slot, waiting if needed. kUnavailable with `busy_message` when the queue is full or
  /// the wait times out.
  Result<Permit> acquire(std::string_view busy_message);

  std::size_t active() const;
  std::size_t waiting() const;

 private:
  void release();

  const std::size_t max_active_;
  const std::size_t max_waiting_;
  const std::chrono::milliseconds wait_timeout_;
  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::size_t active_ = 0;
  std::size_t waiting_ = 0;
};

}  // namespace personae::security

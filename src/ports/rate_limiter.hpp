#pragma once

#include <chrono>
#include <string_view>

namespace personae {

/// A token bucket: it holds at most `capacity` tokens (the burst) and gains `refill_per_second`
/// tokens every second (the sustained rate). A new or long-idle bucket is full.
/// Both must be finite and greater than zero; limiters throw std::invalid_argument otherwise (limits
/// come from validated configuration, so a bad one is a bug).
struct RateLimit {
  double capacity = 0;
  double refill_per_second = 0;
};

/// The answer to one acquire().
struct RateDecision {
  bool allowed = false;
  /// Tokens left in the bucket after this call (fractional: buckets refill continuously).
  double remaining = 0;
  /// Zero when allowed. When refused: how long until the bucket holds enough tokens for the same
  /// cost (one token for the default cost), rounded up to whole milliseconds. The HTTP layer rounds
  /// it up to whole seconds for `Retry-After`.
  std::chrono::milliseconds retry_after{0};
};

/// Token-bucket rate limiting by key.
///
/// Keys are chosen by callers and name what is limited, e.g. "login:ip:1.2.3.4",
/// "login:account:<sha256 of the normalised e-mail>", "api:tenant:<id>". A key must never hold a
/// raw secret, token or e-mail address: implementations may store keys in a shared server and log
/// them, so callers hash personal data first.
///
/// The limit is passed on every call rather than registered, so one limiter serves every route;
/// a key should always be used with the same limit (a smaller capacity clamps the stored tokens).
///
/// Thread safety: every method may be called from any thread at once. The in-process
/// implementation never blocks beyond a short mutex; a networked implementation (Redis) blocks the
/// calling thread for at most its configured timeout, so call it from worker threads, not IO
/// threads.
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;

  /// Takes `cost` tokens from the bucket `key` if it holds that many; a refused call takes nothing.
  /// `cost` must be finite, >= 0 and <= limit.capacity (0 only reads the bucket); otherwise
  /// std::invalid_argument. Never throws for a backend failure: implementations decide how to
  /// degrade and say so.
  virtual RateDecision acquire(std::string_view key, const RateLimit& limit, double cost = 1) = 0;

  /// Forgets the bucket `key`, so that it is full again (e.g. after a successful login clears the
  /// per-account failure budget).
  virtual void reset(std::string_view key) = 0;
};

/// Monotonic time for rate limiting, injected so that tests control it. (ports/clock.hpp is wall
/// time, which may jump; a bucket must not refill because NTP stepped the clock.)
class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  virtual std::chrono::steady_clock::time_point now() const = 0;
};

class SteadyMonotonicClock final : public MonotonicClock {
 public:
  std::chrono::steady_clock::time_point now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace personae

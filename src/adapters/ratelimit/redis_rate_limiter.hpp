#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/ratelimit/memory_rate_limiter.hpp"
#include "adapters/ratelimit/redis_url.hpp"
#include "ports/rate_limiter.hpp"

struct redisContext;

namespace personae::observability {
class Counter;
class MetricsRegistry;
}  // namespace personae::observability

namespace personae {

struct RedisRateLimiterOptions {
  /// `redis://[[username]:password@]host[:port][/db]` (see RedisUrl).
  std::string url;
  /// Prepended to every key in Redis, so that other users of the same database are left alone.
  std::string key_prefix = "personae:rl:";
  /// The longest one acquire() or reset() blocks on Redis, all included: waiting for a pooled
  /// connection, connecting, AUTH/SELECT and the script. Past it the call is answered locally.
  std::chrono::milliseconds command_timeout{100};
  /// The longest a new connection may take to establish (within command_timeout).
  std::chrono::milliseconds connect_timeout{50};
  /// Connections kept open; a call waits (within command_timeout) when all are busy.
  std::size_t pool_size = 8;
  /// After a failure, calls go straight to the in-process limiter for this long; then one call
  /// tries Redis again while the others keep using the in-process limiter.
  std::chrono::milliseconds retry_interval{1000};
  /// At most one warning per interval is logged while Redis fails (with the count of failures).
  std::chrono::milliseconds warning_interval{std::chrono::seconds(60)};
  /// The in-process limiter used while Redis is unavailable.
  MemoryRateLimiterOptions fallback;
};

/// Token buckets shared by every process through one Redis server: each acquire() runs one Lua
/// script (EVALSHA, EVAL when the server answers NOSCRIPT) that refills and takes tokens
/// atomically, timed by the Redis server's own clock (`TIME`), so that clock skew between
/// application servers does not matter. A bucket is a hash {tokens, ts} under
/// `key_prefix + key` that expires once it would have refilled (at most 30 days).
///
/// Failure policy (SECURITY.md C5): when Redis cannot answer within `command_timeout` (down,
/// unreachable, refusing the password, returning an error), the call is answered by an in-process
/// MemoryRateLimiter instead, so limits still hold per process and are never lifted. Each failure
/// increments `personae_rate_limit_backend_errors_total`, each locally answered call
/// `personae_rate_limit_fallback_total`; a warning is logged at most once per `warning_interval`.
/// Redis is retried every `retry_interval` and used again as soon as it answers (logged once),
/// without a restart. Buckets are not copied between the two: after a switch, a key starts from
/// whatever state the other side holds for it.
///
/// Thread-safe. Blocks the calling thread on the network for at most `command_timeout` (DNS
/// resolution of a host name excepted: use an address or a local resolver). Sockets are written
/// with MSG_NOSIGNAL, so a dropped connection never raises SIGPIPE. `clock` (for the in-process
/// buckets, the retry and warning intervals) and `metrics` must outlive the limiter.
class RedisRateLimiter final : public RateLimiter {
 public:
  /// Parses the URL and connects once. Throws ConfigError for a malformed URL or options, and when
  /// Redis answers but refuses the credentials or the database number (a configuration mistake that
  /// retrying cannot fix). When Redis does not answer at all, the limiter starts on the in-process
  /// fallback with a warning and switches to Redis when it comes up.
  RedisRateLimiter(RedisRateLimiterOptions options, const MonotonicClock& clock,
                   observability::MetricsRegistry* metrics = nullptr);
  ~RedisRateLimiter() override;
  RedisRateLimiter(const RedisRateLimiter&) = delete;
  RedisRateLimiter& operator=(const RedisRateLimiter&) = delete;

  RateDecision acquire(std::string_view key, const RateLimit& limit, double cost = 1) override;
  /// Deletes the bucket in the in-process fallback and in Redis (there only while Redis answers).
  void reset(std::string_view key) override;

  /// False while calls are being answered by the in-process fallback (for readiness reports).
  bool backend_available() const;

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const;
  };
  using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;
  using Deadline = std::chrono::steady_clock::time_point;
  struct Failure;
  struct Lease;
  class Reply;

  /// Runs `attempt(context)` on a pooled connection before `deadline`, retrying once on a fresh
  /// connection when a reused one turns out to be broken (Redis restarted since it was opened).
  template <class Attempt>
  bool with_connection(Deadline deadline, Attempt&& attempt, Failure& failure);
  bool lease(Deadline deadline, Lease& lease, Failure& failure);
  void give_back(ContextPtr context);
  void discard(ContextPtr context);
  ContextPtr connect(Deadline deadline, Failure& failure) const;
  Reply command(redisContext& context, const std::vector<std::string_view>& arguments, Deadline deadline,
                Failure& failure) const;
  bool run_script(redisContext& context, std::string_view key, const RateLimit& limit, double cost,
                  Deadline deadline, RateDecision& decision, Failure& failure) const;

  /// Whether this call should try Redis: not while a recent failure holds it off, and only one
  /// caller per retry_interval once it has failed.
  bool should_try_backend();
  void on_success();
  void on_failure(const Failure& failure);

  RedisRateLimiterOptions options_;
  RedisUrl url_;
  const MonotonicClock& clock_;
  MemoryRateLimiter fallback_;
  std::string script_;
  std::string script_sha_;
  observability::Counter* backend_errors_ = nullptr;
  observability::Counter* fallback_calls_ = nullptr;

  std::mutex pool_mutex_;
  std::condition_variable pool_available_;
  std::vector<ContextPtr> idle_;
  std::size_t open_ = 0;  ///< idle plus leased connections

  /// Monotonic nanoseconds until which Redis is not tried; 0 while it works.
  std::atomic<std::int64_t> hold_off_until_{0};
  /// Monotonic nanoseconds of the last warning; the lowest value before the first.
  std::atomic<std::int64_t> last_warning_;
  std::atomic<std::uint64_t> failures_since_warning_{0};
};

}  // namespace personae

#include "adapters/ratelimit/redis_rate_limiter.hpp"

#include "core/text_encoding.hpp"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <thread>
#include <utility>

#include "adapters/ratelimit/token_bucket.hpp"
#include "core/error.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"

namespace personae {
namespace {

// KEYS[1]: the bucket. ARGV: capacity, refill per second, cost. Returns {allowed (0/1), tokens}.
// Times are the Redis server's microseconds. A bucket whose stored time is ahead of the server
// (after a failover to a replica with a slower clock) refills nothing until the clock catches up.
// Numbers go back to Redis through string.format: Lua's own conversion keeps 14 digits and may
// write exponents that PEXPIRE rejects.
constexpr std::string_view kScript = R"lua(
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = tokens + (now - ts) / 1000000 * rate
  ts = now
end
if tokens > capacity then tokens = capacity end
if tokens < 0 then tokens = 0 end
local allowed = 0
if tokens + 1e-9 >= cost then
  allowed = 1
  tokens = math.max(0, tokens - cost)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', ts))
local ttl = math.min(math.ceil((capacity - tokens) / rate * 1000) + 1000, 2592000000)
redis.call('PEXPIRE', KEYS[1], string.format('%d', ttl))
return {allowed, string.format('%.17g', tokens)}
)lua";

std::string sha1_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr) != 1) {
    throw std::runtime_error("SHA-1 of the rate limit script failed");
  }
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string format_number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

timeval to_timeval(std::chrono::steady_clock::duration duration) {
  const auto micros =
      std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::microseconds>(duration).count());
  return timeval{static_cast<time_t>(micros / 1'000'000), static_cast<suseconds_t>(micros % 1'000'000)};
}

std::int64_t ticks(std::chrono::steady_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

std::int64_t ticks(std::chrono::milliseconds duration) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

struct RedisRateLimiter::Failure {
  enum class Kind {
    kUnreachable,  ///< connect, IO error or timeout
    kRefused,      ///< AUTH or SELECT refused: a configuration mistake
    kReply,        ///< the server answered with an error
    kBusy,         ///< every pooled connection stayed busy until the deadline
  };
  Kind kind = Kind::kUnreachable;
  std::string reason;
};

struct RedisRateLimiter::Lease {
  ContextPtr context;
  bool fresh = false;
};

class RedisRateLimiter::Reply {
 public:
  Reply() = default;
  explicit Reply(redisReply* reply) : reply_(reply) {}
  explicit operator bool() const { return reply_ != nullptr; }
  const redisReply* operator->() const { return reply_.get(); }
  const redisReply& operator*() const { return *reply_; }
  bool is_error() const { return reply_ && reply_->type == REDIS_REPLY_ERROR; }
  std::string_view text() const {
    return reply_ && reply_->str != nullptr ? std::string_view(reply_->str, reply_->len) : std::string_view();
  }

 private:
  struct Deleter {
    void operator()(redisReply* reply) const { freeReplyObject(reply); }
  };
  std::unique_ptr<redisReply, Deleter> reply_;
};

void RedisRateLimiter::ContextDeleter::operator()(redisContext* context) const {
  redisFree(context);
}

RedisRateLimiter::RedisRateLimiter(RedisRateLimiterOptions options, const MonotonicClock& clock,
                                   observability::MetricsRegistry* metrics)
    : options_(std::move(options)),
      url_(RedisUrl::parse(options_.url)),
      clock_(clock),
      fallback_(clock, options_.fallback),
      script_(kScript),
      script_sha_(sha1_hex(script_)),
      last_warning_(std::numeric_limits<std::int64_t>::min()) {
  using std::chrono::milliseconds;
  if (options_.command_timeout <= milliseconds(0) || options_.connect_timeout <= milliseconds(0) ||
      options_.retry_interval <= milliseconds(0) || options_.warning_interval < milliseconds(0)) {
    throw ConfigError("Redis rate limiter: timeouts and intervals must be positive");
  }
  if (options_.pool_size == 0) throw ConfigError("Redis rate limiter: pool_size must be at least 1");
  if (metrics != nullptr) {
    backend_errors_ =
        &metrics
             ->counter("personae_rate_limit_backend_errors_total",
                       "Rate limit calls that Redis failed to answer (answered in-process instead)")
             .labels({});
    fallback_calls_ =
        &metrics
             ->counter("personae_rate_limit_fallback_total",
                       "Rate limit calls answered by the in-process limiter because Redis was unavailable")
             .labels({});
  }

  // One connection now: a wrong password or database is reported at start-up, while Redis being
  // down is not fatal (it may come up after us).
  Failure failure;
  const auto deadline = std::chrono::steady_clock::now() + options_.command_timeout;
  const bool reached = with_connection(
      deadline,
      [&](redisContext& context, Failure& attempt_failure) {
        const Reply reply = command(context, {"PING"}, deadline, attempt_failure);
        if (!reply) return false;
        if (reply.is_error()) {
          attempt_failure = {
              starts_with(reply.text(), "NOAUTH") ? Failure::Kind::kRefused : Failure::Kind::kReply,
              std::string(reply.text())};
          return false;
        }
        return true;
      },
      failure);
  if (!reached) {
    if (failure.kind == Failure::Kind::kRefused) {
      throw ConfigError("Redis at " + url_.redacted() +
                        " refused the connection settings: " + failure.reason);
    }
    on_failure(failure);
  }
}

RedisRateLimiter::~RedisRateLimiter() = default;

bool RedisRateLimiter::backend_available() const {
  return hold_off_until_.load(std::memory_order_acquire) == 0;
}

RateDecision RedisRateLimiter::acquire(std::string_view key, const RateLimit& limit, double cost) {
  ratelimit::validate(limit, cost);
  if (should_try_backend()) {
    const auto deadline = std::chrono::steady_clock::now() + options_.command_timeout;
    RateDecision decision;
    Failure failure;
    const bool done = with_connection(
        deadline,
        [&](redisContext& context, Failure& attempt_failure) {
          return run_script(context, key, limit, cost, deadline, decision, attempt_failure);
        },
        failure);
    if (done) {
      on_success();
      return decision;
    }
    on_failure(failure);
  }
  if (fallback_calls_ != nullptr) fallback_calls_->inc();
  return fallback_.acquire(key, limit, cost);
}

void RedisRateLimiter::reset(std::string_view key) {
  fallback_.reset(key);
  if (!should_try_backend()) return;
  const auto deadline = std::chrono::steady_clock::now() + options_.command_timeout;
  const std::string redis_key = options_.key_prefix + std::string(key);
  Failure failure;
  const bool done = with_connection(
      deadline,
      [&](redisContext& context, Failure& attempt_failure) {
        const Reply reply = command(context, {"DEL", redis_key}, deadline, attempt_failure);
        if (!reply) return false;
        if (reply.is_error()) {
          attempt_failure = {Failure::Kind::kReply, std::string(reply.text())};
          return false;
        }
        return true;
      },
      failure);
  if (done) {
    on_success();
  } else {
    on_failure(failure);
  }
}

bool RedisRateLimiter::run_script(redisContext& context, std::string_view key, const RateLimit& limit,
                                  double cost, Deadline deadline, RateDecision& decision,
                                  Failure& failure) const {
  const std::string redis_key = options_.key_prefix + std::string(key);
  const std::string capacity = format_number(limit.capacity);
  const std::string rate = format_number(limit.refill_per_second);
  const std::string cost_text = format_number(cost);
  Reply reply = command(context, {"EVALSHA", script_sha_, "1", redis_key, capacity, rate, cost_text},
                        deadline, failure);
  if (reply.is_error() && starts_with(reply.text(), "NOSCRIPT")) {
    // A restarted server or SCRIPT FLUSH: EVAL runs the script and caches it for next time.
    reply = command(context, {"EVAL", script_, "1", redis_key, capacity, rate, cost_text}, deadline, failure);
  }
  if (!reply) return false;
  if (reply.is_error()) {
    failure = {Failure::Kind::kReply, std::string(reply.text())};
    return false;
  }
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      reply->element[0]->type != REDIS_REPLY_INTEGER || reply->element[1]->type != REDIS_REPLY_STRING) {
    failure = {Failure::Kind::kReply, "unexpected reply to the rate limit script"};
    return false;
  }
  const bool allowed = reply->element[0]->integer == 1;
  const std::string tokens_text(reply->element[1]->str, reply->element[1]->len);
  char* end = nullptr;
  const double tokens = std::strtod(tokens_text.c_str(), &end);
  if (end == tokens_text.c_str() || *end != '\0') {
    failure = {Failure::Kind::kReply, "unexpected token count from the rate limit script"};
    return false;
  }
  decision = ratelimit::decide(allowed, tokens, cost, limit);
  return true;
}

template <class Attempt>
bool RedisRateLimiter::with_connection(Deadline deadline, Attempt&& attempt, Failure& failure) {
  for (int tries = 0; tries < 2; ++tries) {
    Lease leased;
    if (!lease(deadline, leased, failure)) return false;
    if (attempt(*leased.context, failure)) {
      give_back(std::move(leased.context));
      return true;
    }
    const bool broken = leased.context->err != 0;
    if (broken) {
      discard(std::move(leased.context));
    } else {
      give_back(std::move(leased.context));
    }
    // Only a broken connection that had been idle in the pool deserves a second try: the server
    // may have restarted since, and its siblings are just as stale.
    if (!broken || leased.fresh || failure.kind != Failure::Kind::kUnreachable) return false;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::vector<ContextPtr> stale;
    {
      std::lock_guard lock(pool_mutex_);
      stale.swap(idle_);
      open_ -= stale.size();
    }
    pool_available_.notify_all();
  }
  return false;
}

bool RedisRateLimiter::lease(Deadline deadline, Lease& leased, Failure& failure) {
  {
    std::unique_lock lock(pool_mutex_);
    const bool ready = pool_available_.wait_until(
        lock, deadline, [this] { return !idle_.empty() || open_ < options_.pool_size; });
    if (!ready) {
      failure = {Failure::Kind::kBusy, "no free Redis connection within the command timeout"};
      return false;
    }
    if (!idle_.empty()) {
      leased.context = std::move(idle_.back());
      idle_.pop_back();
      leased.fresh = false;
      return true;
    }
    ++open_;
  }
  leased.context = connect(deadline, failure);
  leased.fresh = true;
  if (!leased.context) {
    {
      std::lock_guard lock(pool_mutex_);
      --open_;
    }
    pool_available_.notify_one();
    return false;
  }
  return true;
}

void RedisRateLimiter::give_back(ContextPtr context) {
  {
    std::lock_guard lock(pool_mutex_);
    idle_.push_back(std::move(context));
  }
  pool_available_.notify_one();
}

void RedisRateLimiter::discard(ContextPtr context) {
  context.reset();
  {
    std::lock_guard lock(pool_mutex_);
    --open_;
  }
  pool_available_.notify_one();
}

RedisRateLimiter::ContextPtr RedisRateLimiter::connect(Deadline deadline, Failure& failure) const {
  const auto remaining = deadline - std::chrono::steady_clock::now();
  if (remaining <= std::chrono::steady_clock::duration::zero()) {
    failure = {Failure::Kind::kUnreachable, "command timeout reached before connecting"};
    return nullptr;
  }
  const auto connect_time =
      std::min<std::chrono::steady_clock::duration>(remaining, options_.connect_timeout);
  ContextPtr context(redisConnectWithTimeout(url_.host.c_str(), url_.port, to_timeval(connect_time)));
  if (!context) {
    failure = {Failure::Kind::kUnreachable, "cannot allocate a Redis connection"};
    return nullptr;
  }
  if (context->err != 0) {
    failure = {Failure::Kind::kUnreachable, std::string("connect: ") + context->errstr};
    return nullptr;
  }
  const auto setup = [&](const std::vector<std::string_view>& arguments, std::string_view what) {
    const Reply reply = command(*context, arguments, deadline, failure);
    if (!reply) return false;
    if (reply.is_error()) {
      failure = {Failure::Kind::kRefused, std::string(what) + ": " + std::string(reply.text())};
      return false;
    }
    return true;
  };
  if (!url_.password.empty()) {
    const bool authenticated = url_.username.empty() ? setup({"AUTH", url_.password}, "AUTH")
                                                     : setup({"AUTH", url_.username, url_.password}, "AUTH");
    if (!authenticated) return nullptr;
  }
  if (url_.database != 0 && !setup({"SELECT", std::to_string(url_.database)}, "SELECT")) return nullptr;
  return context;
}

RedisRateLimiter::Reply RedisRateLimiter::command(redisContext& context,
                                                  const std::vector<std::string_view>& arguments,
                                                  Deadline deadline, Failure& failure) const {
  const auto remaining = deadline - std::chrono::steady_clock::now();
  if (remaining <= std::chrono::steady_clock::duration::zero()) {
    // The connection may be mid-conversation on a later call; never reuse it.
    context.err = REDIS_ERR_IO;
    failure = {Failure::Kind::kUnreachable, "command timeout reached"};
    return Reply();
  }
  // Socket timeouts bound each read and write by what is left of this call's budget.
  if (redisSetTimeout(&context, to_timeval(remaining)) != REDIS_OK) {
    failure = {Failure::Kind::kUnreachable, std::string("set timeout: ") + context.errstr};
    return Reply();
  }
  std::vector<const char*> pointers;
  std::vector<std::size_t> lengths;
  pointers.reserve(arguments.size());
  lengths.reserve(arguments.size());
  for (const auto argument : arguments) {
    pointers.push_back(argument.data());
    lengths.push_back(argument.size());
  }
  char* formatted = nullptr;
  const int length =
      redisFormatCommandArgv(&formatted, static_cast<int>(arguments.size()), pointers.data(), lengths.data());
  if (length < 0) {
    failure = {Failure::Kind::kUnreachable, "cannot format a Redis command"};
    return Reply();
  }
  // hiredis writes with write(2), which raises SIGPIPE on a connection the server closed; the
  // command is sent here with MSG_NOSIGNAL instead, and hiredis only reads the reply.
  std::size_t sent = 0;
  while (sent < static_cast<std::size_t>(length)) {
    const ssize_t n =
        ::send(context.fd, formatted + sent, static_cast<std::size_t>(length) - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const bool timed_out = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
      failure = {Failure::Kind::kUnreachable,
                 timed_out ? std::string("write timed out") : std::string("write: ") + std::strerror(errno)};
      context.err = REDIS_ERR_IO;
      redisFreeCommand(formatted);
      return Reply();
    }
    sent += static_cast<std::size_t>(n);
  }
  redisFreeCommand(formatted);
  void* raw = nullptr;
  if (redisGetReply(&context, &raw) != REDIS_OK || raw == nullptr) {
    // hiredis reports an expired socket timeout as the text of EAGAIN.
    const bool timed_out = std::string_view(context.errstr) == std::strerror(EAGAIN);
    failure = {Failure::Kind::kUnreachable,
               timed_out ? std::string("read timed out") : std::string("read: ") + context.errstr};
    if (context.err == 0) context.err = REDIS_ERR_IO;
    return Reply();
  }
  return Reply(static_cast<redisReply*>(raw));
}

bool RedisRateLimiter::should_try_backend() {
  std::int64_t until = hold_off_until_.load(std::memory_order_acquire);
  if (until == 0) return true;
  const std::int64_t now = ticks(clock_.now());
  if (now < until) return false;
  // One caller probes; the others stay on the fallback until it reports.
  return hold_off_until_.compare_exchange_strong(until, now + ticks(options_.retry_interval),
                                                 std::memory_order_acq_rel);
}

void RedisRateLimiter::on_success() {
  if (hold_off_until_.exchange(0, std::memory_order_acq_rel) != 0) {
    log::info("rate limiter: Redis answers again; limits are shared again", {{"redis", url_.redacted()}});
  }
}

void RedisRateLimiter::on_failure(const Failure& failure) {
  if (backend_errors_ != nullptr) backend_errors_->inc();
  const std::int64_t now = ticks(clock_.now());
  // A busy pool says nothing about Redis's health: only the call is answered locally.
  if (failure.kind != Failure::Kind::kBusy) {
    hold_off_until_.store(now + ticks(options_.retry_interval), std::memory_order_release);
  }
  const std::uint64_t failures = failures_since_warning_.fetch_add(1, std::memory_order_relaxed) + 1;
  std::int64_t last = last_warning_.load(std::memory_order_relaxed);
  const bool due =
      last == std::numeric_limits<std::int64_t>::min() || now - last >= ticks(options_.warning_interval);
  if (!due || !last_warning_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
  failures_since_warning_.fetch_sub(failures, std::memory_order_relaxed);
  log::warn("rate limiter: Redis unavailable; limiting in this process only",
            {{"redis", url_.redacted()}, {"reason", failure.reason}, {"failures", failures}});
}

}  // namespace personae

#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "security/concurrency_limiter.hpp"

namespace personae::security {

/// Argon2id cost and the admission limits that keep a login flood from starving the server.
struct PasswordHasherOptions {
  /// Argon2id memory in bytes; at least 19 MiB (OWASP's floor for t = 2).
  std::size_t memlimit_bytes = std::size_t{19} * 1024 * 1024;
  /// Argon2id passes; at least 2.
  unsigned long long opslimit = 2;
  /// Hashes computed at once (each holds memlimit_bytes and one core for ~0.1-0.2 s).
  std::size_t max_concurrent_hashes = 2;
  /// Callers allowed to queue for a slot; beyond that they are refused at once.
  std::size_t max_waiting = 64;
  /// How long a queued caller waits before being refused.
  std::chrono::milliseconds wait_timeout{5000};
};

/// Hashes and verifies passwords with libsodium's Argon2id (PHC strings such as
/// `$argon2id$v=19$m=19456,t=2,p=1$...`). Passwords are compared exactly as given: no
/// truncation, case folding or Unicode normalisation.
///
/// Thread-safe: every method may be called from any thread. hash(), verify() and dummy_verify()
/// block the calling thread for the hash time (call them from a worker pool, not an IO thread) and
/// return kUnavailable ("too many password checks in progress") when the limiter refuses them.
class PasswordHasher {
 public:
  /// Passwords longer than this many bytes are refused by hash() and never match in verify().
  /// The policy allows 128 code points, i.e. at most 512 bytes.
  static constexpr std::size_t kMaxPasswordBytes = 1024;

  /// Throws ConfigError if the cost is below the floor or above libsodium's limits, or if
  /// max_concurrent_hashes is 0.
  explicit PasswordHasher(PasswordHasherOptions options = {});
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  /// A PHC string for `password` at the configured cost, with a fresh random salt.
  /// kInvalidArgument for a password over kMaxPasswordBytes, kUnavailable when busy,
  /// kInternal if libsodium fails (out of memory).
  Result<std::string> hash(std::string_view password);

  /// Whether `password` matches `stored` (libsodium compares in constant time). A `stored` value
  /// that is not an Argon2 PHC string yields false, not an error. kUnavailable when busy.
  Result<bool> verify(std::string_view password, std::string_view stored);

  /// Spends the time of one verify() against a hash at the configured cost, for a login whose
  /// e-mail matches no account, so that response time does not reveal which accounts exist.
  /// kUnavailable when busy, exactly like verify().
  Result<void> dummy_verify(std::string_view password);

  /// True when `stored` was made with other parameters than the configured ones (or is not a
  /// valid Argon2id string): the caller re-hashes the password after a successful login.
  bool needs_rehash(std::string_view stored) const;

  const PasswordHasherOptions& options() const noexcept { return options_; }

  /// The admission limiter, exposed so that callers can report its load and tests can hold a slot.
  ConcurrencyLimiter& limiter() noexcept { return limiter_; }

 private:
  Result<std::string> hash_unlimited(std::string_view password) const;

  PasswordHasherOptions options_;
  ConcurrencyLimiter limiter_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace personae::security

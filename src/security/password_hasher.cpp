#include "security/password_hasher.hpp"

#include <sodium.h>

#include <algorithm>

#include "security/encoding.hpp"

namespace personae::security {

namespace {

constexpr std::size_t kMinMemlimitBytes = 19 * 1024 * 1024;
constexpr unsigned long long kMinOpslimit = 2;
constexpr std::string_view kBusyMessage = "too many password checks in progress";
constexpr std::string_view kArgon2Prefix = "$argon2";

PasswordHasherOptions checked(PasswordHasherOptions options) {
  if (options.memlimit_bytes < kMinMemlimitBytes) {
    throw ConfigError("the Argon2 memory cost must be at least 19 MiB (19922944 bytes)");
  }
  if (options.memlimit_bytes > crypto_pwhash_MEMLIMIT_MAX) {
    throw ConfigError("the Argon2 memory cost is above libsodium's maximum");
  }
  if (options.opslimit < kMinOpslimit) throw ConfigError("the Argon2 pass count must be at least 2");
  if (options.opslimit > crypto_pwhash_OPSLIMIT_MAX) {
    throw ConfigError("the Argon2 pass count is above libsodium's maximum");
  }
  if (options.max_concurrent_hashes == 0) throw ConfigError("max_concurrent_hashes must be at least 1");
  return options;
}

}  // namespace

PasswordHasher::PasswordHasher(PasswordHasherOptions options)
    : options_(checked(options)),
      limiter_(options_.max_concurrent_hashes, options_.max_waiting, options_.wait_timeout) {
  ensure_sodium();
}

Result<std::string> PasswordHasher::hash_unlimited(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), options_.opslimit, options_.memlimit_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return make_error(ErrorCode::kInternal, "cannot hash the password",
                      "crypto_pwhash_str_alg failed (memory)");
  }
  return std::string(out);
}

Result<std::string> PasswordHasher::hash(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) {
    return make_error(ErrorCode::kInvalidArgument, "the password is too long");
  }
  auto permit = limiter_.acquire(kBusyMessage);
  if (!permit) return tl::unexpected(std::move(permit.error()));
  return hash_unlimited(password);
}

Result<bool> PasswordHasher::verify(std::string_view password, std::string_view stored) {
  if (password.size() > kMaxPasswordBytes) return false;
  // libsodium reads a NUL-terminated string; an embedded NUL or another scheme cannot be ours.
  if (!stored.starts_with(kArgon2Prefix) || stored.size() >= crypto_pwhash_STRBYTES ||
      stored.find('\0') != std::string_view::npos) {
    return false;
  }
  const std::string stored_z(stored);
  auto permit = limiter_.acquire(kBusyMessage);
  if (!permit) return tl::unexpected(std::move(permit.error()));
  return crypto_pwhash_str_verify(stored_z.c_str(), password.data(), password.size()) == 0;
}

Result<void> PasswordHasher::dummy_verify(std::string_view password) {
  auto permit = limiter_.acquire(kBusyMessage);
  if (!permit) return tl::unexpected(std::move(permit.error()));
  // The reference hash is made once, lazily, so that constructing a hasher stays cheap.
  std::call_once(dummy_once_, [this] {
    auto made = hash_unlimited("personae-dummy-password");
    if (made) dummy_hash_ = std::move(*made);
  });
  if (dummy_hash_.empty()) {
    // Out of memory when making the reference hash: fall back to hashing, which costs the same.
    auto made = hash_unlimited(password.substr(0, kMaxPasswordBytes));
    if (!made) return tl::unexpected(std::move(made.error()));
    return {};
  }
  // The result is irrelevant: only the time spent matters.
  [[maybe_unused]] const int ignored = crypto_pwhash_str_verify(dummy_hash_.c_str(), password.data(),
                                                                std::min(password.size(), kMaxPasswordBytes));
  return {};
}

bool PasswordHasher::needs_rehash(std::string_view stored) const {
  if (!stored.starts_with("$argon2id$") || stored.size() >= crypto_pwhash_STRBYTES ||
      stored.find('\0') != std::string_view::npos) {
    return true;
  }
  const std::string stored_z(stored);
  return crypto_pwhash_str_needs_rehash(stored_z.c_str(), options_.opslimit, options_.memlimit_bytes) != 0;
}

}  // namespace personae::security

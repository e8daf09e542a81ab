#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace personae::security {

/// Opaque secrets: refresh tokens, setup and invitation links, API keys, recovery codes, row ids.
/// Every value comes from libsodium's CSPRNG (randombytes_buf). All functions are thread-safe.

/// `bytes` random bytes as unpadded base64url (32 bytes -> 43 characters, 256 bits).
std::string generate_token(std::size_t bytes = 32);

/// The value stored in place of a token: SHA-256 as 64 lowercase hex characters. A fast hash is
/// right here because the tokens carry at least 128 bits of entropy (SECURITY.md §5.3); never use
/// it for passwords.
std::string hash_token(std::string_view token);

/// An API key `psk_<prefix>_<secret>`: the 8-character prefix ([a-z0-9]) is public and indexes
/// the key's row; the secret is a 256-bit token stored only as hash_token(secret).
struct ApiKey {
  static constexpr std::string_view kScheme = "psk_";
  static constexpr std::size_t kPrefixLength = 8;

  std::string prefix;
  std::string secret;

  /// The full key as shown once to its owner.
  std::string text() const;
};

ApiKey generate_api_key();

/// Splits a presented key; nullopt unless it has exactly the generated shape (scheme, an 8-char
/// [a-z0-9] prefix, '_', a 43-character base64url secret).
std::optional<ApiKey> parse_api_key(std::string_view text);

/// Single-use recovery codes `xxxx-xxxx-xxxx` over Crockford's base32 alphabet in lower case
/// (no i, l, o, u): 12 characters of 5 bits, 60 bits each.
inline constexpr std::size_t kRecoveryCodeCount = 10;
std::vector<std::string> generate_recovery_codes(std::size_t count = kRecoveryCodeCount);

/// The canonical form of a code typed by a user (case, spaces and dashes ignored; o -> 0,
/// i and l -> 1 as in Crockford's base32), ready for hash_token(); nullopt if it cannot be one.
std::optional<std::string> normalize_recovery_code(std::string_view input);

/// A random (version 4) UUID in its 36-character lower-case text form, for row ids. Not a secret:
/// ids are not bearer credentials (ASVS 11.5.1).
std::string generate_id();

}  // namespace personae::security

#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

// OpenSSL's key type (EVP_PKEY), declared as OpenSSL itself does, to keep its headers out of ours.
struct evp_pkey_st;

namespace personae::security {

/// The ES256 (ECDSA P-256, SHA-256) keys that sign and verify access tokens, each named by its
/// `kid`. One key is active and signs; every key in the set verifies, so tokens signed before a
/// rotation stay valid until they expire; removing a key revokes every token it signed.
///
/// A key id is 1 to 64 characters of [A-Za-z0-9_-]; it is only ever looked up in this set, never
/// used as a path or a query. Immutable once built; share it as `shared_ptr<const JwtKeySet>`
/// (reads are thread-safe).
class JwtKeySet {
 public:
  struct Key {
    std::string kid;
    std::string private_pem;  ///< PKCS#8 or SEC1 PEM; empty for a verification-only key
    std::string public_pem;   ///< SubjectPublicKeyInfo PEM
    /// The parsed public key, shared by copies of the set. Parsing a PEM costs several times an
    /// ECDSA verification with OpenSSL 3, so it is done once here rather than per token.
    std::shared_ptr<evp_pkey_st> public_key;
  };

  /// Loads every `<kid>.pem` file in `dir` (other files are ignored). A file may hold a private key
  /// (it can sign) or a public key (verification only, e.g. a retired key whose private half was
  /// destroyed). The active key is `active_kid` if given, else the private key whose kid sorts
  /// last, which is the newest when kids come from generate_key_file().
  /// kNotFound when the folder is missing or holds no private key (the caller may then call
  /// generate_key_file()); kInvalidArgument for a bad kid, a key that is not an unencrypted P-256
  /// key, or an unknown `active_kid`; the detail names the file.
  static Result<JwtKeySet> load_directory(const std::filesystem::path& dir, std::string_view active_kid = {});

  /// Generates a P-256 private key with OpenSSL and writes it to `dir/<kid>.pem` with mode 0600
  /// (creating `dir` with mode 0700). The kid is the UTC time and random bits
  /// (`20250101T120000Z-1a2b3c4d`), so the newest key sorts last. Returns the kid.
  static Result<std::string> generate_key_file(const std::filesystem::path& dir);

  /// A new P-256 private key as PKCS#8 PEM (for tests and tools).
  static Result<std::string> generate_private_pem();

  /// Adds a key from a private-key PEM; the first one added becomes active.
  /// kInvalidArgument for a bad kid, a duplicate kid, or a key that is not P-256.
  Result<void> add_private_key(std::string kid, std::string_view private_pem);

  /// Adds a verification-only key from a public-key PEM. Same errors as add_private_key().
  Result<void> add_public_key(std::string kid, std::string_view public_pem);

  /// Makes `kid` the signing key. kInvalidArgument if it is unknown or has no private key.
  Result<void> set_active(std::string_view kid);

  /// Drops a key; tokens it signed no longer verify. Returns false if it was not in the set.
  /// Removing the active key leaves the set without a signing key.
  bool remove(std::string_view kid);

  /// The key with that id, or nullptr. The pointer lives as long as the set is not modified.
  const Key* find(std::string_view kid) const;

  /// The signing key, or nullptr if there is none.
  const Key* active() const;

  std::vector<std::string> kids() const;

  static bool is_valid_kid(std::string_view kid);

 private:
  std::map<std::string, Key, std::less<>> keys_;
  std::string active_kid_;
};

/// What access tokens say and how strictly they are checked.
struct JwtOptions {
  std::string issuer;    ///< `iss`, compared exactly; required
  std::string audience;  ///< `aud` we issue, and the one a token must contain; required
  std::chrono::seconds access_ttl{15 * 60};
  /// Clock skew tolerated on `exp` and `nbf`; at most 60 s.
  std::chrono::seconds leeway{30};
};

/// The verified content of an access token.
struct AccessClaims {
  std::string user_id;                              ///< `sub`
  std::string tenant_id;                            ///< `tid`
  std::string token_id;                             ///< `jti`
  std::string key_id;                               ///< header `kid`
  std::chrono::system_clock::time_point issued_at;  ///< `iat`, compare with a per-user tokens_valid_after
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point expires_at;
  std::string session_id;  ///< `sid`: the sign-in (refresh-token family) it belongs to; may be empty
};

struct IssuedAccessToken {
  std::string token;
  AccessClaims claims;
  std::chrono::seconds expires_in;  ///< for the OAuth-style token response
};

/// A header `typ` accepted besides "JWT" (which libjwt 1.10 always writes; it cannot be set):
/// RFC 9068's access-token type, for when a later libjwt lets us emit it.
inline constexpr std::string_view kAccessTokenHeaderType = "at+jwt";
/// The `typ` claim of access tokens; other token kinds must use another value.
inline constexpr std::string_view kAccessTokenType = "access";
/// Longer tokens are refused before any parsing.
inline constexpr std::size_t kMaxTokenBytes = std::size_t{8} * 1024;

/// Signs access tokens with the key set's active key (libjwt, ES256). Thread-safe.
class JwtIssuer {
 public:
  /// Throws ConfigError for an empty issuer/audience, a TTL not positive or a leeway outside 0-60 s.
  JwtIssuer(std::shared_ptr<const JwtKeySet> keys, JwtOptions options);

  /// A token for `user_id` acting in `tenant_id`, valid from `now` for access_ttl, with a random
  /// 128-bit `jti` and, when given, the sign-in it belongs to as `sid` (so that a request with
  /// only an access token, e.g. from the dashboard's cookies, knows its session).
  /// kFailedPrecondition if the set has no active key, kInternal if signing fails.
  Result<IssuedAccessToken> issue(std::string_view user_id, std::string_view tenant_id,
                                  std::chrono::system_clock::time_point now,
                                  std::string_view session_id = {}) const;

 private:
  std::shared_ptr<const JwtKeySet> keys_;
  JwtOptions options_;
};

/// Checks access tokens (RFC 8725). Before any cryptography, the header is decoded here and the
/// token refused unless `alg` is exactly "ES256", `kid` names a key of the set, and no `jku`,
/// `x5u`, `jwk`, `x5c`, `crit`, `enc` or `zip` header is present (nothing is ever fetched). Then
/// the ES256 signature is checked with that key's pre-parsed public key (OpenSSL, fixed to
/// ECDSA P-256 with SHA-256 whatever the header says), and the claims are checked: `exp` and `nbf` with
/// the leeway, `iss` exactly, `aud` containing our audience, `typ` "access" (and header `typ`,
/// if present, "JWT" or "at+jwt"), `sub`, `tid`, `jti` and `iat` present.
///
/// Every failure is kUnauthenticated, with a client-safe message and a short reason in `detail`
/// for logs; neither contains the token. Thread-safe.
class JwtVerifier {
 public:
  /// Same option checks as JwtIssuer.
  JwtVerifier(std::shared_ptr<const JwtKeySet> keys, JwtOptions options);

  /// Thread-safe. A token that verified once is remembered (up to kCachedTokens of them) so that
  /// the ECDSA check, ~0.1 ms, runs once per token rather than once per request; the time claims
  /// are still checked against `now` on every call. Revocation is the caller's business
  /// (tokens_valid_after, disabled users), exactly as without the cache.
  Result<AccessClaims> verify(std::string_view token, std::chrono::system_clock::time_point now) const;

  static constexpr std::size_t kCachedTokens = 10'000;

 private:
  struct VerifiedTokens;
  Result<AccessClaims> verify_uncached(std::string_view token,
                                       std::chrono::system_clock::time_point now) const;

  std::shared_ptr<const JwtKeySet> keys_;
  JwtOptions options_;
  std::shared_ptr<VerifiedTokens> verified_;
};

}  // namespace personae::security

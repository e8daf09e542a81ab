#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/accounts/membership.hpp"
#include "domain/accounts/role.hpp"
#include "ports/rate_limiter.hpp"
#include "services/service_support.hpp"

namespace personae {

/// Lifetimes and limits of the accounts use cases. The access-token TTL is not here: it comes from
/// security::JwtOptions (15 min), given to the JwtIssuer.
struct AccountsOptions {
  /// A refresh token unused for this long expires (inactivity timeout, ASVS 7.3.1).
  std::chrono::milliseconds refresh_idle_ttl = std::chrono::hours(24 * 14);
  /// A session family ends this long after its login, however often it is refreshed (ASVS 7.3.2).
  std::chrono::milliseconds session_absolute_lifetime = std::chrono::hours(24 * 30);
  /// The first-run setup link.
  std::chrono::milliseconds setup_token_ttl = std::chrono::hours(1);
  std::chrono::milliseconds invitation_ttl = std::chrono::hours(24 * 7);
  /// An API key must have an expiry, at most this far ahead.
  std::chrono::milliseconds api_key_max_lifetime = std::chrono::hours(24 * 365);
  /// The ticket a login returns when the tenant requires MFA and the user has none enrolled.
  std::chrono::milliseconds enrolment_ticket_ttl = std::chrono::minutes(10);
  /// A used refresh token presented again within this window of its first use is taken for a
  /// concurrent refresh by the same client (refused with kUnauthenticated, family kept); later, it
  /// is reuse and revokes the family. Zero detects every repeat as reuse.
  std::chrono::milliseconds refresh_reuse_grace = std::chrono::seconds(2);
  /// API-key last_used_at is written at most this often per key (authentication is a read).
  std::chrono::milliseconds api_key_touch_interval = std::chrono::minutes(1);
  /// Login attempts per client IP: a burst of 10, refilling 10 per minute.
  RateLimit login_per_ip{10, 10.0 / 60.0};
  /// Login attempts per account (key: SHA-256 of the normalised e-mail): a burst of 5, refilling 5
  /// per 15 minutes. Reset by a successful login.
  RateLimit login_per_account{5, 5.0 / (15 * 60)};
  /// Authenticated API requests per tenant (check_tenant_api_rate): 50 per second, burst 100.
  RateLimit api_per_tenant{100, 50};
  /// Check new passwords with security::check_new_password (length, common list, e-mail).
  bool enforce_password_policy = true;
};

/// A rate-limit refusal: kResourceExhausted, "too many attempts, try again later" (never naming
/// the account), and Error::retry_after set to `retry_after` rounded up to whole seconds, at
/// least 1 (the HTTP layer sends it as Retry-After).
Error rate_limited_error(std::chrono::milliseconds retry_after);

/// The tokens of a signed-in session, in the shape of an OAuth 2.0 token response.
struct TokenPair {
  std::string access_token;  ///< ES256 JWT
  std::string token_type = "Bearer";
  std::chrono::seconds expires_in{0};           ///< of the access token
  std::string refresh_token;                    ///< opaque, 256 bits, shown once, stored only hashed
  std::int64_t refresh_expires_at_unix_ms = 0;  ///< idle expiry, capped at the family's end
  std::string session_id;                       ///< the family id: stable across rotations, names the session
  std::string user_id;
  std::string tenant_id;
};

/// One tenant the user may act in (login tenant choice, tenant switcher).
struct TenantChoice {
  std::string tenant_id;
  std::string name;
  Role role = Role::kViewer;
};

/// What an authenticator app needs to enrol: show `otpauth_uri` as a QR code, `secret_base32` for
/// manual entry. Contains the secret: show once, never log.
struct TotpEnrolment {
  std::string otpauth_uri;
  std::string secret_base32;
};

}  // namespace personae

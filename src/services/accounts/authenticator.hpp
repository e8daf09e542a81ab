#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "domain/authorization/authorization.hpp"
#include "ports/api_key_repository.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"
#include "ports/membership_repository.hpp"
#include "ports/rate_limiter.hpp"
#include "ports/user_repository.hpp"
#include "security/jwt.hpp"
#include "services/accounts/accounts_types.hpp"

namespace personae {

/// Turns a bearer credential into the Principal a request acts as. Runs on every request, so each
/// method verifies the credential in memory first and then uses exactly ONE kRead transaction
/// (user, membership, and for API keys the key row); an API key's last_used_at is written in a
/// separate short kWrite transaction at most once per api_key_touch_interval per key.
///
/// Every refusal is kUnauthenticated with one client-safe message ("invalid access token" /
/// "invalid API key") and the reason in `detail` (for logs): bad signature or claims, unknown
/// user, disabled user, token issued before tokens_valid_after (refused when iat * 1000 <=
/// tokens_valid_after: the whole second of a revocation is refused), membership gone; for keys: malformed,
/// unknown prefix, wrong secret (constant-time comparison), revoked, expired, creator disabled or no longer
/// a member. Role and scopes always come from the current membership, never from the token.
/// Thread-safe; holds references that must outlive it.
class Authenticator {
 public:
  Authenticator(Database& database, UserRepository& users, MembershipRepository& memberships,
                ApiKeyRepository& api_keys, const security::JwtVerifier& verifier, const Clock& clock,
                AccountsOptions options = {});

  /// The user's Principal (kind kUser) in the token's tenant.
  Result<Principal> authenticate_access_token(std::string_view token);

  /// The key's Principal (kind kApiKey, user_id = its creator, role = the creator's current role,
  /// api_key_actions = the key's granted actions, api_key_id set).
  Result<Principal> authenticate_api_key(std::string_view key);

 private:
  Database& database_;
  UserRepository& users_;
  MembershipRepository& memberships_;
  ApiKeyRepository& api_keys_;
  const security::JwtVerifier& verifier_;
  const Clock& clock_;
  AccountsOptions options_;
};

/// The per-tenant API rate limit (options.api_per_tenant, key "api:tenant:<id>"): call once per
/// authenticated request. kResourceExhausted with retry_after_seconds() when exceeded.
Result<void> check_tenant_api_rate(RateLimiter& limiter, const AccountsOptions& options,
                                   const Principal& principal);

}  // namespace personae

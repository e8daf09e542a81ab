#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/authorization/authorization.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"
#include "ports/rate_limiter.hpp"
#include "ports/recovery_code_repository.hpp"
#include "ports/tenant_repository.hpp"
#include "ports/user_repository.hpp"
#include "security/password_hasher.hpp"
#include "security/secret_box.hpp"
#include "services/accounts/accounts_types.hpp"
#include "services/audit_log_service.hpp"

namespace personae {

/// TOTP enrolment and management for a signed-in user, and the tenant's "require MFA" switch.
/// Every change re-authenticates with the password first (ASVS 7.5.1): a wrong one is
/// kUnauthenticated "password is wrong" and counts against the per-account rate limit
/// (kResourceExhausted with retry_after_seconds()). API-key principals get kPermissionDenied.
/// Secrets are sealed with the SecretBox under AAD "user:<id>:totp". 2FA changes are audited.
/// Blocking; thread-safe; holds references that must outlive it.
class SecondFactorService {
 public:
  SecondFactorService(Database& database, TenantRepository& tenants, UserRepository& users,
                      RecoveryCodeRepository& recovery_codes, AuditLogService& audit,
                      security::PasswordHasher& hasher, const security::SecretBox& secret_box,
                      RateLimiter& rate_limiter, const Clock& clock, AccountsOptions options = {});

  /// Generates a secret and stores it sealed, not yet enabled (replacing an unconfirmed one).
  /// kFailedPrecondition "two-factor authentication is already enabled".
  Result<TotpEnrolment> begin_enrolment(const Principal& principal, std::string_view password,
                                        const ClientInfo& client);

  /// Enables TOTP with a current code of the pending secret and returns 10 recovery codes, shown
  /// once (stored hashed). kFailedPrecondition when no enrolment is pending or TOTP is already
  /// enabled; kUnauthenticated "invalid code" for a wrong or replayed code.
  Result<std::vector<std::string>> confirm_enrolment(const Principal& principal, std::string_view code,
                                                     const ClientInfo& client);

  /// Turns TOTP off and deletes the recovery codes: password and a current code (or an unused
  /// recovery code) required. kFailedPrecondition when TOTP is not enabled, or when a tenant the
  /// user belongs to requires MFA; kUnauthenticated for a wrong password or code.
  Result<void> disable(const Principal& principal, std::string_view password, std::string_view code,
                       const ClientInfo& client);

  /// Replaces the recovery codes with 10 new ones (returned once). kFailedPrecondition when TOTP
  /// is not enabled; kUnauthenticated for a wrong password.
  Result<std::vector<std::string>> regenerate_recovery_codes(const Principal& principal,
                                                             std::string_view password,
                                                             const ClientInfo& client);

  /// How many unused recovery codes the user has left.
  Result<std::int64_t> recovery_codes_remaining(const Principal& principal);

  /// Requires (or stops requiring) MFA for every member of the principal's tenant: needs
  /// Action::kTenantManageSecurity (kPermissionDenied) and the password (kUnauthenticated).
  Result<void> set_tenant_require_mfa(const Principal& principal, bool require_mfa, std::string_view password,
                                      const ClientInfo& client);

 private:
  Database& database_;
  TenantRepository& tenants_;
  UserRepository& users_;
  RecoveryCodeRepository& recovery_codes_;
  AuditLogService& audit_;
  security::PasswordHasher& hasher_;
  const security::SecretBox& secret_box_;
  RateLimiter& rate_limiter_;
  const Clock& clock_;
  AccountsOptions options_;
};

}  // namespace personae

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/accounts/membership.hpp"
#include "domain/accounts/tenant.hpp"
#include "domain/accounts/user.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"
#include "ports/membership_repository.hpp"
#include "ports/session_repository.hpp"
#include "ports/setup_token_repository.hpp"
#include "ports/tenant_repository.hpp"
#include "ports/user_repository.hpp"
#include "security/password_hasher.hpp"
#include "services/accounts/accounts_types.hpp"
#include "services/audit_log_service.hpp"

namespace personae {

/// What complete_setup() and create_user() made.
struct CreatedAccount {
  Tenant tenant;
  User user;  ///< password_hash included: do not serialise it
  Membership membership;
};

/// First run and operator (CLI) actions. There is no default account: on an empty installation
/// `serve` prints a setup link (issue_setup_token), whose holder creates the first tenant and its
/// owner; the CLI can do the same with create_tenant/create_user. Operator actions are audited
/// with actor "cli" (or "setup") in the system chain and the tenant's chain.
/// Blocking; thread-safe; holds references that must outlive it.
class SetupService {
 public:
  SetupService(Database& database, TenantRepository& tenants, UserRepository& users,
               MembershipRepository& memberships, SessionRepository& sessions,
               SetupTokenRepository& setup_tokens, AuditLogService& audit, security::PasswordHasher& hasher,
               const Clock& clock, AccountsOptions options = {});

  /// True while no user exists.
  Result<bool> setup_required();

  /// A new single-use setup token (raw, for the link; stored hashed), valid for setup_token_ttl.
  /// kFailedPrecondition "setup already done" when a user exists.
  Result<std::string> issue_setup_token();

  /// Redeems the token: creates the tenant, the user and its owner membership, and marks the token
  /// used, in ONE write transaction. kUnauthenticated "invalid or expired setup link" for a bad,
  /// used or expired token; kFailedPrecondition when a user already exists; kInvalidArgument for a
  /// bad tenant name, e-mail, display name or password (policy); kUnavailable when the hasher is
  /// busy.
  Result<CreatedAccount> complete_setup(std::string_view token, std::string_view tenant_name,
                                        std::string_view email, std::string_view password,
                                        std::string_view display_name);

  /// CLI `tenant create --name`. kInvalidArgument for a bad name, kConflict when it is taken.
  Result<Tenant> create_tenant(std::string_view name);

  /// CLI `tenant list`: every tenant, by name.
  Result<std::vector<Tenant>> list_tenants();

  /// CLI `user create --tenant NAME --email E --role R` (password read from stdin by the CLI).
  /// Creates the user and adds it to the tenant; if the user already exists, only adds the
  /// membership and leaves the password unchanged. kNotFound for an unknown tenant;
  /// kInvalidArgument for a bad e-mail/password; kConflict when already a member.
  Result<CreatedAccount> create_user(std::string_view tenant_name, std::string_view email, Role role,
                                     std::string_view password, std::string_view display_name = {});

  /// CLI `user disable|enable --email E`: the operator's global switch. Disabling moves
  /// tokens_valid_after and revokes every session at once. kNotFound for an unknown e-mail.
  Result<void> set_user_disabled(std::string_view email, bool disabled);

 private:
  Database& database_;
  TenantRepository& tenants_;
  UserRepository& users_;
  MembershipRepository& memberships_;
  SessionRepository& sessions_;
  SetupTokenRepository& setup_tokens_;
  AuditLogService& audit_;
  security::PasswordHasher& hasher_;
  const Clock& clock_;
  AccountsOptions options_;
};

}  // namespace personae

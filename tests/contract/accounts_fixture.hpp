#pragma once

#include <memory>
#include <string>

#include "adapters/db/sql_api_key_repository.hpp"
#include "adapters/db/sql_invitation_repository.hpp"
#include "adapters/db/sql_membership_repository.hpp"
#include "adapters/db/sql_recovery_code_repository.hpp"
#include "adapters/db/sql_session_repository.hpp"
#include "adapters/db/sql_setup_token_repository.hpp"
#include "adapters/db/sql_tenant_repository.hpp"
#include "adapters/db/sql_user_repository.hpp"
#include "tests/contract/contract_fixture.hpp"

namespace personae::testing {

/// The role the accounts suite connects as on PostgreSQL: an ordinary (non-superuser) role that
/// owns the test database, like a production deployment's application role. Superusers bypass
/// row-level security even under FORCE; owners do not, so every accounts test also proves that the
/// repositories scope (or explicitly bypass) the tenant correctly.
inline constexpr const char* kApplicationRole = "personae_app";

/// A migrated database (all migrations) with every accounts repository, and helpers that create
/// the rows most tests need.
class AccountsTest : public BackendTest {
 protected:
  void SetUp() override;

  /// Creates tenant `name` (id "t-<name>").
  Tenant create_tenant(const std::string& name);
  /// Creates user `<local>@example.org` (id "u-<local>").
  User create_user(const std::string& local);
  /// Adds `user` to `tenant` with `role`.
  Membership add_member(const Tenant& tenant, const User& user, Role role);
  /// A refresh token of `user` in `tenant` (id and hash derived from `id`), valid for an hour of
  /// idleness and a day in all.
  Session make_session(const Tenant& tenant, const User& user, const std::string& id,
                       const std::string& family_id) const;

  /// The thrown AppError's code (fails the test when `work` does not throw one).
  template <class Work>
  static ErrorCode error_code_of(Work&& work) {
    try {
      work();
    } catch (const AppError& error) {
      return error.error().code;
    }
    ADD_FAILURE() << "expected an AppError";
    return ErrorCode::kInternal;
  }

  FakeClock clock_;
  std::unique_ptr<SociDatabase> database_;
  SqlTenantRepository tenants_;
  SqlUserRepository users_;
  SqlMembershipRepository memberships_;
  SqlSessionRepository sessions_;
  SqlApiKeyRepository api_keys_;
  SqlInvitationRepository invitations_;
  SqlSetupTokenRepository setup_tokens_;
  SqlRecoveryCodeRepository recovery_codes_;
};

}  // namespace personae::testing

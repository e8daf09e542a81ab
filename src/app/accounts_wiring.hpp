#pragma once

#include <memory>

#include "adapters/db/sql_api_key_repository.hpp"
#include "adapters/db/sql_invitation_repository.hpp"
#include "adapters/db/sql_membership_repository.hpp"
#include "adapters/db/sql_recovery_code_repository.hpp"
#include "adapters/db/sql_session_repository.hpp"
#include "adapters/db/sql_setup_token_repository.hpp"
#include "adapters/db/sql_tenant_repository.hpp"
#include "adapters/db/sql_user_repository.hpp"
#include "app/config.hpp"
#include "app/storage.hpp"
#include "observability/metrics.hpp"
#include "ports/rate_limiter.hpp"
#include "security/jwt.hpp"
#include "security/password_hasher.hpp"
#include "security/secret_box.hpp"
#include "services/accounts/auth_service.hpp"
#include "services/accounts/authenticator.hpp"
#include "services/accounts/second_factor_service.hpp"
#include "services/accounts/setup_service.hpp"
#include "services/accounts/team_service.hpp"

namespace personae {

/// The accounts use cases and everything they stand on (repositories, password hasher, signing
/// keys, secret box, rate limiter), built once from the configuration. Owned by the command; the
/// storage it was built on must outlive it.
struct Accounts {
  SqlTenantRepository tenants;
  SqlUserRepository users;
  SqlMembershipRepository memberships;
  SqlSessionRepository sessions;
  SqlApiKeyRepository api_keys;
  SqlInvitationRepository invitations;
  SqlSetupTokenRepository setup_tokens;
  SqlRecoveryCodeRepository recovery_codes;

  AccountsOptions options;
  std::unique_ptr<security::PasswordHasher> hasher;
  std::shared_ptr<const security::JwtKeySet> keys;
  std::unique_ptr<security::JwtIssuer> issuer;
  std::unique_ptr<security::JwtVerifier> verifier;
  std::unique_ptr<security::SecretBox> secret_box;
  SteadyMonotonicClock monotonic_clock;
  std::unique_ptr<RateLimiter> rate_limiter;

  std::unique_ptr<SetupService> setup;
  std::unique_ptr<AuthService> auth;
  std::unique_ptr<Authenticator> authenticator;
  std::unique_ptr<SecondFactorService> second_factor;
  std::unique_ptr<TeamService> team;
};

/// Builds the accounts stack. Creates the signing key and the master key on first run (files
/// with mode 0600). Throws ConfigError for unusable settings (a bad key file, a bad Redis URL) and
/// AppError for I/O failures.
std::unique_ptr<Accounts> build_accounts(const Config& config, Storage& storage, const Clock& clock,
                                         observability::MetricsRegistry* metrics);

}  // namespace personae

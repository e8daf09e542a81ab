#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "adapters/db/sql_audit_log_repository.hpp"
#include "adapters/ratelimit/memory_rate_limiter.hpp"
#include "security/jwt.hpp"
#include "security/password_hasher.hpp"
#include "security/secret_box.hpp"
#include "services/accounts/auth_service.hpp"
#include "services/accounts/authenticator.hpp"
#include "services/accounts/second_factor_service.hpp"
#include "services/accounts/setup_service.hpp"
#include "services/accounts/team_service.hpp"
#include "services/audit_log_service.hpp"
#include "tests/contract/accounts_fixture.hpp"

namespace personae::testing {

/// A monotonic clock that tests advance by hand.
class ManualMonotonicClock final : public MonotonicClock {
 public:
  std::chrono::steady_clock::time_point now() const override { return now_; }
  void advance(std::chrono::milliseconds by) { now_ += by; }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
};

inline constexpr const char* kPassword = "correct horse battery staple";

/// Every accounts service wired to the backend under test.
class AccountsServiceTest : public AccountsTest {
 protected:
  void SetUp() override;

  /// A user `<local>@example.org` with password kPassword (hashed once per process), a member of
  /// `tenant` with `role`.
  User make_member(const Tenant& tenant, const std::string& local, Role role);
  /// Signs in with kPassword (and `tenant` when given); fails the test unless signed in.
  TokenPair sign_in(const std::string& email, const std::optional<std::string>& tenant = std::nullopt);
  Principal principal_of(const TokenPair& tokens);
  /// Actions recorded in a chain (nullopt: the system chain).
  std::vector<std::string> audit_actions(const std::optional<std::string>& tenant_id);
  std::vector<AuditEntry> audit_entries(const std::optional<std::string>& tenant_id);

  static security::PasswordHasher& hasher();
  static const std::string& password_hash();

  ClientInfo client_{"192.0.2.1", "test-agent/1.0", "req-1"};
  ManualMonotonicClock monotonic_;
  SqlAuditLogRepository audit_repository_;
  std::unique_ptr<AuditLogService> audit_;
  std::unique_ptr<security::JwtIssuer> issuer_;
  std::unique_ptr<security::JwtVerifier> verifier_;
  std::unique_ptr<security::SecretBox> secret_box_;
  std::unique_ptr<MemoryRateLimiter> limiter_;
  AccountsOptions options_;
  std::unique_ptr<SetupService> setup_;
  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<SecondFactorService> second_factor_;
  std::unique_ptr<TeamService> team_;
};

}  // namespace personae::testing

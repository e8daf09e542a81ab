#include "tests/contract/accounts_service/accounts_service_fixture.hpp"

#include <map>

namespace personae::testing {
namespace {

std::shared_ptr<const security::JwtKeySet> shared_keys() {
  static const std::shared_ptr<const security::JwtKeySet> keys = [] {
    auto set = std::make_shared<security::JwtKeySet>();
    const auto pem = security::JwtKeySet::generate_private_pem();
    if (!pem || !set->add_private_key("test-key", *pem)) throw std::runtime_error("cannot make a JWT key");
    return std::shared_ptr<const security::JwtKeySet>(set);
  }();
  return keys;
}

security::JwtOptions jwt_options() {
  security::JwtOptions options;
  options.issuer = "https://personae.test";
  options.audience = "personae-api";
  return options;
}

}  // namespace

security::PasswordHasher& AccountsServiceTest::hasher() {
  // The cheapest cost the hasher accepts (its floor is OWASP's); shared so the dummy hash is made once.
  static security::PasswordHasher instance{security::PasswordHasherOptions{}};
  return instance;
}

const std::string& AccountsServiceTest::password_hash() {
  static const std::string hash = hasher().hash(kPassword).value();
  return hash;
}

void AccountsServiceTest::SetUp() {
  AccountsTest::SetUp();
  audit_ = std::make_unique<AuditLogService>(*database_, audit_repository_, clock_);
  issuer_ = std::make_unique<security::JwtIssuer>(shared_keys(), jwt_options());
  verifier_ = std::make_unique<security::JwtVerifier>(shared_keys(), jwt_options());
  security::SecretBox::Key key{};
  key.fill(7);
  secret_box_ =
      std::make_unique<security::SecretBox>(std::map<std::uint32_t, security::SecretBox::Key>{{1, key}}, 1);
  limiter_ = std::make_unique<MemoryRateLimiter>(monotonic_);
  setup_ = std::make_unique<SetupService>(*database_, tenants_, users_, memberships_, sessions_,
                                          setup_tokens_, *audit_, hasher(), clock_, options_);
  auth_ =
      std::make_unique<AuthService>(*database_, tenants_, users_, memberships_, sessions_, recovery_codes_,
                                    *audit_, hasher(), *issuer_, *secret_box_, *limiter_, clock_, options_);
  authenticator_ = std::make_unique<Authenticator>(*database_, users_, memberships_, api_keys_, *verifier_,
                                                   clock_, options_);
  second_factor_ =
      std::make_unique<SecondFactorService>(*database_, tenants_, users_, recovery_codes_, *audit_, hasher(),
                                            *secret_box_, *limiter_, clock_, options_);
  team_ = std::make_unique<TeamService>(*database_, tenants_, users_, memberships_, sessions_, invitations_,
                                        api_keys_, *audit_, hasher(), clock_, options_);
}

User AccountsServiceTest::make_member(const Tenant& tenant, const std::string& local, Role role) {
  User user;
  user.id = "u-" + local;
  user.email = local + "@example.org";
  user.display_name = "User " + local;
  user.password_hash = password_hash();
  user.created_at_unix_ms = clock_.now_unix_ms();
  database_->write([&](Transaction& tx) {
    if (!users_.find_by_id(tx, user.id)) users_.create(tx, user);
  });
  add_member(tenant, user, role);
  return user;
}

TokenPair AccountsServiceTest::sign_in(const std::string& email, const std::optional<std::string>& tenant) {
  auto result = auth_->login(LoginRequest{email, kPassword, std::nullopt, std::nullopt, tenant}, client_);
  if (!result) {
    ADD_FAILURE() << "login failed: " << result.error().message << " / " << result.error().detail;
    return {};
  }
  if (result->status != LoginStatus::kSignedIn || !result->tokens) {
    ADD_FAILURE() << "login did not sign in";
    return {};
  }
  return *result->tokens;
}

Principal AccountsServiceTest::principal_of(const TokenPair& tokens) {
  auto principal = authenticator_->authenticate_access_token(tokens.access_token);
  if (!principal) {
    ADD_FAILURE() << "access token refused: " << principal.error().detail;
    return {};
  }
  return *principal;
}

std::vector<AuditEntry> AccountsServiceTest::audit_entries(const std::optional<std::string>& tenant_id) {
  return database_->read([&](Transaction& tx) { return audit_repository_.list(tx, tenant_id, 0, 10'000); });
}

std::vector<std::string> AccountsServiceTest::audit_actions(const std::optional<std::string>& tenant_id) {
  std::vector<std::string> actions;
  for (const AuditEntry& entry : audit_entries(tenant_id)) actions.push_back(entry.action);
  return actions;
}

}  // namespace personae::testing

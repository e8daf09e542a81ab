#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "security/encoding.hpp"
#include "security/totp.hpp"
#include "tests/contract/accounts_service/accounts_service_fixture.hpp"

namespace personae::testing {
namespace {

using ::testing::Contains;
using ::testing::Not;

class AuthServiceTest : public AccountsServiceTest {
 protected:
  LoginRequest request(const std::string& email, const std::string& password = kPassword) {
    return LoginRequest{email, password, std::nullopt, std::nullopt, std::nullopt};
  }
  /// Enrols TOTP for the principal and returns the raw secret (the confirming code's step is used).
  std::string enrol_totp(const Principal& principal) {
    auto enrolment = second_factor_->begin_enrolment(principal, kPassword, client_);
    EXPECT_TRUE(enrolment.has_value());
    const std::string secret = security::base32_decode(enrolment->secret_base32).value();
    auto codes =
        second_factor_->confirm_enrolment(principal, security::totp_code(secret, clock_.now()), client_);
    EXPECT_TRUE(codes.has_value());
    recovery_codes_shown_ = codes.value_or(std::vector<std::string>{});
    return secret;
  }
  std::vector<std::string> recovery_codes_shown_;
};

TEST_P(AuthServiceTest, SetupFlowCreatesTheFirstOwnerOnceWithASingleUseToken) {
  ASSERT_TRUE(setup_->setup_required().value());
  const std::string token = setup_->issue_setup_token().value();
  auto bad = setup_->complete_setup("not-the-token", "Agency", "owner@example.org", kPassword, "Owner");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kUnauthenticated);

  auto created = setup_->complete_setup(token, "Agency", "Owner@Example.org", kPassword, "Owner");
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->user.email, "owner@example.org");
  EXPECT_EQ(created->membership.role, Role::kOwner);
  EXPECT_FALSE(setup_->setup_required().value());

  auto again = setup_->complete_setup(token, "Other", "second@example.org", kPassword, "Second");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kUnauthenticated);
  auto reissue = setup_->issue_setup_token();
  ASSERT_FALSE(reissue);
  EXPECT_EQ(reissue.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(audit_actions(created->tenant.id), Contains("setup.completed"));

  const TokenPair tokens = sign_in("owner@example.org");
  EXPECT_EQ(principal_of(tokens).role, Role::kOwner);
}

TEST_P(AuthServiceTest, SetupTokenExpires) {
  const std::string token = setup_->issue_setup_token().value();
  clock_.advance(options_.setup_token_ttl);
  auto expired = setup_->complete_setup(token, "Agency", "owner@example.org", kPassword, "Owner");
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(AuthServiceTest, CliCreatesTenantsAndUsersWithThePasswordPolicy) {
  ASSERT_TRUE(setup_->create_tenant("Agency"));
  EXPECT_EQ(setup_->create_tenant("Agency").error().code, ErrorCode::kConflict);
  EXPECT_EQ(setup_->list_tenants().value().size(), 1u);
  auto weak = setup_->create_user("Agency", "ann@example.org", Role::kOwner, "password");
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(setup_->create_user("Nowhere", "ann@example.org", Role::kOwner, kPassword).error().code,
            ErrorCode::kNotFound);
  auto created = setup_->create_user("Agency", "ann@example.org", Role::kOwner, kPassword);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_THAT(created->user.password_hash, ::testing::StartsWith("$argon2id$"));
}

TEST_P(AuthServiceTest, LoginIssuesTokensAndFailsUniformly) {
  const Tenant tenant = create_tenant("agency");
  const User ann = make_member(tenant, "ann", Role::kAdmin);
  const User bob = make_member(tenant, "bob", Role::kViewer);

  const TokenPair tokens = sign_in(" Ann@Example.org ");
  EXPECT_EQ(tokens.tenant_id, tenant.id);
  EXPECT_EQ(tokens.token_type, "Bearer");
  EXPECT_FALSE(tokens.refresh_token.empty());
  const Principal principal = principal_of(tokens);
  EXPECT_EQ(principal.user_id, ann.id);
  EXPECT_EQ(principal.role, Role::kAdmin);

  database_->write([&](Transaction& tx) { users_.set_disabled(tx, bob.id, true, clock_.now_unix_ms()); });
  const std::vector<LoginRequest> failures = {request("ann@example.org", "wrong password!"),
                                              request("nobody@example.org"), request("bob@example.org"),
                                              request("not an address")};
  for (const LoginRequest& failing : failures) {
    auto result = auth_->login(failing, client_);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(result.error().message, "invalid e-mail or password");
  }
  const std::vector<AuditEntry> tenant_chain = audit_entries(tenant.id);
  ASSERT_EQ(tenant_chain.size(), 1u);
  EXPECT_EQ(tenant_chain[0].action, "auth.login");
  EXPECT_THAT(tenant_chain[0].details, ::testing::HasSubstr("\"outcome\":\"success\""));
  EXPECT_THAT(tenant_chain[0].details, ::testing::HasSubstr("\"request_id\":\"req-1\""));
  std::string system_details;
  for (const AuditEntry& entry : audit_entries(std::nullopt)) system_details += entry.details;
  for (const char* reason : {"bad_password", "unknown_account", "disabled"}) {
    EXPECT_THAT(system_details, ::testing::HasSubstr(reason));
  }
  EXPECT_THAT(system_details, Not(::testing::HasSubstr("wrong password!")));
  EXPECT_THAT(system_details, Not(::testing::HasSubstr("nobody@example.org")));
}

TEST_P(AuthServiceTest, ThrottlesPerAccountWithRetryAfterAndRecovers) {
  const Tenant tenant = create_tenant("agency");
  make_member(tenant, "ann", Role::kAdmin);
  for (int attempt = 0; attempt < 5; ++attempt) {
    client_.ip = "198.51.100." + std::to_string(attempt);
    EXPECT_EQ(auth_->login(request("ann@example.org", "wrong password"), client_).error().code,
              ErrorCode::kUnauthenticated);
  }
  client_.ip = "198.51.100.99";
  auto throttled = auth_->login(request("ann@example.org"), client_);
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().code, ErrorCode::kResourceExhausted);
  const auto retry_after = throttled.error().retry_after;
  ASSERT_TRUE(retry_after.has_value());
  EXPECT_GE(*retry_after, std::chrono::seconds(1));
  EXPECT_LE(*retry_after, std::chrono::seconds(180));
  EXPECT_EQ(retry_after->count() % 1000, 0);  // whole seconds
  EXPECT_THAT(throttled.error().message, Not(::testing::HasSubstr("ann")));

  monotonic_.advance(*retry_after);
  EXPECT_TRUE(auth_->login(request("ann@example.org"), client_));
}

TEST_P(AuthServiceTest, ThrottlesPerIp) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    EXPECT_EQ(auth_->login(request("user" + std::to_string(attempt) + "@example.org"), client_).error().code,
              ErrorCode::kUnauthenticated);
  }
  auto throttled = auth_->login(request("fresh@example.org"), client_);
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(throttled.error().retry_after.has_value());
  client_.ip = "192.0.2.200";
  EXPECT_EQ(auth_->login(request("fresh@example.org"), client_).error().code, ErrorCode::kUnauthenticated);
}

TEST_P(AuthServiceTest, ChoosesTheTenant) {
  const Tenant first = create_tenant("first");
  const Tenant second = create_tenant("second");
  make_member(first, "ann", Role::kOwner);
  make_member(second, "ann", Role::kViewer);

  auto choice = auth_->login(request("ann@example.org"), client_);
  ASSERT_TRUE(choice);
  ASSERT_EQ(choice->status, LoginStatus::kTenantChoiceRequired);
  ASSERT_EQ(choice->tenants.size(), 2u);
  EXPECT_FALSE(choice->tokens.has_value());

  const TokenPair by_name = sign_in("ann@example.org", "second");
  EXPECT_EQ(principal_of(by_name).role, Role::kViewer);
  const TokenPair by_id = sign_in("ann@example.org", first.id);
  EXPECT_EQ(principal_of(by_id).role, Role::kOwner);

  auto other =
      auth_->login(LoginRequest{"ann@example.org", kPassword, std::nullopt, std::nullopt, "third"}, client_);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
}

TEST_P(AuthServiceTest, TotpIsRequiredAndNotReplayableAndRecoveryCodesAreSingleUse) {
  const Tenant tenant = create_tenant("agency");
  make_member(tenant, "ann", Role::kOwner);
  const Principal principal = principal_of(sign_in("ann@example.org"));
  const std::string secret = enrol_totp(principal);
  ASSERT_EQ(recovery_codes_shown_.size(), 10u);
  EXPECT_THAT(audit_actions(tenant.id), Contains("totp.enabled"));

  auto pending = auth_->login(request("ann@example.org"), client_);
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->status, LoginStatus::kSecondFactorRequired);
  EXPECT_FALSE(pending->tokens.has_value());

  clock_.advance(std::chrono::seconds(30));
  LoginRequest with_code = request("ann@example.org");
  with_code.totp = security::totp_code(secret, clock_.now());
  auto signed_in = auth_->login(with_code, client_);
  ASSERT_TRUE(signed_in) << signed_in.error().message;
  EXPECT_EQ(signed_in->status, LoginStatus::kSignedIn);
  auto replay = auth_->login(with_code, client_);
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(replay.error().message, "invalid second factor");

  LoginRequest with_recovery = request("ann@example.org");
  with_recovery.recovery_code = recovery_codes_shown_.front();
  auto recovered = auth_->login(with_recovery, client_);
  ASSERT_TRUE(recovered) << recovered.error().message;
  EXPECT_EQ(recovered->status, LoginStatus::kSignedIn);
  EXPECT_EQ(auth_->login(with_recovery, client_).error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(second_factor_->recovery_codes_remaining(principal).value(), 9);
}

TEST_P(AuthServiceTest, TenantRequiringMfaMakesMembersEnrolThroughATicket) {
  const Tenant tenant = create_tenant("agency");
  make_member(tenant, "owner", Role::kOwner);
  make_member(tenant, "ann", Role::kAdmin);
  const Principal owner = principal_of(sign_in("owner@example.org"));
  const Principal admin = principal_of(sign_in("ann@example.org"));
  EXPECT_EQ(second_factor_->set_tenant_require_mfa(admin, true, kPassword, client_).error().code,
            ErrorCode::kPermissionDenied);
  ASSERT_TRUE(second_factor_->set_tenant_require_mfa(owner, true, kPassword, client_));
  EXPECT_THAT(audit_actions(tenant.id), Contains("tenant.require_mfa_changed"));

  auto login = auth_->login(request("ann@example.org"), client_);
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, LoginStatus::kMfaEnrolmentRequired);
  ASSERT_TRUE(login->enrolment_ticket.has_value());
  EXPECT_FALSE(login->tokens.has_value());

  EXPECT_EQ(auth_->begin_required_enrolment("forged", client_).error().code, ErrorCode::kUnauthenticated);
  auto enrolment = auth_->begin_required_enrolment(*login->enrolment_ticket, client_);
  ASSERT_TRUE(enrolment) << enrolment.error().message;
  const std::string secret = security::base32_decode(enrolment->secret_base32).value();
  EXPECT_EQ(auth_->complete_required_enrolment(*login->enrolment_ticket, "000000", client_).error().code,
            ErrorCode::kUnauthenticated);
  auto enrolled = auth_->complete_required_enrolment(*login->enrolment_ticket,
                                                     security::totp_code(secret, clock_.now()), client_);
  ASSERT_TRUE(enrolled) << enrolled.error().message;
  EXPECT_EQ(enrolled->recovery_codes.size(), 10u);
  EXPECT_EQ(principal_of(enrolled->tokens).user_id, "u-ann");
  // The ticket is spent: TOTP is now enabled.
  EXPECT_EQ(auth_->begin_required_enrolment(*login->enrolment_ticket, client_).error().code,
            ErrorCode::kFailedPrecondition);
  // A member of an MFA tenant cannot switch TOTP off.
  EXPECT_EQ(second_factor_->disable(admin, kPassword, enrolled->recovery_codes[0], client_).error().code,
            ErrorCode::kFailedPrecondition);

  // The owner, without TOTP, now needs to enrol too; the ticket expires.
  auto owner_login = auth_->login(request("owner@example.org"), client_);
  ASSERT_TRUE(owner_login);
  ASSERT_EQ(owner_login->status, LoginStatus::kMfaEnrolmentRequired);
  clock_.advance(options_.enrolment_ticket_ttl);
  EXPECT_EQ(auth_->begin_required_enrolment(*owner_login->enrolment_ticket, client_).error().code,
            ErrorCode::kUnauthenticated);
}

TEST_P(AuthServiceTest, RefreshRotatesAndReuseRevokesTheFamily) {
  const Tenant tenant = create_tenant("agency");
  make_member(tenant, "ann", Role::kAdmin);
  const TokenPair first = sign_in("ann@example.org");
  clock_.advance(std::chrono::seconds(10));
  auto second = auth_->refresh(first.refresh_token, client_);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(second->refresh_token, first.refresh_token);
  EXPECT_EQ(second->session_id, first.session_id);
  EXPECT_EQ(principal_of(*second).user_id, "u-ann");

  clock_.advance(std::chrono::seconds(10));
  auto reuse = auth_->refresh(first.refresh_token, client_);
  ASSERT_FALSE(reuse);
  EXPECT_EQ(reuse.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(auth_->refresh(second->refresh_token, client_).error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(audit_actions(tenant.id), Contains("refresh_token.reused"));
  EXPECT_EQ(auth_->refresh("garbage", client_).error().code, ErrorCode::kUnauthenticated);
}

TEST_P(AuthServiceTest, RefreshRespectsIdleAndAbsoluteLifetimes) {
  const Tenant tenant = create_tenant("agency");
  make_member(tenant, "ann", Role::kAdmin);
  const TokenPair idle = sign_in("ann@example.org");
  clock_.advance(options_.refresh_idle_ttl);
  EXPECT_EQ(auth_->refresh(idle.refresh_token, client_).error().code, ErrorCode::kUnauthenticated);

  TokenPair current = sign_in("ann@example.org");
  const std::int64_t family_end = clock_.now_unix_ms() + options_.session_absolute_lifetime.count();
  for (int day = 0; day < 3; ++day) {
    clock_.advance(std::chrono::hours(24 * 10) - std::chrono::minutes(1));
    auto next = auth_->refresh(current.refresh_token, client_);
    if (!next) break;
    EXPECT_LE(next->refresh_expires_at_unix_ms, family_end);
    current = *next;
  }
  clock_.advance(std::chrono::hours(24));
  EXPECT_EQ(auth_->refresh(current.refresh_token, client_).error().code, ErrorCode::kUnauthenticated);
}

TEST_P(AuthServiceTest, ConcurrentRefreshHasExactlyOneWinner) {
  const Tenant tenant = create_tenant("agency");
  make_member(tenant, "ann", Role::kAdmin);
  const TokenPair tokens = sign_in("ann@example.org");
  std::atomic<int> winners{0};
  std::atomic<int> losers{0};
  std::vector<std::thread> threads;
  std::optional<TokenPair> won;
  std::mutex won_mutex;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto result = auth_->refresh(tokens.refresh_token, client_);
      if (result) {
        ++winners;
        std::lock_guard lock(won_mutex);
        won = *result;
      } else if (result.error().code == ErrorCode::kUnauthenticated) {
        ++losers;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(losers.load(), 3);
  ASSERT_TRUE(won.has_value());
  // Losing the race within the grace window does not kill the winner's session.
  EXPECT_TRUE(auth_->refresh(won->refresh_token, client_));
}

TEST_P(AuthServiceTest, LogoutAndLogoutEverywhereEndSessionsAndAccessTokens) {
  const Tenant tenant = create_tenant("agency");
  make_member(tenant, "ann", Role::kAdmin);
  const TokenPair one = sign_in("ann@example.org");
  ASSERT_TRUE(auth_->logout(one.refresh_token, client_));
  EXPECT_EQ(auth_->refresh(one.refresh_token, client_).error().code, ErrorCode::kUnauthenticated);
  EXPECT_TRUE(auth_->logout("unknown-token", client_));

  const TokenPair two = sign_in("ann@example.org");
  const TokenPair three = sign_in("ann@example.org");
  const Principal principal = principal_of(two);
  auto sessions = auth_->list_sessions(principal, std::string_view(three.refresh_token));
  ASSERT_TRUE(sessions);
  ASSERT_EQ(sessions->size(), 2u);
  EXPECT_EQ(std::count_if(sessions->begin(), sessions->end(), [](const SessionInfo& s) { return s.current; }),
            1);

  clock_.advance(std::chrono::milliseconds(400));  // same second as the tokens: still refused
  auto ended = auth_->logout_everywhere(principal, client_);
  ASSERT_TRUE(ended);
  EXPECT_EQ(*ended, 2);
  for (const TokenPair* pair : {&two, &three}) {
    EXPECT_EQ(authenticator_->authenticate_access_token(pair->access_token).error().code,
              ErrorCode::kUnauthenticated);
    EXPECT_EQ(auth_->refresh(pair->refresh_token, client_).error().code, ErrorCode::kUnauthenticated);
  }
  // A login in the very same millisecond yields a token that lives.
  const TokenPair after = sign_in("ann@example.org");
  EXPECT_EQ(principal_of(after).user_id, "u-ann");
}

TEST_P(AuthServiceTest, RevokeSessionOnlyTouchesOwnSessions) {
  const Tenant tenant = create_tenant("agency");
  make_member(tenant, "ann", Role::kAdmin);
  make_member(tenant, "bob", Role::kAdmin);
  const TokenPair ann = sign_in("ann@example.org");
  const TokenPair bob = sign_in("bob@example.org");
  EXPECT_EQ(auth_->revoke_session(principal_of(ann), bob.session_id, client_).error().code,
            ErrorCode::kNotFound);
  EXPECT_TRUE(auth_->refresh(bob.refresh_token, client_));
  ASSERT_TRUE(auth_->revoke_session(principal_of(ann), ann.session_id, client_));
  EXPECT_EQ(auth_->refresh(ann.refresh_token, client_).error().code, ErrorCode::kUnauthenticated);
}

TEST_P(AuthServiceTest, PasswordChangeEndsOtherSessions) {
  const Tenant tenant = create_tenant("agency");
  make_member(tenant, "ann", Role::kAdmin);
  const TokenPair here = sign_in("ann@example.org");
  const TokenPair elsewhere = sign_in("ann@example.org");
  const Principal principal = principal_of(here);
  EXPECT_EQ(auth_->change_password(principal, "wrong one", "a brand new passphrase", std::nullopt, client_)
                .error()
                .code,
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(auth_->change_password(principal, kPassword, "password", std::nullopt, client_).error().code,
            ErrorCode::kInvalidArgument);
  auto changed = auth_->change_password(principal, kPassword, "a brand new passphrase",
                                        std::string_view(here.refresh_token), client_);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(principal_of(*changed).user_id, "u-ann");
  EXPECT_EQ(authenticator_->authenticate_access_token(here.access_token).error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(auth_->refresh(elsewhere.refresh_token, client_).error().code, ErrorCode::kUnauthenticated);
  EXPECT_TRUE(auth_->refresh(here.refresh_token, client_));
  EXPECT_THAT(audit_actions(tenant.id), Contains("password.changed"));
  EXPECT_EQ(auth_->login(request("ann@example.org"), client_).error().code, ErrorCode::kUnauthenticated);
  EXPECT_TRUE(auth_->login(request("ann@example.org", "a brand new passphrase"), client_));
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthServiceTest, ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         backend_name);

}  // namespace
}  // namespace personae::testing

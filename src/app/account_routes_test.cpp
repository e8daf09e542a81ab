// The account routes through the real route table and services (SQLite), driven in-process through
// HttpService: setup, sign-in in bearer and cookie modes, refresh rotation, body validation,
// throttling, the second factor and tenant choice, API keys, invitations and session endings.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/routes_test_fixture.hpp"
#include "security/encoding.hpp"
#include "security/totp.hpp"

namespace personae {
namespace {

using namespace std::chrono_literals;
using http::Method;
using nlohmann::json;
using route_testing::bearer;
using route_testing::body_json;
using route_testing::error_fields;
using route_testing::header_values;
using route_testing::RouteHarness;
using route_testing::TestUser;

/// The value of cookie `name` among the response's Set-Cookie headers, and its attributes.
struct SetCookie {
  std::string value;
  std::string attributes;  ///< everything after the first ';'
};

std::optional<SetCookie> set_cookie(const http::Response& response, const std::string& name) {
  for (const auto& header : header_values(response, "Set-Cookie")) {
    if (!header.starts_with(name + "=")) continue;
    const auto semicolon = header.find(';');
    return SetCookie{header.substr(name.size() + 1, semicolon - name.size() - 1),
                     semicolon == std::string::npos ? std::string() : header.substr(semicolon)};
  }
  return std::nullopt;
}

bool has_attribute(const SetCookie& cookie, const std::string& attribute) {
  return (cookie.attributes + ";").find("; " + attribute + ";") != std::string::npos;
}

class AccountRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ = std::make_unique<RouteHarness>();
    harness_->create_tenant("Studio");
    owner_ = harness_->create_user("Studio", "owner@studio.example.com", Role::kOwner);
    admin_ = harness_->create_user("Studio", "admin@studio.example.com", Role::kAdmin);
    viewer_ = harness_->create_user("Studio", "viewer@studio.example.com", Role::kViewer);
    member_ = harness_->create_user("Studio", "member@studio.example.com", Role::kChatter);
  }
  static void TearDownTestSuite() { harness_.reset(); }

  static http::Response send(Method method, const std::string& target, const std::string& body = {},
                             http::Headers headers = {}) {
    return harness_->send(method, target, body, std::move(headers));
  }

  static http::Response login(const TestUser& user, json extra = json::object()) {
    extra["email"] = user.email;
    extra["password"] = user.password;
    return send(Method::kPost, "/api/v1/auth/login", extra.dump());
  }

  /// A bearer sign-in that must succeed: its token response.
  static json signed_in(const TestUser& user) {
    const auto response = login(user);
    EXPECT_EQ(response.status, 200) << response.body;
    return body_json(response);
  }

  static int me_status(const std::string& access_token) {
    return send(Method::kGet, "/api/v1/me", "", bearer(access_token)).status;
  }

  static http::Response refresh(const std::string& refresh_token) {
    return send(Method::kPost, "/api/v1/auth/refresh", json{{"refresh_token", refresh_token}}.dump());
  }

  static std::string type_of(const http::Response& response) {
    const auto body = body_json(response);
    return body.is_object() ? body.value("type", "") : "";
  }

  static inline std::unique_ptr<RouteHarness> harness_;
  static inline TestUser owner_;
  static inline TestUser admin_;
  static inline TestUser viewer_;
  static inline TestUser member_;
};

TEST(AccountSetupRoutes, SetupLinkCreatesTheFirstOwnerOnceAndIsNotReusable) {
  RouteHarness harness;  // an empty installation
  auto status = harness.send(Method::kGet, "/api/v1/setup");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(body_json(status)["required"], true);

  const auto token = harness.accounts().setup->issue_setup_token();
  ASSERT_TRUE(token) << token.error().message;
  const json request = {{"token", *token},
                        {"tenant_name", "First Agency"},
                        {"email", "founder@example.com"},
                        {"password", "Quiet-Lantern-Orbit-Founder"},
                        {"display_name", "Founder"}};
  const auto created = harness.send(Method::kPost, "/api/v1/setup", request.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto body = body_json(created);
  EXPECT_EQ(body["tenant"]["name"], "First Agency");
  EXPECT_EQ(body["email"], "founder@example.com");
  EXPECT_EQ(body["role"], "owner");
  EXPECT_FALSE(body.contains("password_hash"));

  status = harness.send(Method::kGet, "/api/v1/setup");
  EXPECT_EQ(body_json(status)["required"], false);

  auto again = request;
  again["tenant_name"] = "Second Agency";
  again["email"] = "intruder@example.com";
  const auto reused = harness.send(Method::kPost, "/api/v1/setup", again.dump());
  EXPECT_EQ(reused.status, 401) << reused.body;

  // The founder signs in.
  const auto signed_in = harness.send(
      Method::kPost, "/api/v1/auth/login",
      json{{"email", "founder@example.com"}, {"password", "Quiet-Lantern-Orbit-Founder"}}.dump());
  EXPECT_EQ(signed_in.status, 200) << signed_in.body;
}

TEST_F(AccountRoutesTest, BearerLoginMeRefreshAndLogout) {
  const auto response = login(member_);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.headers.get("Pragma").value_or(""), "no-cache");
  EXPECT_NE(std::string(response.headers.get("Cache-Control").value_or("")).find("no-store"),
            std::string::npos);
  EXPECT_TRUE(header_values(response, "Set-Cookie").empty());
  const auto tokens = body_json(response);
  ASSERT_TRUE(tokens["access_token"].is_string());
  ASSERT_TRUE(tokens["refresh_token"].is_string());
  EXPECT_EQ(tokens["token_type"], "Bearer");
  EXPECT_EQ(tokens["expires_in"], 900);
  EXPECT_EQ(tokens["user_id"], member_.id);
  EXPECT_EQ(tokens["tenant_id"], member_.tenant_id);

  const auto me = send(Method::kGet, "/api/v1/me", "", bearer(tokens["access_token"].get<std::string>()));
  ASSERT_EQ(me.status, 200) << me.body;
  const auto me_body = body_json(me);
  EXPECT_EQ(me_body["email"], member_.email);
  EXPECT_EQ(me_body["role"], "chatter");
  EXPECT_EQ(me_body["kind"], "user");
  EXPECT_EQ(me_body["tenant"]["id"], member_.tenant_id);

  const auto refreshed = refresh(tokens["refresh_token"].get<std::string>());
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const auto rotated = body_json(refreshed);
  EXPECT_NE(rotated["refresh_token"], tokens["refresh_token"]);
  EXPECT_EQ(rotated["session_id"], tokens["session_id"]);
  EXPECT_EQ(me_status(rotated["access_token"].get<std::string>()), 200);

  const auto logout =
      send(Method::kPost, "/api/v1/auth/logout", json{{"refresh_token", rotated["refresh_token"]}}.dump());
  EXPECT_EQ(logout.status, 204) << logout.body;
  EXPECT_EQ(refresh(rotated["refresh_token"].get<std::string>()).status, 401);
}

TEST_F(AccountRoutesTest, CookieModeSetsHardenedCookiesAndRequiresTheCsrfToken) {
  const auto response = login(member_, {{"mode", "cookie"}});
  ASSERT_EQ(response.status, 200) << response.body;
  const auto body = body_json(response);
  EXPECT_EQ(body["token_type"], "cookie");
  EXPECT_FALSE(body.contains("access_token"));
  EXPECT_FALSE(body.contains("refresh_token"));
  ASSERT_TRUE(body["csrf_token"].is_string());

  const auto access = set_cookie(response, "__Host-personae_access");
  const auto refresh_cookie = set_cookie(response, "__Secure-personae_refresh");
  const auto csrf = set_cookie(response, "__Host-personae_csrf");
  ASSERT_TRUE(access && refresh_cookie && csrf) << "Set-Cookie headers missing";
  for (const auto* cookie : {&*access, &*refresh_cookie, &*csrf}) {
    EXPECT_TRUE(has_attribute(*cookie, "SameSite=Strict")) << cookie->attributes;
    EXPECT_TRUE(has_attribute(*cookie, "Secure")) << cookie->attributes;
    EXPECT_EQ(cookie->attributes.find("Domain"), std::string::npos) << cookie->attributes;
  }
  EXPECT_TRUE(has_attribute(*access, "HttpOnly"));
  EXPECT_TRUE(has_attribute(*access, "Path=/"));
  EXPECT_TRUE(has_attribute(*refresh_cookie, "HttpOnly"));
  EXPECT_TRUE(has_attribute(*refresh_cookie, "Path=/api/v1/auth"));
  EXPECT_FALSE(has_attribute(*csrf, "HttpOnly"));  // the script echoes it
  EXPECT_TRUE(has_attribute(*csrf, "Path=/"));
  EXPECT_EQ(csrf->value, body["csrf_token"]);

  const std::string cookies =
      "__Host-personae_access=" + access->value + "; __Host-personae_csrf=" + csrf->value;
  http::Headers with_cookies;
  with_cookies.set("Cookie", cookies);
  const auto me = send(Method::kGet, "/api/v1/me", "", with_cookies);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(body_json(me)["email"], member_.email);

  // An unsafe request with the cookie alone is refused before anything else...
  const std::string accept = json{{"token", "not-an-invitation"}}.dump();
  const auto forged = send(Method::kPost, "/api/v1/invitations/accept", accept, with_cookies);
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_EQ(type_of(forged), "https://personae.dev/problems/csrf");
  auto wrong_token = with_cookies;
  wrong_token.set("X-CSRF-Token", "not-the-cookie");
  EXPECT_EQ(send(Method::kPost, "/api/v1/invitations/accept", accept, wrong_token).status, 403);
  // ...and allowed with the matching header (the unknown invitation is then a 404).
  auto with_csrf = with_cookies;
  with_csrf.set("X-CSRF-Token", csrf->value);
  const auto allowed = send(Method::kPost, "/api/v1/invitations/accept", accept, with_csrf);
  EXPECT_EQ(allowed.status, 404) << allowed.body;

  // Refresh through the refresh cookie: needs the CSRF header too, and rotates the cookies.
  http::Headers refresh_cookies;
  refresh_cookies.set("Cookie", "__Secure-personae_refresh=" + refresh_cookie->value +
                                    "; __Host-personae_csrf=" + csrf->value);
  EXPECT_EQ(send(Method::kPost, "/api/v1/auth/refresh", "", refresh_cookies).status, 403);
  refresh_cookies.set("X-CSRF-Token", csrf->value);
  const auto refreshed = send(Method::kPost, "/api/v1/auth/refresh", "", refresh_cookies);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const auto new_refresh = set_cookie(refreshed, "__Secure-personae_refresh");
  ASSERT_TRUE(new_refresh.has_value());
  EXPECT_NE(new_refresh->value, refresh_cookie->value);
  EXPECT_FALSE(body_json(refreshed).contains("refresh_token"));
}

TEST_F(AccountRoutesTest, ABearerTokenWinsOverCookies) {
  const auto cookie_login = login(member_, {{"mode", "cookie"}});
  ASSERT_EQ(cookie_login.status, 200);
  const auto access = set_cookie(cookie_login, "__Host-personae_access");
  ASSERT_TRUE(access.has_value());
  const auto viewer_tokens = signed_in(viewer_);

  // The header's identity, not the cookie's; and no CSRF token needed for an unsafe request.
  auto headers = bearer(viewer_tokens["access_token"].get<std::string>());
  headers.set("Cookie", "__Host-personae_access=" + access->value);
  const auto me = send(Method::kGet, "/api/v1/me", "", headers);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(body_json(me)["email"], viewer_.email);
  const auto accept =
      send(Method::kPost, "/api/v1/invitations/accept", json{{"token", "not-an-invitation"}}.dump(), headers);
  EXPECT_EQ(accept.status, 404) << accept.body;

  // A bad header is not rescued by a good cookie.
  auto bad = bearer("not-a-real-token");
  bad.set("Cookie", "__Host-personae_access=" + access->value);
  EXPECT_EQ(send(Method::kGet, "/api/v1/me", "", bad).status, 401);
}

TEST_F(AccountRoutesTest, ReusingARefreshTokenRevokesTheWholeFamily) {
  const auto first = signed_in(member_);
  const auto second = body_json(refresh(first["refresh_token"].get<std::string>()));
  ASSERT_TRUE(second["refresh_token"].is_string());
  // Past the grace window for concurrent refreshes, the old token comes back: reuse.
  harness_->clock().advance(5s);
  const auto reused = refresh(first["refresh_token"].get<std::string>());
  EXPECT_EQ(reused.status, 401) << reused.body;
  EXPECT_NE(std::string(reused.headers.get("WWW-Authenticate").value_or("")).find("Bearer"),
            std::string::npos);
  // The family is gone: the newer refresh token stops working too.
  EXPECT_EQ(refresh(second["refresh_token"].get<std::string>()).status, 401);
}

TEST_F(AccountRoutesTest, MalformedBodiesAnswer400NamingTheField) {
  const auto not_json = send(Method::kPost, "/api/v1/auth/login", "{\"email\":");
  EXPECT_EQ(not_json.status, 400) << not_json.body;

  const auto unknown = send(Method::kPost, "/api/v1/auth/login",
                            json{{"email", member_.email}, {"password", "x"}, {"is_admin", true}}.dump());
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(error_fields(unknown), std::vector<std::string>{"is_admin"}) << unknown.body;

  const auto wrong_type =
      send(Method::kPost, "/api/v1/auth/login", json{{"email", 42}, {"password", "x"}}.dump());
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(error_fields(wrong_type), std::vector<std::string>{"email"}) << wrong_type.body;

  const auto missing = send(Method::kPost, "/api/v1/auth/login", json{{"email", member_.email}}.dump());
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(error_fields(missing), std::vector<std::string>{"password"}) << missing.body;

  // Mass assignment on an authorized route: an undeclared field is refused, nothing changes.
  const auto admin = signed_in(admin_);
  const auto patch = send(Method::kPatch, "/api/v1/members/" + viewer_.id,
                          json{{"role", "viewer"}, {"tenant_id", "other"}}.dump(),
                          bearer(admin["access_token"].get<std::string>()));
  EXPECT_EQ(patch.status, 400);
  EXPECT_EQ(error_fields(patch), std::vector<std::string>{"tenant_id"}) << patch.body;
  const auto bad_role =
      send(Method::kPatch, "/api/v1/members/" + viewer_.id, json{{"role", "emperor"}}.dump(),
           bearer(admin["access_token"].get<std::string>()));
  EXPECT_EQ(bad_role.status, 400);
  EXPECT_EQ(error_fields(bad_role), std::vector<std::string>{"role"}) << bad_role.body;
}

TEST_F(AccountRoutesTest, RepeatedFailedLoginsAnswer429WithRetryAfter) {
  const auto target = harness_->create_user("Studio", "forgetful@studio.example.com", Role::kViewer);
  const std::string wrong = json{{"email", target.email}, {"password", "Wrong-Password-123"}}.dump();
  int throttled_at = 0;
  http::Response last;
  for (int attempt = 1; attempt <= 8 && throttled_at == 0; ++attempt) {
    last = send(Method::kPost, "/api/v1/auth/login", wrong);
    if (last.status == 429) {
      throttled_at = attempt;
    } else {
      EXPECT_EQ(last.status, 401) << last.body;
    }
  }
  ASSERT_GT(throttled_at, 1) << "never throttled";
  EXPECT_LE(throttled_at, 6);
  const auto retry_after = last.headers.get("Retry-After");
  ASSERT_TRUE(retry_after.has_value());
  EXPECT_GT(std::stoi(std::string(*retry_after)), 0);
  // The right password is throttled too (the limit is per account, not per guess).
  const auto right = login(target);
  EXPECT_EQ(right.status, 429) << right.body;
}

TEST_F(AccountRoutesTest, SecondFactorRequiredAndTenantChoiceHaveTheDocumentedShape) {
  // A user with TOTP: signing in without a code is a 401 mfa-required problem.
  const auto user = harness_->create_user("Studio", "careful@studio.example.com", Role::kViewer);
  auto& second_factor = *harness_->accounts().second_factor;
  const ClientInfo client{"192.0.2.7", "test", "enrol"};
  const auto enrolment =
      second_factor.begin_enrolment(RouteHarness::principal_of(user), user.password, client);
  ASSERT_TRUE(enrolment) << enrolment.error().message;
  const auto secret = security::base32_decode(enrolment->secret_base32);
  ASSERT_TRUE(secret.has_value());
  const auto confirmed = second_factor.confirm_enrolment(
      RouteHarness::principal_of(user), security::totp_code(*secret, harness_->clock().now()), client);
  ASSERT_TRUE(confirmed) << confirmed.error().message;

  const auto mfa = login(user);
  EXPECT_EQ(mfa.status, 401) << mfa.body;
  EXPECT_EQ(type_of(mfa), "https://personae.dev/problems/mfa-required");
  EXPECT_TRUE(mfa.headers.get("WWW-Authenticate").has_value());
  EXPECT_EQ(std::string(mfa.headers.get("Content-Type").value_or("")).rfind("application/problem+json", 0),
            0u);
  EXPECT_FALSE(body_json(mfa).contains("access_token"));

  // A user of two tenants who names none: 409 tenant-choice-required listing both.
  harness_->create_tenant("Second Studio");
  harness_->create_user("Studio", "twofold@studio.example.com", Role::kChatter);
  const auto both = harness_->create_user("Second Studio", "twofold@studio.example.com", Role::kViewer);
  const auto choice = login(both);
  EXPECT_EQ(choice.status, 409) << choice.body;
  EXPECT_EQ(type_of(choice), "https://personae.dev/problems/tenant-choice-required");
  const auto tenants = body_json(choice)["tenants"];
  ASSERT_TRUE(tenants.is_array());
  ASSERT_EQ(tenants.size(), 2u) << choice.body;
  for (const auto& tenant : tenants) {
    EXPECT_TRUE(tenant["id"].is_string());
    EXPECT_TRUE(tenant["name"].is_string());
    EXPECT_TRUE(tenant["role"].is_string());
  }
  // Naming one signs in there.
  const auto chosen = login(both, {{"tenant", "Second Studio"}});
  ASSERT_EQ(chosen.status, 200) << chosen.body;
  EXPECT_EQ(body_json(chosen)["tenant_id"], both.tenant_id);
}

TEST_F(AccountRoutesTest, MfaEnrolmentRequiredHasTheDocumentedShape) {
  harness_->create_tenant("Strict Studio");
  const auto strict_owner = harness_->create_user("Strict Studio", "owner@strict.example.com", Role::kOwner);
  const auto strict_member =
      harness_->create_user("Strict Studio", "member@strict.example.com", Role::kManager);
  const auto owner_tokens = signed_in(strict_owner);
  const auto required = send(Method::kPatch, "/api/v1/tenant",
                             json{{"require_mfa", true}, {"password", strict_owner.password}}.dump(),
                             bearer(owner_tokens["access_token"].get<std::string>()));
  ASSERT_EQ(required.status, 200) << required.body;
  EXPECT_EQ(body_json(required)["require_mfa"], true);

  const auto response = login(strict_member);
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_EQ(type_of(response), "https://personae.dev/problems/mfa-enrolment-required");
  const auto body = body_json(response);
  ASSERT_TRUE(body["enrolment_ticket"].is_string());
  EXPECT_FALSE(body["enrolment_ticket"].get<std::string>().empty());
  EXPECT_GT(body["enrolment_ticket_expires_at_unix_ms"].get<std::int64_t>(), harness_->clock().now_unix_ms());
  EXPECT_FALSE(body.contains("access_token"));

  // The ticket opens the enrolment route (and nothing else).
  const auto begin = send(Method::kPost, "/api/v1/auth/mfa-enrolment",
                          json{{"enrolment_ticket", body["enrolment_ticket"]}}.dump());
  EXPECT_EQ(begin.status, 200) << begin.body;
  EXPECT_TRUE(body_json(begin)["secret_base32"].is_string());
  EXPECT_EQ(me_status(body["enrolment_ticket"].get<std::string>()), 401);
}

TEST_F(AccountRoutesTest, AnApiKeyHoldsOnlyTheActionsItWasGranted) {
  const auto admin = signed_in(admin_);
  const auto admin_token = admin["access_token"].get<std::string>();
  const auto expires = harness_->clock().now_unix_ms() + 86'400'000;
  const auto created = send(
      Method::kPost, "/api/v1/api-keys",
      json{{"name", "member lister"}, {"actions", {"members.list"}}, {"expires_at_unix_ms", expires}}.dump(),
      bearer(admin_token));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto key_body = body_json(created);
  const auto key = key_body["key"].get<std::string>();
  EXPECT_TRUE(key.starts_with("psk_"));
  EXPECT_FALSE(key_body.contains("secret_hash"));
  EXPECT_EQ(created.headers.get("Location").value_or(""),
            "/api/v1/api-keys/" + key_body["id"].get<std::string>());

  const auto members = send(Method::kGet, "/api/v1/members", "", bearer(key));
  ASSERT_EQ(members.status, 200) << members.body;
  EXPECT_GE(body_json(members)["items"].size(), 4u);
  EXPECT_EQ(send(Method::kGet, "/api/v1/api-keys", "", bearer(key)).status, 403);
  EXPECT_EQ(
      send(Method::kPost, "/api/v1/api-keys",
           json{{"name", "child"}, {"actions", {"members.list"}}, {"expires_at_unix_ms", expires}}.dump(),
           bearer(key))
          .status,
      403);
  EXPECT_EQ(send(Method::kDelete, "/api/v1/members/" + viewer_.id, "", bearer(key)).status, 403);
  const auto me = send(Method::kGet, "/api/v1/me", "", bearer(key));
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(body_json(me)["kind"], "api_key");

  // Revoked: the key stops working at once.
  const auto revoked =
      send(Method::kDelete, "/api/v1/api-keys/" + key_body["id"].get<std::string>(), "", bearer(admin_token));
  EXPECT_EQ(revoked.status, 204) << revoked.body;
  EXPECT_EQ(send(Method::kGet, "/api/v1/members", "", bearer(key)).status, 401);
}

TEST_F(AccountRoutesTest, AViewerCannotChangeMembers) {
  const auto viewer = signed_in(viewer_);
  const auto token = viewer["access_token"].get<std::string>();
  EXPECT_EQ(
      send(Method::kPatch, "/api/v1/members/" + member_.id, json{{"role", "admin"}}.dump(), bearer(token))
          .status,
      403);
  EXPECT_EQ(
      send(Method::kPatch, "/api/v1/members/" + viewer_.id, json{{"role", "owner"}}.dump(), bearer(token))
          .status,
      403);
  EXPECT_EQ(send(Method::kDelete, "/api/v1/members/" + member_.id, "", bearer(token)).status, 403);
  EXPECT_EQ(send(Method::kPost, "/api/v1/invitations",
                 json{{"email", "x@example.com"}, {"role", "admin"}}.dump(), bearer(token))
                .status,
            403);
  const auto members = harness_->accounts().team->list_members(RouteHarness::principal_of(owner_));
  ASSERT_TRUE(members);
  for (const auto& member : *members) {
    if (member.user_id == member_.id) {
      EXPECT_EQ(member.role, Role::kChatter);
    }
    if (member.user_id == viewer_.id) {
      EXPECT_EQ(member.role, Role::kViewer);
    }
  }
}

TEST_F(AccountRoutesTest, AnInvitedNewUserRegistersAndSignsIn) {
  const auto admin = signed_in(admin_);
  const auto invited = send(Method::kPost, "/api/v1/invitations",
                            json{{"email", "newcomer@studio.example.com"}, {"role", "manager"}}.dump(),
                            bearer(admin["access_token"].get<std::string>()));
  ASSERT_EQ(invited.status, 201) << invited.body;
  const auto invitation = body_json(invited);
  ASSERT_TRUE(invitation["token"].is_string());
  EXPECT_FALSE(invitation.contains("token_hash"));

  const json registration = {{"token", invitation["token"]},
                             {"password", "Quiet-Lantern-Orbit-Newcomer"},
                             {"display_name", "Newcomer"}};
  const auto registered = send(Method::kPost, "/api/v1/invitations/register", registration.dump());
  ASSERT_EQ(registered.status, 201) << registered.body;
  EXPECT_EQ(body_json(registered)["user_created"], true);
  EXPECT_EQ(body_json(registered)["role"], "manager");
  // Single use.
  EXPECT_EQ(send(Method::kPost, "/api/v1/invitations/register", registration.dump()).status, 404);

  const auto signin = send(
      Method::kPost, "/api/v1/auth/login",
      json{{"email", "newcomer@studio.example.com"}, {"password", "Quiet-Lantern-Orbit-Newcomer"}}.dump());
  ASSERT_EQ(signin.status, 200) << signin.body;
  const auto me =
      send(Method::kGet, "/api/v1/me", "", bearer(body_json(signin)["access_token"].get<std::string>()));
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(body_json(me)["role"], "manager");
  EXPECT_EQ(body_json(me)["tenant"]["id"], admin_.tenant_id);
}

TEST_F(AccountRoutesTest, ChangingThePasswordEndsTheOtherSessions) {
  auto user = harness_->create_user("Studio", "rotating@studio.example.com", Role::kViewer);
  const auto here = signed_in(user);
  const auto elsewhere = signed_in(user);
  const std::string new_password = "Quiet-Lantern-Orbit-Rotated";

  const auto wrong =
      send(Method::kPost, "/api/v1/me/password",
           json{{"current_password", "not-the-password"}, {"new_password", new_password}}.dump(),
           bearer(here["access_token"].get<std::string>()));
  EXPECT_EQ(wrong.status, 401) << wrong.body;

  const auto changed = send(Method::kPost, "/api/v1/me/password",
                            json{{"current_password", user.password}, {"new_password", new_password}}.dump(),
                            bearer(here["access_token"].get<std::string>()));
  ASSERT_EQ(changed.status, 200) << changed.body;
  const auto fresh = body_json(changed);
  ASSERT_TRUE(fresh["access_token"].is_string());
  EXPECT_EQ(me_status(fresh["access_token"].get<std::string>()), 200);

  // The other session is over: its access token and its refresh token.
  EXPECT_EQ(me_status(elsewhere["access_token"].get<std::string>()), 401);
  EXPECT_EQ(refresh(elsewhere["refresh_token"].get<std::string>()).status, 401);

  EXPECT_EQ(login(user).status, 401);
  user.password = new_password;
  EXPECT_EQ(login(user).status, 200);
}

/// A dashboard (cookie) user changing the password, with what a browser sends to
/// /api/v1/me/password: the access and CSRF cookies (the refresh cookie's Path is /api/v1/auth).
/// The new access token must come back as an HttpOnly cookie, never in the body, and the CSRF
/// cookie must stay usable.
TEST_F(AccountRoutesTest, CookieModePasswordChangeKeepsTheTokenInCookies) {
  auto user = harness_->create_user("Studio", "dashboard@studio.example.com", Role::kViewer);
  const auto cookie_login = login(user, {{"mode", "cookie"}});
  ASSERT_EQ(cookie_login.status, 200) << cookie_login.body;
  const auto access = set_cookie(cookie_login, "__Host-personae_access");
  const auto csrf = set_cookie(cookie_login, "__Host-personae_csrf");
  const auto refresh_cookie = set_cookie(cookie_login, "__Secure-personae_refresh");
  ASSERT_TRUE(access && csrf && refresh_cookie);
  http::Headers headers;
  headers.set("Cookie", "__Host-personae_access=" + access->value + "; __Host-personae_csrf=" + csrf->value);
  headers.set("X-CSRF-Token", csrf->value);

  // The refresh cookie never reaches /api/v1/sessions: the access token's sign-in marks it.
  const auto sessions = send(Method::kGet, "/api/v1/sessions", "", headers);
  ASSERT_EQ(sessions.status, 200) << sessions.body;
  int current = 0;
  const auto listed = body_json(sessions);
  for (const auto& session : listed["items"]) current += session["current"].get<bool>() ? 1 : 0;
  EXPECT_EQ(current, 1) << sessions.body;

  const auto changed = send(
      Method::kPost, "/api/v1/me/password",
      json{{"current_password", user.password}, {"new_password", "Quiet-Lantern-Orbit-Dashboard"}}.dump(),
      headers);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_FALSE(body_json(changed).contains("access_token"))
      << "a cookie session must not get its token in the body";
  const auto new_access = set_cookie(changed, "__Host-personae_access");
  ASSERT_TRUE(new_access.has_value()) << "no new access cookie";
  EXPECT_TRUE(has_attribute(*new_access, "HttpOnly"));
  const auto new_csrf = set_cookie(changed, "__Host-personae_csrf");
  ASSERT_TRUE(new_csrf.has_value());
  EXPECT_FALSE(has_attribute(*new_csrf, "Max-Age=0"))
      << "the CSRF cookie was deleted: " << new_csrf->attributes;
  EXPECT_EQ(new_csrf->value, body_json(changed)["csrf_token"]);

  http::Headers after;
  after.set("Cookie",
            "__Host-personae_access=" + new_access->value + "; __Host-personae_csrf=" + new_csrf->value);
  EXPECT_EQ(send(Method::kGet, "/api/v1/me", "", after).status, 200);
  after.set("X-CSRF-Token", new_csrf->value);
  // The caller's own sign-in survives its password change: its refresh cookie still works.
  http::Headers refresh_headers;
  refresh_headers.set("Cookie", "__Secure-personae_refresh=" + refresh_cookie->value +
                                    "; __Host-personae_csrf=" + new_csrf->value);
  refresh_headers.set("X-CSRF-Token", new_csrf->value);
  EXPECT_EQ(send(Method::kPost, "/api/v1/auth/refresh", "", refresh_headers).status, 200);
  EXPECT_EQ(
      send(Method::kPost, "/api/v1/invitations/accept", json{{"token", "not-an-invitation"}}.dump(), after)
          .status,
      404);
}

TEST_F(AccountRoutesTest, LogoutEverywhereKillsTheCurrentAccessToken) {
  const auto tokens = signed_in(member_);
  const auto access = tokens["access_token"].get<std::string>();
  ASSERT_EQ(me_status(access), 200);
  const auto response = send(Method::kPost, "/api/v1/auth/logout-all", "", bearer(access));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_GE(body_json(response)["sessions_revoked"].get<std::int64_t>(), 1);
  EXPECT_EQ(me_status(access), 401);
  EXPECT_EQ(refresh(tokens["refresh_token"].get<std::string>()).status, 401);
  // Signing in again works.
  EXPECT_EQ(me_status(signed_in(member_)["access_token"].get<std::string>()), 200);
}

}  // namespace
}  // namespace personae

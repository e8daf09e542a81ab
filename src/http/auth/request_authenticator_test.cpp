#include "http/auth/request_authenticator.hpp"
#include "observability/log.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include <vector>

#include "http/http_service.hpp"
#include "http/problem.hpp"
#include "observability/metrics.hpp"

namespace personae::http::auth {
namespace {

// Tokens the fake verifier knows: "viewer-token" and "admin-token"; "throttled-token" stands for
// a tenant over its API rate limit; anything else is invalid.
Result<Principal> verify(std::string_view token) {
  if (token == "throttled-token") {
    Error limited{ErrorCode::kResourceExhausted, "too many requests for this tenant", "rate limited"};
    limited.retry_after = std::chrono::milliseconds(1'500);
    return tl::unexpected(limited);
  }
  Principal principal;
  principal.user_id = "u1";
  principal.tenant_id = "t1";
  if (token == "viewer-token") return principal;
  if (token == "admin-token") {
    principal.role = Role::kAdmin;
    return principal;
  }
  return make_error(ErrorCode::kUnauthenticated, "invalid access token", "bad signature");
}

class AuthTest : public testing::Test {
 protected:
  AuthTest() : authenticator_(verify, CookieSettings{}) {
    router_.add(
        Method::kGet, "/me", RouteAccess::any_principal(),
        guard(authenticator_, RouteAccess::any_principal(), [](const Request&, const Principal& principal) {
          return Response::json(200, {{"user", principal.user_id}});
        }));
    router_.add(Method::kPost, "/members", RouteAccess::action(Action::kMemberManage),
                guard(authenticator_, RouteAccess::action(Action::kMemberManage),
                      [](const Request&, const Principal& principal) {
                        return Response::json(200, {{"role", std::string(to_string(principal.role))}});
                      }));
  }

  Response call(Method method, std::string target, std::vector<std::pair<std::string, std::string>> headers) {
    Request request;
    request.method = method;
    request.target = std::move(target);
    for (const auto& [name, value] : headers) request.headers.add(name, value);
    auto prepared = service_.prepare(request);
    Response response;
    const Route* route = nullptr;
    if (auto* immediate = std::get_if<Response>(&prepared)) {
      response = std::move(*immediate);
    } else {
      route = std::get<const Route*>(prepared);
      response = service_.invoke(*route, request);
    }
    service_.finish(request, response, route, std::chrono::nanoseconds(0));
    return response;
  }

  RequestAuthenticator authenticator_;
  Router router_;
  observability::MetricsRegistry registry_;
  HttpService service_{router_, registry_};
};

TEST_F(AuthTest, MissingCredentialIs401WithABareBearerChallenge) {
  const auto response = call(Method::kGet, "/me", {});
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.headers.get("WWW-Authenticate"), "Bearer realm=\"personae\"");
  EXPECT_EQ(response.headers.get("Content-Type"), "application/problem+json; charset=utf-8");
}

TEST_F(AuthTest, InvalidTokenIs401WithInvalidTokenAndNoDetailOfWhy) {
  const auto response = call(Method::kGet, "/me", {{"Authorization", "Bearer forged"}});
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.headers.get("WWW-Authenticate"), "Bearer realm=\"personae\", error=\"invalid_token\"");
  EXPECT_EQ(response.body.find("bad signature"), std::string::npos);
}

TEST_F(AuthTest, MalformedAuthorizationIs401) {
  for (const std::string value : {"Basic dXNlcjpwdw==", "Bearer", "Bearer a b", "viewer-token"}) {
    EXPECT_EQ(call(Method::kGet, "/me", {{"Authorization", value}}).status, 401) << value;
  }
  EXPECT_EQ(
      call(Method::kGet, "/me", {{"Authorization", "Bearer viewer-token"}, {"Authorization", "Bearer x"}})
          .status,
      401);
}

TEST_F(AuthTest, BearerSchemeIsCaseInsensitiveAndHandsThePrincipalOn) {
  const auto response = call(Method::kGet, "/me", {{"Authorization", "bearer viewer-token"}});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body)["user"], "u1");
}

TEST_F(AuthTest, AVerifierRateLimitIs429WithItsRetryAfter) {
  const auto response = call(Method::kGet, "/me", {{"Authorization", "Bearer throttled-token"}});
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.headers.get("Retry-After"), "2");
}

TEST_F(AuthTest, LackingTheActionIs403) {
  EXPECT_EQ(call(Method::kPost, "/members", {{"Authorization", "Bearer viewer-token"}}).status, 403);
  EXPECT_EQ(call(Method::kPost, "/members", {{"Authorization", "Bearer admin-token"}}).status, 200);
}

// ASVS 16.3.1/16.3.2: failed authentication and denied access leave a log line naming who,
// where and why, and never the credential.
TEST_F(AuthTest, RefusalsAreLoggedWithoutTheCredential) {
  testing::internal::CaptureStderr();
  call(Method::kGet, "/me", {{"Authorization", "Bearer forged-secret-value"}, {"X-Request-Id", "deny-1"}});
  call(Method::kPost, "/members", {{"Authorization", "Bearer viewer-token"}, {"X-Request-Id", "deny-2"}});
  log::flush();
  const std::string logs = testing::internal::GetCapturedStderr();
  bool failed_logged = false;
  bool denied_logged = false;
  std::stringstream lines(logs);
  for (std::string line; std::getline(lines, line);) {
    const auto entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_discarded()) continue;
    if (entry.value("msg", "") == "authentication_failed" && entry.value("request_id", "") == "deny-1") {
      failed_logged = true;
    }
    if (entry.value("msg", "") == "access_denied" && entry.value("request_id", "") == "deny-2") {
      denied_logged = true;
      EXPECT_EQ(entry.value("action", ""), "members.manage") << line;
    }
  }
  EXPECT_TRUE(failed_logged) << logs;
  EXPECT_TRUE(denied_logged) << logs;
  EXPECT_EQ(logs.find("forged-secret-value"), std::string::npos);
  EXPECT_EQ(logs.find("viewer-token"), std::string::npos);
}

TEST_F(AuthTest, ApiKeyPrincipalNeedsTheKeysGrantToo) {
  RequestAuthenticator keys(
      [](std::string_view) -> Result<Principal> {
        Principal principal;
        principal.kind = Principal::Kind::kApiKey;
        principal.role = Role::kOwner;
        principal.api_key_actions = {Action::kMemberList};
        return principal;
      },
      CookieSettings{});
  const auto handler = guard(keys, RouteAccess::action(Action::kMemberManage),
                             [](const Request&, const Principal&) { return Response::no_content(); });
  Request request;
  request.headers.add("Authorization", "Bearer psk_whatever");
  try {
    handler(request);
    FAIL() << "expected 403";
  } catch (const HttpError& error) {
    EXPECT_EQ(error.problem().status, 403);
  }
}

TEST_F(AuthTest, CookieWorksForSafeMethodsWithoutCsrf) {
  const auto response = call(Method::kGet, "/me", {{"Cookie", "a=b; __Host-personae_access=viewer-token"}});
  EXPECT_EQ(response.status, 200);
}

TEST_F(AuthTest, CookieOnUnsafeMethodNeedsTheMatchingCsrfHeader) {
  const std::string cookies = "__Host-personae_access=admin-token; __Host-personae_csrf=abc123";
  EXPECT_EQ(call(Method::kPost, "/members", {{"Cookie", cookies}}).status, 403);
  EXPECT_EQ(call(Method::kPost, "/members", {{"Cookie", cookies}, {"X-CSRF-Token", "abc124"}}).status, 403);
  EXPECT_EQ(call(Method::kPost, "/members",
                 {{"Cookie", "__Host-personae_access=admin-token"}, {"X-CSRF-Token", ""}})
                .status,
            403);
  const auto refused = call(Method::kPost, "/members", {{"Cookie", cookies}});
  EXPECT_EQ(nlohmann::json::parse(refused.body)["type"], "https://personae.dev/problems/csrf");
  EXPECT_EQ(call(Method::kPost, "/members", {{"Cookie", cookies}, {"X-CSRF-Token", "abc123"}}).status, 200);
}

TEST_F(AuthTest, BearerWinsAndCookiesAreIgnored) {
  // A bearer request needs no CSRF token: browsers never attach Authorization by themselves.
  const auto response =
      call(Method::kPost, "/members",
           {{"Cookie", "__Host-personae_access=viewer-token"}, {"Authorization", "Bearer admin-token"}});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body)["role"], "admin");
  // An invalid bearer does not fall back to a valid cookie.
  EXPECT_EQ(call(Method::kGet, "/me",
                 {{"Cookie", "__Host-personae_access=viewer-token"}, {"Authorization", "Bearer nope"}})
                .status,
            401);
}

TEST(CookieSettings, InsecureDevelopmentModeDropsThePrefixes) {
  const CookieSettings secure;
  EXPECT_EQ(secure.access_name(), "__Host-personae_access");
  EXPECT_EQ(secure.refresh_name(), "__Secure-personae_refresh");
  const CookieSettings insecure{false};
  EXPECT_EQ(insecure.access_name(), "personae_access");
  EXPECT_EQ(insecure.csrf_name(), "personae_csrf");
}

TEST(CookieValue, ParsesPairsAndQuotes) {
  Request request;
  request.headers.add("Cookie", "x=1;y=\"2\" ; z");
  EXPECT_EQ(cookie_value(request, "x"), "1");
  EXPECT_EQ(cookie_value(request, "y"), "2");
  EXPECT_EQ(cookie_value(request, "z"), std::nullopt);
  EXPECT_EQ(cookie_value(request, "X"), std::nullopt);
}

TEST(Router, AuthenticatedRoutesMustBeBlocking) {
  Router router;
  EXPECT_THROW(router.add(
                   Method::kGet, "/me", RouteAccess::any_principal(),
                   [](const Request&) { return Response::no_content(); }, Execution::kInline),
               std::invalid_argument);
  EXPECT_EQ(RouteAccess::action(Action::kMemberManage).name(), "members.manage");
  EXPECT_EQ(RouteAccess::any_principal().name(), "authenticated");
  EXPECT_EQ(RouteAccess::public_route().name(), "public");
}

}  // namespace
}  // namespace personae::http::auth

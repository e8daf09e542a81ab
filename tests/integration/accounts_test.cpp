// Black-box tests of accounts through the binary: the operator's CLI, the first-run link, and a
// sign-in over HTTP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "tests/integration/personae_process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class AccountsCliTest : public ::testing::Test {
 protected:
  CommandResult personae(std::vector<std::string> arguments,
                         std::optional<std::string> input = std::nullopt) {
    arguments.insert(arguments.end(), {"--data-dir", data_dir().string()});
    return run_personae(arguments, {}, {}, std::move(input));
  }
  std::filesystem::path data_dir() const { return dir_.path() / "var"; }

  static HttpResponse post_json(int port, const std::string& target, const nlohmann::json& body,
                                std::map<std::string, std::string> headers = {}) {
    headers["Content-Type"] = "application/json";
    return http_request(port, "POST", target, headers, body.dump());
  }

  TempDir dir_;
};

TEST_F(AccountsCliTest, TenantAndUserCommandsCreateAnOwnerWhoCanSignIn) {
  auto result = personae({"tenant", "create", "--name", "Acme"});
  ASSERT_EQ(result.exit_status, 0) << result.standard_error;
  EXPECT_THAT(result.standard_output, HasSubstr("created tenant \"Acme\""));

  result = personae({"tenant", "list"});
  EXPECT_THAT(result.standard_output, HasSubstr("Acme"));

  result = personae({"user", "create", "--tenant", "Acme", "--email", "Ana@Example.com", "--role", "owner"},
                    "correct horse battery staple\n");
  ASSERT_EQ(result.exit_status, 0) << result.standard_error;
  EXPECT_THAT(result.standard_output, HasSubstr("ana@example.com is owner of \"Acme\""));

  ServeProcess serve({data_dir(), {}, {}, true});
  // An installation with an account prints no setup link.
  EXPECT_THAT(serve.process().standard_output(), Not(HasSubstr("setup#token=")));
  const auto login = post_json(serve.port(), "/api/v1/auth/login",
                               {{"email", "ana@example.com"}, {"password", "correct horse battery staple"}});
  ASSERT_EQ(login.status, 200) << login.body;
  const auto tokens = nlohmann::json::parse(login.body);
  EXPECT_EQ(tokens["token_type"], "Bearer");
  EXPECT_EQ(login.header("Cache-Control"), "no-store");
  const auto me =
      serve.get("/api/v1/me", {{"Authorization", "Bearer " + tokens["access_token"].get<std::string>()}});
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(nlohmann::json::parse(me.body)["role"], "owner");
  EXPECT_EQ(serve.terminate(), 0);
  // Neither the password nor a token reached the logs.
  const auto logs = serve.process().standard_error();
  EXPECT_THAT(logs, Not(HasSubstr("correct horse")));
  EXPECT_THAT(logs, Not(HasSubstr(tokens["access_token"].get<std::string>())));
  EXPECT_THAT(logs, Not(HasSubstr(tokens["refresh_token"].get<std::string>())));
}

TEST_F(AccountsCliTest, SignInBodiesHaveTheirOwnSmallCap) {
  ServeProcess serve({data_dir(), {}, {}, true});
  // Under the server-wide 1 MiB, over the sign-in routes. 4 KiB: refused before it is read.
  const std::string padding(20 * 1024, 'x');
  for (const char* target : {"/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/setup"}) {
    const auto refused = post_json(serve.port(), target, {{"email", padding}, {"password", "x"}});
    EXPECT_EQ(refused.status, 413) << target << ": " << refused.body;
    EXPECT_THAT(refused.body, HasSubstr("limit of 4096 bytes"));
  }
  const auto answered =
      post_json(serve.port(), "/api/v1/auth/login", {{"email", "a@example.com"}, {"password", "x"}});
  EXPECT_EQ(answered.status, 401) << answered.body;
}

TEST_F(AccountsCliTest, UserCreateRefusesWeakPasswordsAndUnknownTenantsAndRoles) {
  ASSERT_EQ(personae({"tenant", "create", "--name", "Acme"}).exit_status, 0);
  auto result = personae(
      {"user", "create", "--tenant", "Acme", "--email", "a@example.com", "--role", "owner"}, "password1\n");
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_THAT(result.standard_error, HasSubstr("common"));

  result = personae({"user", "create", "--tenant", "Nope", "--email", "a@example.com", "--role", "owner"},
                    "correct horse battery staple\n");
  EXPECT_EQ(result.exit_status, 1);

  result = personae({"user", "create", "--tenant", "Acme", "--email", "a@example.com", "--role", "superuser"},
                    "correct horse battery staple\n");
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_THAT(result.standard_error, HasSubstr("--role"));

  result =
      personae({"user", "create", "--tenant", "Acme", "--email", "a@example.com", "--role", "owner"}, "");
  EXPECT_NE(result.exit_status, 0);
  EXPECT_THAT(result.standard_error, HasSubstr("no password"));

  result = personae({"tenant", "create", "--name", "Acme"});
  EXPECT_EQ(result.exit_status, 1);
}

TEST_F(AccountsCliTest, FirstRunPrintsASingleUseSetupLink) {
  ServeProcess serve({data_dir(), {}, {}, true});
  const auto line = serve.process().wait_for_output_line("setup#token=", std::chrono::seconds(10));
  ASSERT_TRUE(line.has_value()) << serve.process().standard_output();
  std::smatch match;
  ASSERT_TRUE(std::regex_search(*line, match, std::regex("setup#token=([A-Za-z0-9_-]+)")));
  const std::string token = match[1];

  const nlohmann::json body = {{"token", token},
                               {"tenant_name", "Studio Nova"},
                               {"email", "owner@example.com"},
                               {"password", "correct horse battery staple"}};
  const auto created = post_json(serve.port(), "/api/v1/setup", body);
  ASSERT_LT(created.status, 300) << created.body;
  EXPECT_EQ(nlohmann::json::parse(created.body)["role"], "owner");

  auto again = body;
  again["email"] = "intruder@example.com";
  EXPECT_EQ(post_json(serve.port(), "/api/v1/setup", again).status, 401);

  const auto login =
      post_json(serve.port(), "/api/v1/auth/login",
                {{"email", "owner@example.com"}, {"password", "correct horse battery staple"}});
  EXPECT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(serve.terminate(), 0);
  // The token travels in the URL fragment and the POST body, never in a logged request line.
  EXPECT_THAT(serve.process().standard_error(), Not(HasSubstr(token)));
}

TEST_F(AccountsCliTest, DisabledUserCannotSignInOrUseItsTokens) {
  ASSERT_EQ(personae({"tenant", "create", "--name", "Acme"}).exit_status, 0);
  ASSERT_EQ(personae({"user", "create", "--tenant", "Acme", "--email", "eve@example.com", "--role", "viewer"},
                     "correct horse battery staple\n")
                .exit_status,
            0);
  std::string access_token;
  {
    ServeProcess serve({data_dir(), {}, {}, true});
    const auto login =
        post_json(serve.port(), "/api/v1/auth/login",
                  {{"email", "eve@example.com"}, {"password", "correct horse battery staple"}});
    ASSERT_EQ(login.status, 200) << login.body;
    access_token = nlohmann::json::parse(login.body)["access_token"];
    EXPECT_EQ(serve.terminate(), 0);
  }
  const auto disabled = personae({"user", "disable", "--email", "eve@example.com"});
  ASSERT_EQ(disabled.exit_status, 0) << disabled.standard_error;

  ServeProcess serve({data_dir(), {}, {}, true});
  EXPECT_EQ(serve.get("/api/v1/me", {{"Authorization", "Bearer " + access_token}}).status, 401);
  const auto login = post_json(serve.port(), "/api/v1/auth/login",
                               {{"email", "eve@example.com"}, {"password", "correct horse battery staple"}});
  EXPECT_EQ(login.status, 401);
  EXPECT_EQ(serve.terminate(), 0);
}

/// Two `serve` processes (two replicas) share the sign-in limit through a real Redis: failures on
/// one count on the other.
TEST_F(AccountsCliTest, TwoServersShareTheSignInLimitThroughRedis) {
  RedisServer redis;
  ASSERT_EQ(personae({"tenant", "create", "--name", "Acme"}).exit_status, 0);
  ASSERT_EQ(personae({"user", "create", "--tenant", "Acme", "--email", "ana@example.com", "--role", "owner"},
                     "correct horse battery staple\n")
                .exit_status,
            0);
  const std::map<std::string, std::string> environment = {{"PERSONAE_REDIS_URL", redis.url()},
                                                          {"PERSONAE_AUTH_LOGIN_BURST_PER_ACCOUNT", "3"},
                                                          {"PERSONAE_AUTH_LOGIN_PER_ACCOUNT_PER_HOUR", "1"}};
  ServeProcess first({data_dir(), {}, environment, true});
  ServeProcess second({data_dir(), {}, environment, true});
  const nlohmann::json wrong = {{"email", "ana@example.com"}, {"password", "not the password at all"}};
  EXPECT_EQ(post_json(first.port(), "/api/v1/auth/login", wrong).status, 401);
  EXPECT_EQ(post_json(second.port(), "/api/v1/auth/login", wrong).status, 401);
  EXPECT_EQ(post_json(first.port(), "/api/v1/auth/login", wrong).status, 401);
  // The account's burst of 3 is spent across both servers: the next attempt is refused on either.
  const auto refused = post_json(second.port(), "/api/v1/auth/login", wrong);
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_FALSE(refused.header("Retry-After").empty());
  EXPECT_EQ(post_json(first.port(), "/api/v1/auth/login",
                      {{"email", "ana@example.com"}, {"password", "correct horse battery staple"}})
                .status,
            429);
  EXPECT_EQ(first.terminate(), 0);
  EXPECT_EQ(second.terminate(), 0);
}

}  // namespace
}  // namespace personae::testing

#include "http/handlers/system_handlers.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/problem.hpp"

namespace personae::http::handlers {
namespace {

Request request_from(std::string remote, std::string authorization = {}) {
  Request request;
  request.remote_address = std::move(remote);
  if (!authorization.empty()) request.headers.set("Authorization", authorization);
  return request;
}

int problem_status(const Handler& handler, const Request& request) {
  try {
    handler(request);
  } catch (const HttpError& error) {
    // RFC 9110 15.5.2: every 401 carries a challenge.
    if (error.problem().status == 401) {
      EXPECT_TRUE(error.problem().headers.contains("WWW-Authenticate"));
    }
    return error.problem().status;
  }
  return 0;
}

TEST(HealthHandler, AnswersOk) {
  const auto response = health()(Request{});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body)["status"], "ok");
}

TEST(LoopbackAddress, RecognisesLoopbackOnly) {
  EXPECT_TRUE(is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(is_loopback_address("127.10.0.3"));
  EXPECT_TRUE(is_loopback_address("::1"));
  EXPECT_TRUE(is_loopback_address("::ffff:127.0.0.1"));
  EXPECT_FALSE(is_loopback_address("10.0.0.1"));
  EXPECT_FALSE(is_loopback_address("::ffff:10.0.0.1"));
  EXPECT_FALSE(is_loopback_address("1270.0.0.1"));
  EXPECT_FALSE(is_loopback_address(""));
}

TEST(MetricsHandler, WithoutTokenServesOnlyLoopbackClients) {
  const auto handler = metrics([] { return std::string("m 1\n"); }, "");
  EXPECT_EQ(handler(request_from("127.0.0.1")).body, "m 1\n");
  EXPECT_EQ(problem_status(handler, request_from("192.0.2.7")), 403);
}

TEST(MetricsHandler, WithTokenRequiresTheBearerTokenFromAnyAddress) {
  const auto handler = metrics([] { return std::string("m 1\n"); }, "s3cret");
  EXPECT_EQ(problem_status(handler, request_from("127.0.0.1")), 401);
  EXPECT_EQ(problem_status(handler, request_from("192.0.2.7", "Bearer wrong")), 401);
  EXPECT_EQ(problem_status(handler, request_from("192.0.2.7", "Basic s3cret")), 401);
  EXPECT_EQ(problem_status(handler, request_from("192.0.2.7", "Bearer s3cret ")), 401);
  EXPECT_EQ(handler(request_from("192.0.2.7", "Bearer s3cret")).status, 200);
}

TEST(VersionHandler, ReportsTheBuild) {
  const auto response = version({"1.2.3", "abc", "GNU 12", "Release"})(Request{});
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["name"], "personae");
  EXPECT_EQ(body["version"], "1.2.3");
  EXPECT_EQ(body["commit"], "abc");
}

TEST(OpenApiHandler, ServesTheDocumentAsYaml) {
  const auto response = openapi_document("openapi: 3.1.0\n")(Request{});
  EXPECT_EQ(response.body, "openapi: 3.1.0\n");
  EXPECT_EQ(response.headers.get("Content-Type").value_or(""), "application/yaml; charset=utf-8");
}

}  // namespace
}  // namespace personae::http::handlers

// Black-box tests of `personae serve` on the embedded default (SQLite under a temporary data dir).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/integration/personae_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class ServeTest : public ::testing::Test {
 protected:
  ServeProcess start(std::map<std::string, std::string> environment = {}) {
    return ServeProcess({dir_.path() / "var", {}, std::move(environment), true});
  }

  static void expect_problem(const HttpResponse& response, int status) {
    EXPECT_EQ(response.status, status);
    EXPECT_EQ(response.header("Content-Type"), "application/problem+json; charset=utf-8");
    const auto problem = nlohmann::json::parse(response.body);
    EXPECT_EQ(problem["status"], status);
    EXPECT_TRUE(problem.contains("title"));
    EXPECT_TRUE(problem.contains("type"));
    EXPECT_EQ(problem["instance"], response.header("X-Request-Id"));
  }

  TempDir dir_;
};

TEST_F(ServeTest, StartsOnTheEmbeddedDefaultAndAnswersHealthAndReady) {
  auto server = start();
  const auto health = server.get("/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body)["status"], "ok");
  EXPECT_EQ(health.header("Content-Type"), "application/json; charset=utf-8");

  const auto ready = nlohmann::json::parse(server.get("/ready").body);
  EXPECT_EQ(ready["status"], "ready");
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "var" / "personae.db"));
  EXPECT_THAT(server.process().standard_output(), HasSubstr("Ctrl+C"));
}

TEST_F(ServeTest, ReadinessFollowsTheBlobStore) {
  auto server = start();
  const auto blobs = dir_.path() / "var" / "blobs";
  ASSERT_TRUE(std::filesystem::is_directory(blobs));
  EXPECT_EQ(server.get("/ready").status, 200);
  // The folder replaced by a file: the store cannot write, so the instance is not ready.
  std::filesystem::rename(blobs, dir_.path() / "moved-blobs");
  std::ofstream(blobs) << "not a folder";
  const auto broken = server.get("/ready");
  EXPECT_EQ(broken.status, 503);
  EXPECT_THAT(broken.body, HasSubstr("blobs"));
  std::filesystem::remove(blobs);
  std::filesystem::rename(dir_.path() / "moved-blobs", blobs);
  EXPECT_EQ(server.get("/ready").status, 200);
}

TEST_F(ServeTest, ServesTheDashboardWithoutShadowingTheApi) {
  const auto dist = dir_.path() / "dist";
  std::filesystem::create_directories(dist / "assets");
  std::ofstream(dist / "index.html") << "<!doctype html><title>Personae</title><div id=root></div>";
  std::ofstream(dist / "assets" / "app-0f1e.js") << "export {};";
  auto server = start({{"PERSONAE_SERVER_DASHBOARD_DIR", dist.string()}});
  const auto index = server.get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_THAT(index.body, HasSubstr("id=root"));
  EXPECT_THAT(index.header("Content-Security-Policy"), HasSubstr("script-src 'self'"));
  EXPECT_THAT(server.get("/personas/abc").body, HasSubstr("id=root"));
  EXPECT_EQ(server.get("/assets/app-0f1e.js").header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(server.get("/assets/gone-1234.js").status, 404);
  expect_problem(server.get("/api/v1/no-such-thing"), 404);
  EXPECT_EQ(server.get("/health").status, 200);
}

TEST_F(ServeTest, WithoutABuiltDashboardTheRootSaysHowToBuildIt) {
  auto server = start({{"PERSONAE_SERVER_DASHBOARD_DIR", (dir_.path() / "missing").string()}});
  const auto index = server.get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_THAT(index.body, HasSubstr("make run"));
}

TEST_F(ServeTest, ServesVersionAndTheOpenApiDocument) {
  auto server = start();
  const auto version = nlohmann::json::parse(server.get("/api/v1/version").body);
  EXPECT_EQ(version["name"], "personae");
  EXPECT_FALSE(version["version"].get<std::string>().empty());

  const auto document = server.get("/api/v1/openapi.yaml");
  EXPECT_EQ(document.status, 200);
  EXPECT_THAT(document.header("Content-Type"), StartsWith("application/yaml"));
  EXPECT_THAT(document.body, HasSubstr("openapi: 3.1.0"));
  EXPECT_THAT(document.body, HasSubstr("/api/v1/audit/head:"));
}

TEST_F(ServeTest, UnknownRoutesAndMethodsAreProblems) {
  auto server = start();
  expect_problem(server.get("/api/v1/nothing-here"), 404);
  const auto wrong_method = http_request(server.port(), "DELETE", "/health");
  expect_problem(wrong_method, 405);
  EXPECT_THAT(wrong_method.header("Allow"), HasSubstr("GET"));
}

TEST_F(ServeTest, OversizedBodyIs413AndMalformedRequestIs400) {
  auto server = start({{"PERSONAE_SERVER_MAX_BODY_BYTES", "1KiB"}});
  expect_problem(http_request(server.port(), "POST", "/health", {}, std::string(4096, 'x')), 413);

  HttpConnection connection(server.port());
  connection.send_raw("GARBAGE\r\n\r\n");
  expect_problem(connection.read_response(), 400);

  // The server still serves after bad clients.
  EXPECT_EQ(server.get("/health").status, 200);
}

TEST_F(ServeTest, EveryResponseCarriesSecurityHeadersAndTheRequestId) {
  auto server = start();
  const auto generated = server.get("/health");
  EXPECT_EQ(generated.header("X-Request-Id").size(), 32u);
  EXPECT_EQ(generated.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(generated.header("X-Frame-Options"), "DENY");
  EXPECT_THAT(generated.header("Content-Security-Policy"), HasSubstr("default-src 'none'"));

  const auto echoed = server.get("/api/v1/nothing", {{"X-Request-Id", "trace-42"}});
  EXPECT_EQ(echoed.header("X-Request-Id"), "trace-42");
  EXPECT_EQ(nlohmann::json::parse(echoed.body)["instance"], "trace-42");
}

TEST_F(ServeTest, MetricsCountRequestsByRoutePattern) {
  auto server = start();
  server.get("/health");
  server.get("/api/v1/nothing");
  const auto metrics = server.get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.header("Content-Type"), StartsWith("text/plain; version=0.0.4"));
  EXPECT_THAT(metrics.body, HasSubstr("personae_http_requests_total{"));
  EXPECT_THAT(metrics.body, HasSubstr("route=\"/health\""));
  EXPECT_THAT(metrics.body, HasSubstr("personae_http_request_duration_seconds_bucket{"));
  EXPECT_THAT(metrics.body, HasSubstr("personae_http_requests_in_flight"));
  EXPECT_THAT(metrics.body, HasSubstr("personae_db_pool_connections"));
  EXPECT_THAT(metrics.body, HasSubstr("personae_build_info{"));
  // The raw path of an unmatched request never becomes a label (cardinality).
  EXPECT_EQ(metrics.body.find("/api/v1/nothing"), std::string::npos);
}

TEST_F(ServeTest, MetricsTokenIsRequiredWhenConfigured) {
  auto server = start({{"PERSONAE_METRICS_TOKEN", "scrape-secret"}});
  expect_problem(server.get("/metrics"), 401);
  expect_problem(server.get("/metrics", {{"Authorization", "Bearer wrong"}}), 401);
  EXPECT_EQ(server.get("/metrics", {{"Authorization", "Bearer scrape-secret"}}).status, 200);
}

TEST_F(ServeTest, MigrationsAreRecordedInTheAuditChain) {
  auto server = start();
  const auto head = nlohmann::json::parse(server.get("/api/v1/audit/head").body);
  EXPECT_EQ(head["chain"], "system");
  EXPECT_GE(head["sequence"].get<int>(), 1);
  EXPECT_EQ(head["hash"].get<std::string>().size(), 64u);
}

TEST_F(ServeTest, SigtermStopsGracefullyAndARestartKeepsTheData) {
  std::string first_head;
  {
    auto server = start();
    first_head = server.get("/api/v1/audit/head").body;
    EXPECT_EQ(server.terminate(), 0);
    EXPECT_THAT(server.process().standard_error(), HasSubstr("\"msg\":\"stopped\""));
  }
  auto again = start();
  // The data survived: the chain goes on from where it was (a restart on an installation without
  // any account issues a new setup link, which is itself audited) and verifies.
  const auto before = nlohmann::json::parse(first_head);
  const auto after = nlohmann::json::parse(again.get("/api/v1/audit/head").body);
  EXPECT_GE(after["sequence"].get<int>(), before["sequence"].get<int>());
  EXPECT_EQ(again.terminate(), 0);
  const auto verified = run_personae({"audit", "verify", "--data-dir", (dir_.path() / "var").string()});
  EXPECT_EQ(verified.exit_status, 0) << verified.standard_output;
}

TEST_F(ServeTest, AccessLogIsOneJsonLinePerRequest) {
  auto server = start();
  server.get("/health", {{"X-Request-Id", "log-check-1"}});
  EXPECT_EQ(server.terminate(), 0);
  bool found = false;
  std::stringstream lines(server.process().standard_error());
  for (std::string line; std::getline(lines, line);) {
    const auto entry = nlohmann::json::parse(line);  // every line is JSON
    if (entry.value("request_id", "") == "log-check-1") {
      found = true;
      EXPECT_EQ(entry["route"], "/health");
      EXPECT_EQ(entry["status"], 200);
      EXPECT_TRUE(entry.contains("duration_ms"));
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ServeTest, PortAlreadyInUseFailsWithAClearMessage) {
  auto first = start();
  const auto result = run_personae({"serve", "--listen", "127.0.0.1:" + std::to_string(first.port()),
                                    "--data-dir", (dir_.path() / "other").string()});
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_THAT(result.standard_error, HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(first.port())));
}

}  // namespace
}  // namespace personae::testing

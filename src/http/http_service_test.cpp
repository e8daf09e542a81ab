#include "http/http_service.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include "core/error.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "observability/log.hpp"

namespace personae::http {
namespace {

using namespace std::chrono_literals;

class HttpServiceTest : public testing::Test {
 protected:
  HttpServiceTest() {
    router_.add(Method::kGet, "/api/v1/personas/{id}", RouteAccess::public_route(),
                [](const Request& request) {
                  return Response::json(200, {{"id", std::string(request.path_param("id"))}});
                });
    router_.add(Method::kPost, "/api/v1/personas", RouteAccess::public_route(), [](const Request& request) {
      const auto json = parse_json_body(request);
      JsonReader body(json);
      auto name = body.required<std::string>("name");
      body.finish();
      return Response::json(201, {{"name", name}});
    });
    router_.add(Method::kGet, "/boom", RouteAccess::public_route(), [](const Request&) -> Response {
      throw std::runtime_error("secret connection string postgres://u:p@db");
    });
    router_.add(Method::kGet, "/app-error", RouteAccess::public_route(), [](const Request&) -> Response {
      throw AppError(ErrorCode::kConflict, "the slug is taken", "UNIQUE constraint failed: personas.slug");
    });
    router_.add(Method::kGet, "/csp", RouteAccess::public_route(), [](const Request&) {
      Response response = Response::text(200, "<p>", "text/html");
      response.headers.set("Content-Security-Policy", "default-src 'self'");
      response.headers.set("Cache-Control", "public, max-age=60");
      return response;
    });
    router_.add(Method::kGet, "/split", RouteAccess::public_route(), [](const Request&) {
      Response response = Response::text(200, "x", "text/plain");
      response.headers.set("X-Echo", "a\r\nSet-Cookie: evil=1");
      return response;
    });
  }

  HttpService& service(HttpServiceOptions options = {}) {
    service_ = std::make_unique<HttpService>(router_, registry_, std::move(options));
    return *service_;
  }

  // The whole pipeline, as the server runs it for an inline route.
  Response handle(HttpService& service, Request request, const Route** matched = nullptr) {
    auto prepared = service.prepare(request);
    Response response;
    const Route* route = nullptr;
    if (auto* immediate = std::get_if<Response>(&prepared)) {
      response = std::move(*immediate);
    } else {
      route = std::get<const Route*>(prepared);
      response = service.invoke(*route, request);
    }
    service.finish(request, response, route, 3ms);
    if (matched != nullptr) *matched = route;
    last_request_id_ = request.request_id;
    return response;
  }

  static Request make(Method method, std::string target, Headers headers = {}, std::string body = {}) {
    Request request;
    request.method = method;
    request.method_text = std::string(to_string(method));
    request.target = std::move(target);
    request.headers = std::move(headers);
    request.body = std::move(body);
    request.remote_address = "203.0.113.9";
    return request;
  }

  Router router_;
  observability::MetricsRegistry registry_;
  std::unique_ptr<HttpService> service_;
  std::string last_request_id_;
};

Headers with(std::initializer_list<std::pair<const char*, const char*>> fields) {
  Headers headers;
  for (const auto& [name, value] : fields) headers.add(name, value);
  return headers;
}

TEST_F(HttpServiceTest, RoutesAndFillsPathParams) {
  auto& http = service();
  const Response response = handle(http, make(Method::kGet, "/api/v1/personas/ava%20b"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body)["id"], "ava b");
  EXPECT_EQ(response.headers.get("Content-Length"), std::to_string(response.body.size()));
}

TEST_F(HttpServiceTest, RequestIdIsAcceptedWhenSafeElseGenerated) {
  auto& http = service();
  auto response =
      handle(http, make(Method::kGet, "/api/v1/personas/1", with({{"X-Request-Id", "abc-123:x.y_z"}})));
  EXPECT_EQ(response.headers.get("X-Request-Id"), "abc-123:x.y_z");

  for (const std::string& bad :
       std::vector<std::string>{"has space", "new\r\nline", std::string(129, 'a'), std::string()}) {
    Headers headers;
    headers.add("X-Request-Id", bad);
    response = handle(http, make(Method::kGet, "/api/v1/personas/1", headers));
    const auto id = response.headers.get("X-Request-Id");
    ASSERT_TRUE(id.has_value());
    EXPECT_NE(*id, bad);
    EXPECT_EQ(id->size(), 32u);
    EXPECT_TRUE(valid_request_id(*id));
  }
  response = handle(http, make(Method::kGet, "/api/v1/personas/1"));
  EXPECT_EQ(response.headers.get("X-Request-Id")->size(), 32u);
  EXPECT_TRUE(valid_request_id(std::string(128, 'a')));
}

TEST_F(HttpServiceTest, EveryResponseCarriesSecurityHeaders) {
  auto& http = service();
  for (const char* target : {"/api/v1/personas/1", "/nowhere", "/boom"}) {
    const Response response = handle(http, make(Method::kGet, target));
    EXPECT_EQ(response.headers.get("X-Content-Type-Options"), "nosniff") << target;
    EXPECT_EQ(response.headers.get("X-Frame-Options"), "DENY");
    EXPECT_EQ(response.headers.get("Referrer-Policy"), "no-referrer");
    EXPECT_EQ(response.headers.get("Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'");
    EXPECT_EQ(response.headers.get("Cross-Origin-Opener-Policy"), "same-origin");
    EXPECT_EQ(response.headers.get("Cross-Origin-Resource-Policy"), "same-origin");
    EXPECT_TRUE(response.headers.contains("Permissions-Policy"));
    EXPECT_EQ(response.headers.get("Cache-Control"), "no-store");
    EXPECT_FALSE(response.headers.contains("Strict-Transport-Security"));
  }
  const Response own = handle(http, make(Method::kGet, "/csp"));
  EXPECT_EQ(own.headers.get("Content-Security-Policy"), "default-src 'self'");
  EXPECT_EQ(own.headers.get("Cache-Control"), "public, max-age=60");
}

TEST_F(HttpServiceTest, HstsOnlyWhenEnabled) {
  HttpServiceOptions options;
  options.hsts = true;
  auto& http = service(options);
  EXPECT_EQ(handle(http, make(Method::kGet, "/api/v1/personas/1")).headers.get("Strict-Transport-Security"),
            "max-age=31536000; includeSubDomains");
}

TEST_F(HttpServiceTest, NotFoundAndMethodNotAllowedAreProblems) {
  auto& http = service();
  Response response = handle(http, make(Method::kGet, "/nowhere"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.headers.get("Content-Type"), "application/problem+json; charset=utf-8");
  EXPECT_EQ(nlohmann::json::parse(response.body)["instance"], last_request_id_);

  response = handle(http, make(Method::kDelete, "/api/v1/personas/1"));
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers.get("Allow"), "GET, HEAD");

  Request trace = make(Method::kOther, "/api/v1/personas/1");
  trace.method_text = "TRACE";
  EXPECT_EQ(handle(http, trace).status, 405);
  Request unknown = make(Method::kOther, "/api/v1/personas/1");
  unknown.method_text = "BREW";
  EXPECT_EQ(handle(http, unknown).status, 501);

  response = handle(http, make(Method::kOptions, "/api/v1/personas/1"));
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.headers.get("Allow"), "GET, HEAD, OPTIONS");

  EXPECT_EQ(handle(http, make(Method::kGet, "/api/v1/personas/a%2Fb")).status, 400);
}

TEST_F(HttpServiceTest, HeadKeepsContentLengthAndDropsTheBody) {
  auto& http = service();
  const Response get = handle(http, make(Method::kGet, "/api/v1/personas/1"));
  const Response head = handle(http, make(Method::kHead, "/api/v1/personas/1"));
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.headers.get("Content-Length"), get.headers.get("Content-Length"));
}

TEST_F(HttpServiceTest, ExceptionsNeverLeakInternalText) {
  auto& http = service();
  testing::internal::CaptureStderr();
  const Response boom = handle(http, make(Method::kGet, "/boom"));
  const Response conflict = handle(http, make(Method::kGet, "/app-error"));
  const std::string logs = testing::internal::GetCapturedStderr();

  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(boom.body.find("secret"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(boom.body)["title"], "Internal Server Error");
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(nlohmann::json::parse(conflict.body)["detail"], "the slug is taken");
  EXPECT_EQ(conflict.body.find("UNIQUE"), std::string::npos);
  // The logs keep what the client does not see, with the request id to find it.
  EXPECT_NE(logs.find("secret connection string"), std::string::npos);
  EXPECT_NE(logs.find("UNIQUE constraint failed"), std::string::npos);
  EXPECT_NE(logs.find(last_request_id_), std::string::npos);
}

TEST_F(HttpServiceTest, JsonBodyErrorsBecomeProblemsWithFieldErrors) {
  auto& http = service();
  Response response = handle(http, make(Method::kPost, "/api/v1/personas",
                                        with({{"Content-Type", "application/json"}}), R"({"nam": "x"})"));
  EXPECT_EQ(response.status, 400);
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["errors"].size(), 2u);
  response =
      handle(http, make(Method::kPost, "/api/v1/personas", with({{"Content-Type", "text/plain"}}), "{}"));
  EXPECT_EQ(response.status, 415);
  response = handle(http, make(Method::kPost, "/api/v1/personas",
                               with({{"Content-Type", "application/json"}}), R"({"name": "x"})"));
  EXPECT_EQ(response.status, 201);
}

TEST_F(HttpServiceTest, HeaderInjectionByAHandlerBecomesA500) {
  auto& http = service();
  testing::internal::CaptureStderr();
  const Response response = handle(http, make(Method::kGet, "/split"));
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(response.status, 500);
  EXPECT_FALSE(response.headers.contains("X-Echo"));
}

HttpServiceOptions cors_options() {
  HttpServiceOptions options;
  options.cors_allowed_origins = {"https://app.example.com"};
  options.cors_allow_credentials = true;
  return options;
}

TEST_F(HttpServiceTest, CorsAllowedOriginGetsHeadersAndVary) {
  auto& http = service(cors_options());
  const Response response =
      handle(http, make(Method::kGet, "/api/v1/personas/1", with({{"Origin", "https://app.example.com"}})));
  EXPECT_EQ(response.headers.get("Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(response.headers.get("Access-Control-Allow-Credentials"), "true");
  EXPECT_NE(response.headers.get("Access-Control-Expose-Headers")->find("X-Request-Id"), std::string::npos);
  EXPECT_EQ(response.headers.get("Vary"), "Origin");
}

TEST_F(HttpServiceTest, CorsDeniedOriginIsServedWithoutCorsHeaders) {
  auto& http = service(cors_options());
  const Response response =
      handle(http, make(Method::kGet, "/api/v1/personas/1", with({{"Origin", "https://evil.example.com"}})));
  EXPECT_EQ(response.status, 200);
  EXPECT_FALSE(response.headers.contains("Access-Control-Allow-Origin"));
  EXPECT_EQ(response.headers.get("Vary"), "Origin");
}

TEST_F(HttpServiceTest, CorsPreflight) {
  auto& http = service(cors_options());
  Response response =
      handle(http, make(Method::kOptions, "/api/v1/personas",
                        with({{"Origin", "https://app.example.com"},
                              {"Access-Control-Request-Method", "POST"},
                              {"Access-Control-Request-Headers", "content-type, x-request-id"}})));
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.headers.get("Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_NE(response.headers.get("Access-Control-Allow-Methods")->find("POST"), std::string::npos);
  EXPECT_EQ(response.headers.get("Access-Control-Max-Age"), "600");
  EXPECT_TRUE(response.body.empty());

  response = handle(
      http, make(Method::kOptions, "/api/v1/personas",
                 with({{"Origin", "https://evil.example.com"}, {"Access-Control-Request-Method", "POST"}})));
  EXPECT_EQ(response.status, 403);
  EXPECT_FALSE(response.headers.contains("Access-Control-Allow-Origin"));

  response = handle(http, make(Method::kOptions, "/api/v1/personas",
                               with({{"Origin", "https://app.example.com"},
                                     {"Access-Control-Request-Method", "POST"},
                                     {"Access-Control-Request-Headers", "x-secret"}})));
  EXPECT_EQ(response.status, 403);
}

TEST_F(HttpServiceTest, CorsWildcardWithCredentialsIsRefused) {
  HttpServiceOptions options;
  options.cors_allowed_origins = {"*"};
  options.cors_allow_credentials = true;
  EXPECT_THROW(HttpService(router_, registry_, options), std::invalid_argument);
  options.cors_allow_credentials = false;
  auto& http = service(options);
  const Response response =
      handle(http, make(Method::kGet, "/api/v1/personas/1", with({{"Origin", "https://any.example"}})));
  EXPECT_EQ(response.headers.get("Access-Control-Allow-Origin"), "*");
  EXPECT_FALSE(response.headers.contains("Access-Control-Allow-Credentials"));
}

TEST_F(HttpServiceTest, MetricsUseTheRoutePatternNeverThePath) {
  auto& http = service();
  handle(http, make(Method::kGet, "/api/v1/personas/1"));
  handle(http, make(Method::kGet, "/api/v1/personas/2"));
  handle(http, make(Method::kGet, "/nowhere/123"));
  const std::string text = registry_.render();
  EXPECT_NE(
      text.find(
          "personae_http_requests_total{method=\"GET\",route=\"/api/v1/personas/{id}\",status=\"200\"} 2"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("personae_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          "personae_http_request_duration_seconds_bucket{route=\"/api/v1/personas/{id}\",le=\"0.005\"} 2"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          "personae_http_request_duration_seconds_bucket{route=\"/api/v1/personas/{id}\",le=\"0.0005\"} 0"),
      std::string::npos);
  EXPECT_EQ(text.find("/api/v1/personas/1"), std::string::npos);
  EXPECT_EQ(text.find("/nowhere"), std::string::npos);
  EXPECT_NE(text.find("personae_http_requests_in_flight 0"), std::string::npos);
}

TEST_F(HttpServiceTest, InFlightCountsPreparedRequestsOnly) {
  auto& http = service();
  auto& gauge =
      registry_.gauge("personae_http_requests_in_flight", "HTTP requests being handled.").labels({});
  Request request = make(Method::kGet, "/api/v1/personas/1");
  http.prepare(request);
  EXPECT_EQ(gauge.value(), 1);
  Response response = Response::no_content();
  http.finish(request, response, nullptr, 1ms);
  EXPECT_EQ(gauge.value(), 0);
  Request refused;
  Response too_large = HttpService::problem(refused, 413, "too large");
  http.finish_unprepared(refused, too_large, 1ms);
  EXPECT_EQ(gauge.value(), 0);
  EXPECT_EQ(refused.request_id.size(), 32u);
}

TEST_F(HttpServiceTest, WritesOneAccessLogLine) {
  auto& http = service();
  testing::internal::CaptureStderr();
  log::configure(log::Level::kInfo, log::Format::kJson);
  handle(http, make(Method::kGet, "/api/v1/personas/7?token=secret", with({{"X-Request-Id", "log-test-1"}})));
  const std::string output = testing::internal::GetCapturedStderr();
  std::istringstream lines(output);
  std::string line;
  int access_lines = 0;
  while (std::getline(lines, line)) {
    const auto entry = nlohmann::json::parse(line);
    if (entry["msg"] != "http_request") continue;
    ++access_lines;
    EXPECT_EQ(entry["request_id"], "log-test-1");
    EXPECT_EQ(entry["method"], "GET");
    EXPECT_EQ(entry["route"], "/api/v1/personas/{id}");
    EXPECT_EQ(entry["path"], "/api/v1/personas/7");
    EXPECT_EQ(entry["status"], 200);
    EXPECT_DOUBLE_EQ(entry["duration_ms"].get<double>(), 3.0);
    EXPECT_EQ(entry["bytes_in"], 0);
    EXPECT_GT(entry["bytes_out"].get<int>(), 0);
    EXPECT_EQ(entry["remote"], "203.0.113.9");
  }
  EXPECT_EQ(access_lines, 1);
  EXPECT_EQ(output.find("secret"), std::string::npos);
}

TEST_F(HttpServiceTest, DrainingFlag) {
  auto& http = service();
  EXPECT_FALSE(http.draining());
  http.set_draining();
  EXPECT_TRUE(http.draining());
}

}  // namespace
}  // namespace personae::http

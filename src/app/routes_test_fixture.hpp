#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/accounts_wiring.hpp"
#include "app/config.hpp"
#include "app/content_wiring.hpp"
#include "app/routes.hpp"
#include "app/storage.hpp"
#include "app/vault_wiring.hpp"
#include "http/http_service.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "observability/metrics.hpp"
#include "ports/clock.hpp"
#include "services/readiness_service.hpp"
#include "tests/support/temp_dir.hpp"

/// The whole route table of `personae serve` on a fresh database, driven in-process through
/// HttpService (prepare -> invoke -> finish), with no socket. Shared by the HTTP-level
/// access-control and account-route tests.
namespace personae::route_testing {

/// The system clock plus an adjustable offset, so that a test can step past a time window (the
/// refresh-reuse grace) without sleeping. Every account service and token check reads it.
class OffsetClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::now() + std::chrono::milliseconds(offset_ms_.load());
  }
  void advance(std::chrono::milliseconds by) { offset_ms_ += by.count(); }

 private:
  std::atomic<std::int64_t> offset_ms_{0};
};

/// A user made for a test, with the password it was created with.
struct TestUser {
  std::string id;
  std::string email;
  std::string password;
  Role role = Role::kViewer;
  std::string tenant_id;
};

/// A signed-in user: the tokens of one session.
struct SignedIn {
  std::string access_token;
  std::string refresh_token;
  std::string session_id;
};

/// The database a harness runs on. These tests are compiled twice: into the unit binary on SQLite,
/// and with PERSONAE_ROUTE_TESTS_ON_POSTGRESQL into a binary that runs every one of them on a
/// throwaway PostgreSQL server, connected as an ordinary role so row-level security applies.
enum class RouteBackend { kSqlite, kPostgresql };

/// The backend this test binary was built for.
RouteBackend route_backend_under_test();

class RouteHarness {
 public:
  /// `api_rate_unlimited`: the per-tenant API rate limit is lifted for the bearer check (the
  /// generated tests send hundreds of requests in a few seconds; the limit has its own tests).
  /// `llm_providers`: the language models the caption routes use (none by default, so that no test
  /// depends on an Ollama that happens to run on the machine).
  /// `adjust` changes the configuration before anything is built from it.
  explicit RouteHarness(bool api_rate_unlimited = true, RouteBackend backend = route_backend_under_test(),
                        std::vector<LlmProviderConfig> llm_providers = {},
                        const std::function<void(Config&)>& adjust = {});
  ~RouteHarness();
  RouteHarness(const RouteHarness&) = delete;
  RouteHarness& operator=(const RouteHarness&) = delete;

  /// One request through the whole pipeline, as the server runs it. A JSON `body` gets
  /// `Content-Type: application/json` unless `headers` has one. The remote address is a fresh
  /// one per request unless `remote` is given (so per-IP sign-in limits do not interfere).
  http::Response send(http::Method method, std::string target, std::string body = {},
                      http::Headers headers = {}, std::string remote = {});

  /// A unique client address (198.18.x.y, the benchmarking range).
  std::string next_ip();

  /// Creates the tenant (once) and a user in it with `role` (Argon2: slow).
  TestUser create_user(const std::string& tenant_name, const std::string& email, Role role);
  Tenant create_tenant(const std::string& name);
  /// Signs in through AuthService (not HTTP) from a fresh address.
  SignedIn login(const TestUser& user, std::optional<std::string> tenant = std::nullopt);

  /// The user principal of `user` in its tenant.
  static Principal principal_of(const TestUser& user);

  Accounts& accounts() { return *accounts_; }
  Vault& vault() { return *vault_; }
  Content& content() { return *content_; }
  Storage& storage() { return storage_; }
  /// The actions of the tenant's audit chain, oldest first.
  std::vector<std::string> audit_actions(const std::string& tenant_id);
  const Config& config() const { return config_; }
  OffsetClock& clock() { return clock_; }

 private:
  ::personae::testing::TempDir dir_;
  Config config_;
  OffsetClock clock_;
  Storage storage_;
  std::unique_ptr<Accounts> accounts_;
  AccountsOptions verifier_options_;
  std::unique_ptr<ReadinessService> readiness_;
  std::unique_ptr<http::auth::RequestAuthenticator> authenticator_;
  std::unique_ptr<AccountRouteDependencies> account_routes_;
  std::unique_ptr<Vault> vault_;
  std::unique_ptr<VaultRouteDependencies> vault_routes_;
  std::unique_ptr<Content> content_;
  std::unique_ptr<ContentRouteDependencies> content_routes_;
  http::Router router_;
  observability::MetricsRegistry metrics_;
  std::unique_ptr<http::HttpService> service_;
  std::atomic<int> ip_counter_{0};
};

/// `Authorization: Bearer <token>`.
http::Headers bearer(std::string_view token);
/// The response body as JSON (null when it is not JSON).
nlohmann::json body_json(const http::Response& response);
/// The `field` values of a 400 problem's `errors`.
std::vector<std::string> error_fields(const http::Response& response);
/// Every value of the response header `name`.
std::vector<std::string> header_values(const http::Response& response, std::string_view name);

}  // namespace personae::route_testing

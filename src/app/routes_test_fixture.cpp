#include "app/routes_test_fixture.hpp"

#include <fstream>
#include <stdexcept>
#include <utility>

#include "app/build_info.hpp"
#include "http/auth/request_authenticator.hpp"
#include "tests/support/postgres_server.hpp"

namespace personae::route_testing {
namespace {

using namespace std::chrono_literals;

Config make_config(const std::filesystem::path& dir, RouteBackend backend,
                   std::vector<LlmProviderConfig> llm_providers) {
  Config config;
  config.data_dir = dir.string();
  config.llm.providers = std::move(llm_providers);
  if (backend == RouteBackend::kPostgresql) {
    config.database.url = ::personae::testing::shared_postgres_server().create_application_database();
    config.database.auto_migrate = true;
  } else {
    config.database.url = "sqlite://" + (dir / "routes.db").string();
  }
  config.auth.jwt_keys_dir = (dir / "keys").string();
  config.secrets.master_key_file = (dir / "master.key").string();
  config.blob.local_path = (dir / "blobs").string();
  return config;
}

template <class T>
T value_or_throw(Result<T> result, std::string_view what) {
  if (!result) throw std::runtime_error(std::string(what) + ": " + result.error().message);
  return std::move(*result);
}

}  // namespace

RouteBackend route_backend_under_test() {
#ifdef PERSONAE_ROUTE_TESTS_ON_POSTGRESQL
  return RouteBackend::kPostgresql;
#else
  return RouteBackend::kSqlite;
#endif
}

RouteHarness::RouteHarness(bool api_rate_unlimited, RouteBackend backend,
                           std::vector<LlmProviderConfig> llm_providers,
                           const std::function<void(Config&)>& adjust)
    : config_([&] {
        Config config = make_config(dir_.path(), backend, std::move(llm_providers));
        if (adjust) adjust(config);
        return config;
      }()),
      storage_(open_storage(config_, clock_)) {
  require_current_schema(config_, storage_);
  accounts_ = build_accounts(config_, storage_, clock_, nullptr);
  verifier_options_ = accounts_->options;
  if (api_rate_unlimited) verifier_options_.api_per_tenant = RateLimit{1'000'000, 1'000'000.0};
  readiness_ = std::make_unique<ReadinessService>(*storage_.database, *storage_.migrator, nullptr);
  authenticator_ = std::make_unique<http::auth::RequestAuthenticator>(
      bearer_verifier(*accounts_->authenticator, *accounts_->rate_limiter, verifier_options_),
      http::auth::CookieSettings{});
  account_routes_ = std::make_unique<AccountRouteDependencies>(AccountRouteDependencies{
      *accounts_->auth, *accounts_->second_factor, *accounts_->team, *accounts_->setup, *authenticator_});
  vault_ = build_vault(config_, storage_, clock_);
  vault_routes_ = std::make_unique<VaultRouteDependencies>(
      VaultRouteDependencies{*vault_->personas, *vault_->media, upload_policy(config_.media)});
  content_ = build_content(config_, storage_, *vault_, clock_, nullptr);
  content_routes_ = std::make_unique<ContentRouteDependencies>(
      ContentRouteDependencies{*content_->caption_service, *content_->job_service, content_->gateway.get()});
  register_routes(router_,
                  {kBuildInfo, *readiness_, *storage_.audit, [] { return std::string("# metrics\n"); }, "",
                   openapi_document(), account_routes_.get(), vault_routes_.get(), content_routes_.get()});
  service_ = std::make_unique<http::HttpService>(router_, metrics_);
}

RouteHarness::~RouteHarness() = default;

std::string RouteHarness::next_ip() {
  const int n = ++ip_counter_;
  return "198.18." + std::to_string((n / 250) % 250) + "." + std::to_string(n % 250 + 1);
}

http::Response RouteHarness::send(http::Method method, std::string target, std::string body,
                                  http::Headers headers, std::string remote) {
  http::Request request;
  request.method = method;
  request.method_text = std::string(http::to_string(method));
  request.target = std::move(target);
  if (!body.empty() && !headers.contains("Content-Type")) headers.set("Content-Type", "application/json");
  request.headers = std::move(headers);
  request.body = std::move(body);
  request.remote_address = remote.empty() ? next_ip() : std::move(remote);

  auto prepared = service_->prepare(request);
  http::Response response;
  const http::Route* route = nullptr;
  if (auto* immediate = std::get_if<http::Response>(&prepared)) {
    response = std::move(*immediate);
  } else {
    route = std::get<const http::Route*>(prepared);
    // What the server does with the body before the handler: the route's cap, and spooling.
    const std::size_t limit = route->body.max_bytes.value_or(config_.server.max_body_bytes);
    if (request.body.size() > limit) {
      response = http::HttpService::problem(
          request, 413, "the request body is larger than the limit of " + std::to_string(limit) + " bytes");
    } else {
      if (route->body.spool_to_file && !request.body.empty()) {
        auto spooled = http::SpooledBody::create(dir_.path() / "spool");
        std::ofstream(spooled->path(), std::ios::binary) << request.body;
        request.body.clear();
        request.spooled_body = std::move(spooled);
      }
      response = service_->invoke(*route, request);
    }
  }
  service_->finish(request, response, route, 1ms);
  return response;
}

std::vector<std::string> RouteHarness::audit_actions(const std::string& tenant_id) {
  std::vector<std::string> actions;
  storage_.database->read([&](Transaction& tx) {
    for (const auto& entry : storage_.audit_repository->list(tx, tenant_id, 0, 100'000))
      actions.push_back(entry.action);
  });
  return actions;
}

Tenant RouteHarness::create_tenant(const std::string& name) {
  return value_or_throw(accounts_->setup->create_tenant(name), "create_tenant");
}

TestUser RouteHarness::create_user(const std::string& tenant_name, const std::string& email, Role role) {
  TestUser user;
  user.email = email;
  user.password = "Quiet-Lantern-Orbit-" + std::to_string(email.size()) + "x";
  user.role = role;
  const auto created = value_or_throw(
      accounts_->setup->create_user(tenant_name, email, role, user.password, "Test " + email), "create_user");
  user.id = created.user.id;
  user.tenant_id = created.tenant.id;
  return user;
}

SignedIn RouteHarness::login(const TestUser& user, std::optional<std::string> tenant) {
  LoginRequest request;
  request.email = user.email;
  request.password = user.password;
  request.tenant = std::move(tenant);
  const auto result =
      value_or_throw(accounts_->auth->login(request, ClientInfo{next_ip(), "route-tests", "login"}), "login");
  if (result.status != LoginStatus::kSignedIn || !result.tokens) {
    throw std::runtime_error("login of " + user.email + " did not sign in");
  }
  return SignedIn{result.tokens->access_token, result.tokens->refresh_token, result.tokens->session_id};
}

Principal RouteHarness::principal_of(const TestUser& user) {
  Principal principal;
  principal.kind = Principal::Kind::kUser;
  principal.user_id = user.id;
  principal.tenant_id = user.tenant_id;
  principal.role = user.role;
  return principal;
}

http::Headers bearer(std::string_view token) {
  http::Headers headers;
  headers.set("Authorization", "Bearer " + std::string(token));
  return headers;
}

nlohmann::json body_json(const http::Response& response) {
  return nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
}

std::vector<std::string> error_fields(const http::Response& response) {
  std::vector<std::string> fields;
  const auto json = body_json(response);
  if (!json.is_object() || !json.contains("errors") || !json["errors"].is_array()) return fields;
  for (const auto& error : json["errors"]) {
    if (error.is_object() && error.contains("field") && error["field"].is_string()) {
      fields.push_back(error["field"].get<std::string>());
    }
  }
  return fields;
}

std::vector<std::string> header_values(const http::Response& response, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& [field, value] : response.headers) {
    if (http::iequals(field, name)) values.emplace_back(value);
  }
  return values;
}

}  // namespace personae::route_testing

#include "app/routes.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <tuple>

#include "app/accounts_wiring.hpp"
#include "app/build_info.hpp"
#include "app/content_wiring.hpp"
#include "app/storage.hpp"
#include "app/vault_wiring.hpp"
#include "services/readiness_service.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae {
namespace {

// method (lower case), path, access ("public", "authenticated" or an action name), body cap (""
// for the server-wide limit)
using RouteKey = std::tuple<std::string, std::string, std::string, std::string>;

class RouteTableTest : public ::testing::Test {
 protected:
  RouteTableTest() {
    config_.data_dir = dir_.path().string();
    config_.database.url = "sqlite://" + (dir_.path() / "routes.db").string();
    config_.auth.jwt_keys_dir = (dir_.path() / "keys").string();
    config_.secrets.master_key_file = (dir_.path() / "master.key").string();
    config_.blob.local_path = (dir_.path() / "blobs").string();
  }

  testing::TempDir dir_;
  Config config_;
  SystemClock clock_;
};

/// API9 (inventory) and the authorization matrix: every route the server registers is documented
/// in api/openapi.yaml with the access it enforces (`x-personae-action`) and its own body cap when
/// it has one (`x-personae-max-body-bytes`), and every documented operation is served. A route
/// without an entry in the matrix fails here.
TEST_F(RouteTableTest, MatchesTheOpenApiDocumentExactly) {
  Storage storage = open_storage(config_, clock_);
  auto accounts = build_accounts(config_, storage, clock_, nullptr);
  ReadinessService readiness(*storage.database, *storage.migrator, nullptr);
  const http::auth::RequestAuthenticator authenticator(
      bearer_verifier(*accounts->authenticator, *accounts->rate_limiter, accounts->options),
      http::auth::CookieSettings{});
  const AccountRouteDependencies account_routes{*accounts->auth, *accounts->second_factor, *accounts->team,
                                                *accounts->setup, authenticator};

  http::Router router;
  auto vault = build_vault(config_, storage, clock_);
  const VaultRouteDependencies vault_routes{*vault->personas, *vault->media, upload_policy(config_.media)};
  auto content = build_content(config_, storage, *vault, clock_, nullptr);
  const ContentRouteDependencies content_routes{*content->caption_service, *content->job_service,
                                                content->gateway.get()};
  register_routes(router, {kBuildInfo, readiness, *storage.audit, [] { return std::string(); }, "",
                           openapi_document(), &account_routes, &vault_routes, &content_routes});

  std::set<RouteKey> served;
  for (const auto& route : router.routes()) {
    std::string method(http::to_string(route.method));
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    served.emplace(method, route.pattern, route.access.name(),
                   route.body.max_bytes ? std::to_string(*route.body.max_bytes) : std::string());
  }

  const YAML::Node document = YAML::Load(std::string(openapi_document()));
  std::set<RouteKey> documented;
  for (const auto& path : document["paths"]) {
    for (const auto& operation : path.second) {
      const auto method = operation.first.as<std::string>();
      if (method == "get" || method == "post" || method == "put" || method == "patch" || method == "delete") {
        const auto action = operation.second["x-personae-action"];
        ASSERT_TRUE(action.IsDefined())
            << method << " " << path.first.as<std::string>() << " has no x-personae-action";
        const auto body_cap = operation.second["x-personae-max-body-bytes"];
        documented.emplace(method, path.first.as<std::string>(), action.as<std::string>(),
                           body_cap.IsDefined() ? body_cap.as<std::string>() : std::string());
      }
    }
  }
  EXPECT_EQ(served, documented);
}

TEST_F(RouteTableTest, RefusesToBuildWithoutTheAccountRoutes) {
  Storage storage = open_storage(config_, clock_);
  ReadinessService readiness(*storage.database, *storage.migrator, nullptr);
  http::Router router;
  EXPECT_THROW(register_routes(router, {kBuildInfo, readiness, *storage.audit, [] { return std::string(); },
                                        "", openapi_document(), nullptr}),
               std::invalid_argument);
}

TEST(OpenApiDocument, IsCompiledIntoTheBinary) {
  EXPECT_NE(openapi_document().find("openapi: 3.1.0"), std::string_view::npos);
}

}  // namespace
}  // namespace personae

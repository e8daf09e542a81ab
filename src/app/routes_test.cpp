#include "app/routes.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "app/build_info.hpp"
#include "app/storage.hpp"
#include "services/readiness_service.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae {
namespace {

using RouteKey = std::pair<std::string, std::string>;  // method (lower case), path

/// API9 (inventory): every route the server registers is documented in api/openapi.yaml, and
/// every documented operation is served.
TEST(RouteTable, MatchesTheOpenApiDocumentExactly) {
  testing::TempDir dir;
  Config config;
  config.database.url = "sqlite://" + (dir.path() / "routes.db").string();
  SystemClock clock;
  Storage storage = open_storage(config, clock);
  ReadinessService readiness(*storage.database, *storage.migrator, nullptr);

  http::Router router;
  register_routes(
      router, {kBuildInfo, readiness, *storage.audit, [] { return std::string(); }, "", openapi_document()});

  std::set<RouteKey> served;
  for (const auto& route : router.routes()) {
    std::string method(http::to_string(route.method));
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    served.emplace(method, route.pattern);
  }

  const YAML::Node document = YAML::Load(std::string(openapi_document()));
  std::set<RouteKey> documented;
  for (const auto& path : document["paths"]) {
    for (const auto& operation : path.second) {
      const auto method = operation.first.as<std::string>();
      if (method == "get" || method == "post" || method == "put" || method == "patch" || method == "delete") {
        documented.emplace(method, path.first.as<std::string>());
      }
    }
  }
  EXPECT_EQ(served, documented);
}

TEST(OpenApiDocument, IsCompiledIntoTheBinary) {
  EXPECT_NE(openapi_document().find("openapi: 3.1.0"), std::string_view::npos);
}

}  // namespace
}  // namespace personae

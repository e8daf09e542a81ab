#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/build_info.hpp"
#include "http/router.hpp"

namespace personae {

class ReadinessService;
class AuditLogService;

/// What the routes need, each piece borrowed from the command that owns it.
struct RouteDependencies {
  BuildInfo build;
  ReadinessService& readiness;
  AuditLogService& audit;
  std::function<std::string()> render_metrics;
  std::string metrics_token;
  std::string_view openapi_document;
};

/// The one route table of `personae serve`.
void register_routes(http::Router& router, const RouteDependencies& dependencies);

/// The OpenAPI document compiled into the binary (api/openapi.yaml).
std::string_view openapi_document();

}  // namespace personae

#include "app/routes.hpp"

#include <span>

#include "core/embedded_file.hpp"
#include "http/handlers/system_handlers.hpp"

namespace personae {

std::span<const EmbeddedFile> openapi_files();  // generated from api/ by personae_embed_files

std::string_view openapi_document() {
  for (const auto& file : openapi_files()) {
    if (file.name == "openapi.yaml") return file.contents;
  }
  return {};
}

void register_routes(http::Router& router, const RouteDependencies& dependencies) {
  using http::Execution;
  using http::Method;
  namespace handlers = http::handlers;

  router.add(Method::kGet, "/health", handlers::health(), Execution::kInline);
  router.add(Method::kGet, "/ready", handlers::ready(dependencies.readiness));
  router.add(Method::kGet, "/metrics",
             handlers::metrics(dependencies.render_metrics, dependencies.metrics_token), Execution::kInline);
  router.add(Method::kGet, "/api/v1/version", handlers::version(dependencies.build), Execution::kInline);
  router.add(Method::kGet, "/api/v1/openapi.yaml", handlers::openapi_document(dependencies.openapi_document),
             Execution::kInline);
  router.add(Method::kGet, "/api/v1/audit/head", handlers::audit_head(dependencies.audit));
}

}  // namespace personae

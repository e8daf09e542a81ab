#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/build_info.hpp"
#include "http/router.hpp"

namespace personae {
class ReadinessService;
class AuditLogService;
}  // namespace personae

/// Handlers for the system endpoints: liveness, readiness, metrics, version, the OpenAPI document,
/// the audit chain head. Each factory takes exactly what its handler uses.
namespace personae::http::handlers {

/// GET /health: inline, touches nothing.
Handler health();

/// GET /ready: blocking (queries the database).
Handler ready(ReadinessService& readiness);

/// GET /metrics. With a non-empty `token`, requires "Authorization: Bearer <token>"; without one,
/// serves only loopback clients (the socket peer, never X-Forwarded-For).
Handler metrics(std::function<std::string()> render, std::string token);

/// GET /api/v1/version
Handler version(BuildInfo build);

/// GET /api/v1/openapi.yaml: the document compiled into the binary.
Handler openapi_document(std::string_view document);

/// GET /api/v1/audit/head: the system chain's head. Blocking.
Handler audit_head(AuditLogService& audit);

/// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback addresses.
bool is_loopback_address(std::string_view address);

}  // namespace personae::http::handlers

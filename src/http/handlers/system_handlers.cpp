#include "http/handlers/system_handlers.hpp"

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "http/problem.hpp"
#include "services/audit_log_service.hpp"
#include "services/readiness_service.hpp"

namespace personae::http::handlers {
namespace {

nlohmann::json checks_json(const ReadinessReport& report) {
  auto checks = nlohmann::json::array();
  for (const auto& check : report.checks) {
    checks.push_back({{"name", check.name}, {"ok", check.ok}, {"detail", check.detail}});
  }
  return checks;
}

}  // namespace

bool is_loopback_address(std::string_view address) {
  if (address.starts_with("::ffff:")) address.remove_prefix(7);
  return address == "::1" || address.starts_with("127.");
}

Handler health() {
  return [](const Request&) { return Response::json(200, {{"status", "ok"}}); };
}

Handler ready(ReadinessService& readiness) {
  return [&readiness](const Request&) {
    const auto report = readiness.check();
    if (report.ready) return Response::json(200, {{"status", "ready"}, {"checks", checks_json(report)}});
    Problem problem{503, "https://personae.dev/problems/not-ready", "Service not ready", report.reason()};
    problem.extensions["checks"] = checks_json(report);
    throw HttpError(std::move(problem));
  };
}

Handler metrics(std::function<std::string()> render, std::string token) {
  return [render = std::move(render), token = std::move(token)](const Request& request) {
    if (!token.empty()) {
      const auto authorization = request.headers.get("Authorization").value_or("");
      constexpr std::string_view kBearer = "Bearer ";
      if (!authorization.starts_with(kBearer) ||
          !constant_time_equals(authorization.substr(kBearer.size()), token)) {
        throw HttpError(unauthorized("Send the metrics token as a bearer token.", !authorization.empty()));
      }
    } else if (!is_loopback_address(request.remote_address)) {
      throw HttpError(403, "Forbidden", "Without metrics.token, /metrics answers only loopback clients.");
    }
    auto response = Response::text(200, render(), "text/plain; version=0.0.4; charset=utf-8");
    return response;
  };
}

Handler version(BuildInfo build) {
  return [build](const Request&) {
    return Response::json(200, {{"name", "personae"},
                                {"version", build.version},
                                {"commit", build.commit},
                                {"compiler", build.compiler},
                                {"build_type", build.build_type}});
  };
}

Handler openapi_document(std::string_view document) {
  return [document](const Request&) {
    auto response = Response::text(200, std::string(document), "application/yaml; charset=utf-8");
    response.headers.set("Cache-Control", "no-cache");
    return response;
  };
}

Handler audit_head(AuditLogService& audit) {
  return [&audit](const Request&) {
    const auto head = audit.head(std::nullopt);
    return Response::json(200, {{"chain", "system"}, {"sequence", head.sequence}, {"hash", head.hash}});
  };
}

}  // namespace personae::http::handlers

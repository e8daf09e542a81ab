#include "services/service_support.hpp"

#include <nlohmann/json.hpp>

namespace personae::service_support {

std::string json_details(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [key, value] : fields) object[std::string(key)] = std::string(value);
  // Replace invalid UTF-8 rather than throw: user agents are client-controlled.
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

NewAuditEntry audit_entry(std::optional<std::string> tenant_id, std::string actor, std::string action,
                          std::string target, const ClientInfo& client,
                          std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  nlohmann::json object = nlohmann::json::object();
  object["ip"] = client.ip;
  object["request_id"] = client.request_id;
  for (const auto& [key, value] : fields) object[std::string(key)] = std::string(value);
  NewAuditEntry entry;
  entry.tenant_id = std::move(tenant_id);
  entry.actor = std::move(actor);
  entry.action = std::move(action);
  entry.target = std::move(target);
  entry.details = object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return entry;
}

std::string principal_actor(const Principal& principal) {
  if (principal.kind == Principal::Kind::kApiKey && principal.api_key_id)
    return "api_key:" + *principal.api_key_id;
  return user_actor(principal.user_id);
}

Result<void> require(const Principal& principal, Action action) {
  if (!principal.can(action)) return make_error(ErrorCode::kPermissionDenied, "not allowed");
  return {};
}

Result<void> require_user(const Principal& principal) {
  if (principal.kind != Principal::Kind::kUser) {
    return make_error(ErrorCode::kPermissionDenied, "not allowed with an API key");
  }
  return {};
}

void fail(ErrorCode code, std::string message, std::string detail) {
  throw AppError(code, std::move(message), std::move(detail));
}

}  // namespace personae::service_support

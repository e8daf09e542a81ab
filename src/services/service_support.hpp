#pragma once

// Helpers every use-case service shares: error capture, permission checks, audit entries.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.hpp"
#include "domain/audit/audit_entry.hpp"
#include "domain/authorization/authorization.hpp"

namespace personae {

/// Where a request comes from, for audit entries, session rows and per-IP rate limits. `ip` is the
/// client address the HTTP layer trusts (never a spoofable X-Forwarded-For from an untrusted hop).
struct ClientInfo {
  std::string ip;
  std::string user_agent;
  std::string request_id;
};

namespace service_support {

/// Runs `work` (returning a Result) and turns an AppError thrown by a repository into its Error.
template <class Work>
auto guarded(Work&& work) -> decltype(work()) {
  try {
    return work();
  } catch (const AppError& error) {
    return tl::unexpected<Error>(error.error());
  }
}

/// A JSON object of string fields, for NewAuditEntry::details.
std::string json_details(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

/// An audit entry that carries the request's ip and id besides `fields`.
NewAuditEntry audit_entry(std::optional<std::string> tenant_id, std::string actor, std::string action,
                          std::string target, const ClientInfo& client,
                          std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {});

inline std::string user_actor(std::string_view user_id) {
  return "user:" + std::string(user_id);
}
/// "user:<id>" or "api_key:<id>".
std::string principal_actor(const Principal& principal);

/// kPermissionDenied unless principal.can(action).
Result<void> require(const Principal& principal, Action action);
/// kPermissionDenied for an API-key principal (operations on one's own account).
Result<void> require_user(const Principal& principal);

/// Throws AppError(code, message): inside a transaction's work, to roll it back with a reason.
[[noreturn]] void fail(ErrorCode code, std::string message, std::string detail = {});

}  // namespace service_support
}  // namespace personae

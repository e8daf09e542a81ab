#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/build_info.hpp"
#include "http/auth/request_authenticator.hpp"
#include "http/router.hpp"

namespace personae {

class ReadinessService;
class AuditLogService;
class AuthService;
class SecondFactorService;
class SetupService;
class TeamService;
class Authenticator;
class RateLimiter;
struct AccountsOptions;

/// What the account routes need. `authenticator` checks the credential of every non-public route
/// (build it from bearer_verifier() below and `cookies`).
struct AccountRouteDependencies {
  AuthService& auth;
  SecondFactorService& second_factor;
  TeamService& team;
  SetupService& setup;
  const http::auth::RequestAuthenticator& authenticator;
};

/// What the routes need, each piece borrowed from the command that owns it.
struct RouteDependencies {
  BuildInfo build;
  ReadinessService& readiness;
  AuditLogService& audit;
  std::function<std::string()> render_metrics;
  std::string metrics_token;
  std::string_view openapi_document;
  /// Required: register_routes throws std::invalid_argument when null. (A pointer only so that
  /// commands built before accounts existed keep compiling until they are wired.)
  const AccountRouteDependencies* accounts = nullptr;
};

/// The bearer check every authenticated route uses: a `psk_` token is an API key, anything else an
/// access JWT; then the tenant's API rate limit (HttpError 429 with Retry-After). The arguments
/// must outlive the function.
http::auth::VerifyToken bearer_verifier(Authenticator& authenticator, RateLimiter& limiter,
                                        const AccountsOptions& options);

/// The one route table of `personae serve`.
void register_routes(http::Router& router, const RouteDependencies& dependencies);

/// The OpenAPI document compiled into the binary (api/openapi.yaml).
std::string_view openapi_document();

}  // namespace personae

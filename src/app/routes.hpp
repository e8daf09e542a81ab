#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "app/config.hpp"
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
class PersonaService;
class MediaService;
class CaptionService;
class JobService;
namespace llm {
class LlmGateway;
}  // namespace llm

/// What the account routes need. `authenticator` checks the credential of every non-public route
/// (build it from bearer_verifier() below and `cookies`).
struct AccountRouteDependencies {
  AuthService& auth;
  SecondFactorService& second_factor;
  TeamService& team;
  SetupService& setup;
  const http::auth::RequestAuthenticator& authenticator;
};

/// What the persona and vault routes need. `upload` is the vault upload's body policy (its size
/// cap and deadline from media.max_upload_bytes and media.upload_timeout; spooled to disk).
struct VaultRouteDependencies {
  PersonaService& personas;
  MediaService& media;
  http::BodyPolicy upload;
};

/// What the caption, content-settings, jobs and language-model routes need. `gateway` may be null
/// (no provider configured).
struct ContentRouteDependencies {
  CaptionService& captions;
  JobService& jobs;
  llm::LlmGateway* gateway = nullptr;
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
  /// Required as well (register_routes throws std::invalid_argument when null).
  const VaultRouteDependencies* vault = nullptr;
  /// Required as well (register_routes throws std::invalid_argument when null).
  const ContentRouteDependencies* content = nullptr;
};

/// /health, /ready and /metrics alone: what `personae worker` serves (probes and scraping).
void register_operational_routes(http::Router& router, ReadinessService& readiness,
                                 std::function<std::string()> render_metrics,
                                 const std::string& metrics_token);

/// The bearer check every authenticated route uses: a `psk_` token is an API key, anything else an
/// access JWT; then the tenant's API rate limit (HttpError 429 with Retry-After). The arguments
/// must outlive the function.
http::auth::VerifyToken bearer_verifier(Authenticator& authenticator, RateLimiter& limiter,
                                        const AccountsOptions& options);

/// The vault upload's body policy from the configuration: capped at media.max_upload_bytes (plus
/// room for the multipart envelope), media.upload_timeout to arrive, spooled to disk.
http::BodyPolicy upload_policy(const MediaConfig& media);

/// The one route table of `personae serve`.
void register_routes(http::Router& router, const RouteDependencies& dependencies);

/// The OpenAPI document compiled into the binary (api/openapi.yaml).
std::string_view openapi_document();

}  // namespace personae

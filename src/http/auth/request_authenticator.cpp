#include "http/auth/request_authenticator.hpp"

#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "http/problem.hpp"
#include "observability/log.hpp"

namespace personae::http::auth {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

void log_refusal(const Request& request, std::string_view reason) {
  log::info("authentication_failed", {{"request_id", request.request_id},
                                      {"method", std::string(to_string(request.method))},
                                      {"path", request.path},
                                      {"remote", request.remote_address},
                                      {"reason", std::string(reason)}});
}

}  // namespace

std::optional<std::string> cookie_value(const Request& request, std::string_view name) {
  for (const auto& [field, value] : request.headers) {
    if (!iequals(field, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t semicolon = rest.find(';');
      const std::string_view pair = trim(rest.substr(0, semicolon));
      rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
      const std::size_t equals = pair.find('=');
      if (equals == std::string_view::npos) continue;
      if (trim(pair.substr(0, equals)) != name) continue;
      std::string_view cookie = trim(pair.substr(equals + 1));
      if (cookie.size() >= 2 && cookie.front() == '"' && cookie.back() == '"') {
        cookie = cookie.substr(1, cookie.size() - 2);
      }
      return std::string(cookie);
    }
  }
  return std::nullopt;
}

std::optional<Credential> extract_credential(const Request& request, const CookieSettings& cookies) {
  const std::size_t authorizations = request.headers.count("Authorization");
  if (authorizations > 1) {
    log_refusal(request, "several Authorization fields");
    throw HttpError(unauthorized("Send one Authorization header.", true));
  }
  if (authorizations == 1) {
    const std::string_view value = trim(*request.headers.get("Authorization"));
    const std::size_t space = value.find(' ');
    // RFC 9110 11.1: the scheme is case-insensitive.
    if (space == std::string_view::npos || !iequals(value.substr(0, space), "Bearer")) {
      log_refusal(request, "not a Bearer credential");
      throw HttpError(unauthorized("Use the Bearer scheme.", true));
    }
    const std::string_view token = trim(value.substr(space + 1));
    if (token.empty() || token.find_first_of(" \t,") != std::string_view::npos) {
      log_refusal(request, "malformed Bearer credential");
      throw HttpError(unauthorized("The bearer token is malformed.", true));
    }
    return Credential{Credential::Source::kBearer, std::string(token)};
  }
  if (auto token = cookie_value(request, cookies.access_name()); token && !token->empty()) {
    return Credential{Credential::Source::kCookie, std::move(*token)};
  }
  return std::nullopt;
}

bool is_unsafe_method(Method method) {
  return method != Method::kGet && method != Method::kHead && method != Method::kOptions;
}

void require_csrf(const Request& request, const CookieSettings& cookies) {
  const auto cookie = cookie_value(request, cookies.csrf_name());
  const auto header = request.headers.get(kCsrfHeader);
  const bool valid = cookie && header && !cookie->empty() && constant_time_equals(*cookie, trim(*header));
  if (valid) return;
  log_refusal(request, header ? "CSRF token mismatch" : "CSRF token missing");
  Problem problem;
  problem.status = 403;
  problem.type = "https://personae.dev/problems/csrf";
  problem.title = "CSRF token missing or wrong";
  problem.detail = "Cookie-authenticated requests that change state must echo the CSRF cookie in " +
                   std::string(kCsrfHeader) + ".";
  throw HttpError(std::move(problem));
}

RequestAuthenticator::RequestAuthenticator(VerifyToken verify, CookieSettings cookies)
    : verify_(std::move(verify)), cookies_(std::move(cookies)) {
  if (!verify_) throw std::invalid_argument("RequestAuthenticator: no token verifier");
}

Principal RequestAuthenticator::authenticate(const Request& request) const {
  const auto credential = extract_credential(request, cookies_);
  if (!credential) {
    log_refusal(request, "no credential");
    throw HttpError(unauthorized("Sign in, or send an access token or API key as a bearer token.", false));
  }
  // Checked before the token: a forged cross-site request learns nothing, not even validity.
  if (credential->source == Credential::Source::kCookie && is_unsafe_method(request.method)) {
    require_csrf(request, cookies_);
  }
  auto principal = verify_(credential->token);
  if (principal) return std::move(*principal);
  const Error& error = principal.error();
  if (error.code == ErrorCode::kUnauthenticated) {
    log_refusal(request, error.detail.empty() ? error.message : error.detail);
    throw HttpError(unauthorized(error.message, true));
  }
  throw AppError(error);
}

void require_access(const Principal& principal, const RouteAccess& access, const Request& request) {
  const auto action = access.required_action();
  if (!action || principal.can(*action)) return;
  log::warn("access_denied", {{"request_id", request.request_id},
                              {"method", std::string(to_string(request.method))},
                              {"path", request.path},
                              {"remote", request.remote_address},
                              {"user_id", principal.user_id},
                              {"tenant_id", principal.tenant_id},
                              {"role", std::string(to_string(principal.role))},
                              {"api_key_id", principal.api_key_id.value_or("")},
                              {"action", std::string(to_string(*action))}});
  throw HttpError(403, "Forbidden", "Your role does not allow " + std::string(to_string(*action)) + ".");
}

Handler guard(const RequestAuthenticator& authenticator, RouteAccess access, PrincipalHandler handler) {
  if (!handler) throw std::invalid_argument("guard: empty handler");
  if (access.kind() == RouteAccess::Kind::kPublic) throw std::invalid_argument("guard: a public route");
  return [&authenticator, access, handler = std::move(handler)](const Request& request) {
    const Principal principal = authenticator.authenticate(request);
    require_access(principal, access, request);
    return handler(request, principal);
  };
}

}  // namespace personae::http::auth

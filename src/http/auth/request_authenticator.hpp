#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "domain/authorization/authorization.hpp"
#include "http/router.hpp"

/// Authentication and function-level authorization of HTTP requests: credential extraction
/// (bearer or dashboard cookies with a CSRF double submit), the 401/403 answers, and guard(),
/// which wraps every non-public route's handler. No service is named here: the credential check
/// is a function given by the route table.
namespace personae::http::auth {

/// The dashboard's cookies. With `secure` (the default, for TLS) the names carry the `__Host-`
/// prefix (Secure, Path=/, no Domain: a sibling subdomain cannot set or shadow them) and the
/// refresh cookie the `__Secure-` prefix (it has a narrower Path, which `__Host-` forbids).
/// `secure = false` is the explicit plain-HTTP localhost development mode: browsers refuse both
/// prefixes without Secure, so the names are unprefixed.
struct CookieSettings {
  bool secure = true;
  /// Where the refresh cookie is sent: refresh and logout only.
  std::string refresh_path = "/api/v1/auth";

  std::string access_name() const { return secure ? "__Host-personae_access" : "personae_access"; }
  std::string refresh_name() const { return secure ? "__Secure-personae_refresh" : "personae_refresh"; }
  std::string csrf_name() const { return secure ? "__Host-personae_csrf" : "personae_csrf"; }
};

/// The request header that must echo the CSRF cookie on cookie-authenticated unsafe requests.
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

/// A credential found in a request. `token` is a secret: never log it.
struct Credential {
  enum class Source { kBearer, kCookie };
  Source source = Source::kBearer;
  std::string token;
};

/// The value of cookie `name` from the Cookie header(s); nullopt when absent. When the name
/// appears more than once the first is taken (RFC 6265 5.4 puts the most specific path first).
std::optional<std::string> cookie_value(const Request& request, std::string_view name);

/// The request's credential: `Authorization: Bearer <token>` when present (then cookies are
/// ignored entirely, so a request never mixes two identities), else the access cookie. nullopt
/// when there is neither. Throws HttpError 401 (error="invalid_token") for an Authorization header
/// that is not a single well-formed Bearer credential (another scheme, an empty token, several
/// Authorization fields).
std::optional<Credential> extract_credential(const Request& request, const CookieSettings& cookies);

/// True for POST, PUT, PATCH, DELETE and anything unrecognised (fail closed).
bool is_unsafe_method(Method method);

/// The double-submit check: the CSRF cookie and the X-CSRF-Token header are both present,
/// non-empty and equal (compared in constant time). Throws HttpError 403 with type
/// https://personae.dev/problems/csrf otherwise.
void require_csrf(const Request& request, const CookieSettings& cookies);

/// Verifies a bearer token (an access JWT or a `psk_` API key) and returns who it is.
/// kUnauthenticated becomes 401 with error="invalid_token"; any other error its problem_for()
/// answer. It may also throw HttpError itself (a 429 with the limiter's Retry-After).
using VerifyToken = std::function<Result<Principal>(std::string_view token)>;

/// Authenticates requests. Thread-safe when `verify` is.
class RequestAuthenticator {
 public:
  RequestAuthenticator(VerifyToken verify, CookieSettings cookies);

  /// The request's Principal. Throws HttpError: 401 with `WWW-Authenticate: Bearer` when there
  /// is no credential or it is invalid; 403 for a cookie-authenticated unsafe request without a
  /// matching CSRF token; the verifier's other errors as problems (429 with Retry-After). Each
  /// refusal is logged (request id, route, reason), never the token.
  Principal authenticate(const Request& request) const;

  const CookieSettings& cookies() const { return cookies_; }

 private:
  VerifyToken verify_;
  CookieSettings cookies_;
};

/// Throws HttpError 403 when `access` names an action the principal lacks (Principal::can), after
/// logging "access_denied" with the principal, the action and the route (ASVS 16.3.2).
void require_access(const Principal& principal, const RouteAccess& access, const Request& request);

/// A handler of a non-public route: it receives the authenticated principal.
using PrincipalHandler = std::function<Response(const Request&, const Principal&)>;

/// The only way to turn a PrincipalHandler into a route Handler: authenticates, checks `access`,
/// then calls `handler`. Register the result with the same `access` and Execution::kBlocking.
/// `authenticator` must outlive the handler.
Handler guard(const RequestAuthenticator& authenticator, RouteAccess access, PrincipalHandler handler);

}  // namespace personae::http::auth

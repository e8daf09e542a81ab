#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "http/headers.hpp"
#include "http/response.hpp"

namespace personae::http {

/// An RFC 9457 problem detail. `type` is a URI naming the kind of problem (documented in
/// api/openapi.yaml); `detail` is for the client and must never hold internal detail.
struct Problem {
  int status = 500;
  std::string type = "about:blank";
  std::string title;
  std::string detail;
  nlohmann::json extensions = nlohmann::json::object();  ///< e.g. {"errors": [{"field": ...}]}
  /// Sent with the response: `Retry-After` on 429/503, `WWW-Authenticate` on 401. Content-Type
  /// is always the problem's own and cannot be overridden here.
  Headers headers{};
};

/// `application/problem+json; charset=utf-8`, with `instance` set to the request id and
/// `problem.headers` copied onto the response.
Response problem_response(const Problem& problem, std::string_view request_id);

/// The status an ErrorCode maps to.
int status_for(ErrorCode code);
/// A problem for an expected failure from a service (its public message as detail). Adds the
/// headers its status calls for: `WWW-Authenticate: Bearer realm="personae"` on 401 and
/// `Retry-After` on 429 and 503 (Error::retry_after rounded up to whole seconds, at least 1; 1
/// when the service did not say).
Problem problem_for(const Error& error);

/// The realm of every Bearer challenge.
inline constexpr std::string_view kBearerRealm = "personae";

/// A 401 with an RFC 6750 challenge. `invalid_token`: a credential was presented but is not
/// valid (expired, revoked, malformed), so the challenge carries `error="invalid_token"`;
/// otherwise none was presented and the challenge names only the realm.
Problem unauthorized(std::string detail, bool invalid_token);

/// Sets `Retry-After` to `retry_after` rounded up to whole seconds, at least 1.
void set_retry_after(Headers& headers, std::chrono::milliseconds retry_after);

/// Thrown by handlers (and request helpers) for a failure the client caused or should see.
class HttpError : public std::runtime_error {
 public:
  explicit HttpError(Problem problem) : std::runtime_error(problem.title), problem_(std::move(problem)) {}
  HttpError(int status, std::string title, std::string detail = {});

  const Problem& problem() const noexcept { return problem_; }

 private:
  Problem problem_;
};

}  // namespace personae::http

#include "http/problem.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace personae::http {

Response problem_response(const Problem& problem, std::string_view request_id) {
  nlohmann::json body = nlohmann::json::object();
  // Extensions first, so that they can never overwrite a standard member.
  if (problem.extensions.is_object()) body = problem.extensions;
  body["type"] = problem.type.empty() ? "about:blank" : problem.type;
  body["title"] = problem.title.empty() ? std::string(reason_phrase(problem.status)) : problem.title;
  body["status"] = problem.status;
  if (!problem.detail.empty()) body["detail"] = problem.detail;
  if (!request_id.empty()) body["instance"] = std::string(request_id);
  Response response = Response::json(problem.status, body);
  for (const auto& [name, value] : problem.headers) {
    if (!iequals(name, "Content-Type")) response.headers.add(name, value);
  }
  response.headers.set("Content-Type", "application/problem+json; charset=utf-8");
  return response;
}

int status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    // 409, not 412: 412 answers a failed conditional header (If-Match), which handlers raise
    // themselves with HttpError; a service's failed precondition is a conflict with the state.
    case ErrorCode::kFailedPrecondition: return 409;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kResourceExhausted: return 429;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kDeadlineExceeded: return 504;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

Problem problem_for(const Error& error) {
  Problem problem;
  problem.status = status_for(error.code);
  problem.title = std::string(reason_phrase(problem.status));
  // An internal error's message may still describe internals; the client gets the title only.
  if (error.code != ErrorCode::kInternal) problem.detail = error.message;
  if (!error.field_errors.empty()) {
    auto errors = nlohmann::json::array();
    for (const auto& field : error.field_errors)
      errors.push_back({{"field", field.field}, {"message", field.message}});
    problem.extensions["errors"] = std::move(errors);
  }
  if (problem.status == 401) {
    // RFC 9110 15.5.2: a 401 always carries a challenge.
    problem.headers.set("WWW-Authenticate", "Bearer realm=\"" + std::string(kBearerRealm) + "\"");
  }
  if (problem.status == 429 || problem.status == 503) {
    set_retry_after(problem.headers, error.retry_after.value_or(std::chrono::seconds(1)));
  }
  return problem;
}

Problem unauthorized(std::string detail, bool invalid_token) {
  Problem problem;
  problem.status = 401;
  problem.title = std::string(reason_phrase(401));
  problem.detail = std::move(detail);
  std::string challenge = "Bearer realm=\"" + std::string(kBearerRealm) + "\"";
  // RFC 6750 3.1: without credentials the challenge carries no error code.
  if (invalid_token) challenge += ", error=\"invalid_token\"";
  problem.headers.set("WWW-Authenticate", challenge);
  return problem;
}

void set_retry_after(Headers& headers, std::chrono::milliseconds retry_after) {
  // Whole seconds, rounded up: a client that waits exactly this long finds a token again.
  const auto seconds = std::max<std::int64_t>(1, (retry_after.count() + 999) / 1000);
  headers.set("Retry-After", std::to_string(seconds));
}

HttpError::HttpError(int status, std::string title, std::string detail)
    : HttpError(Problem{
          status, "about:blank", std::move(title), std::move(detail), nlohmann::json::object(), {}}) {}

}  // namespace personae::http

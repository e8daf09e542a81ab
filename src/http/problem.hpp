#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
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
};

/// `application/problem+json; charset=utf-8`, with `instance` set to the request id.
Response problem_response(const Problem& problem, std::string_view request_id);

/// The status an ErrorCode maps to.
int status_for(ErrorCode code);
/// A problem for an expected failure from a service (its public message as detail).
Problem problem_for(const Error& error);

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

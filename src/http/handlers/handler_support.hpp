#pragma once

// Helpers every handler shares: service results to responses, the request's client info.

#include <utility>

#include "core/error.hpp"
#include "http/problem.hpp"
#include "http/request.hpp"
#include "services/service_support.hpp"

namespace personae::http::handlers {

/// A service failure as a problem (rate-limit refusals carry their Retry-After, field errors their
/// `errors`).
[[noreturn]] inline void fail(const Error& error) {
  throw HttpError(problem_for(error));
}

template <class T>
T value_or_fail(Result<T> result) {
  if (!result) fail(result.error());
  return std::move(*result);
}

inline void check_or_fail(const Result<void>& result) {
  if (!result) fail(result.error());
}

inline ClientInfo client_of(const Request& request) {
  return ClientInfo{request.remote_address, std::string(request.headers.get("User-Agent").value_or("")),
                    request.request_id};
}

}  // namespace personae::http::handlers

#pragma once

// Helpers every handler shares: service results to responses, the request's client info.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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

/// A list's position: the (created_at, id) of the last item of a page, as an opaque token.
struct PageCursor {
  std::int64_t created_at_unix_ms = 0;
  std::string id;
};
std::string encode_cursor(const PageCursor& cursor);
/// 400 (field "cursor") for anything this server did not return.
PageCursor decode_cursor(std::string_view text);

/// The `limit` query parameter: 400 unless an integer from 1 to `max`; nullopt when absent.
std::optional<int> limit_param(const Request& request, int max);

/// A revision as an entity tag ("7"), for ETag.
std::string revision_etag(std::int64_t revision);

/// If-Match: "7" (or 7, or W/"7"); nullopt when absent. Anything else, or a revision below
/// `lowest`, is a 400 naming `what` rather than a silently unconditional write. (`lowest` 0: a
/// singleton that may not have been saved yet, whose revision 0 means "nothing saved".)
std::optional<std::int64_t> if_match_revision(const Request& request, std::string_view what,
                                              std::int64_t lowest = 1);

}  // namespace personae::http::handlers

#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/headers.hpp"
#include "http/spooled_body.hpp"

namespace personae::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view to_string(Method method);
Method parse_method(std::string_view text);

/// An HTTP request as handlers see it: no Beast type leaks past http/server.cpp.
struct Request {
  Method method = Method::kGet;
  std::string method_text;  ///< as received (kept for logs when method is kOther)
  std::string target;       ///< raw request-target, e.g. "/api/v1/x?limit=5"
  std::string path;         ///< percent-decoded path, without the query
  std::string query;        ///< raw query string, without '?'
  Headers headers;
  std::string body;  ///< empty when the route spools its body (then in spooled_body)
  /// The body as a file, for routes with BodyPolicy::spool_to_file (null otherwise, and for a
  /// request without a body).
  std::shared_ptr<const SpooledBody> spooled_body;
  std::string remote_address;  ///< the socket peer; X-Forwarded-For is not trusted here
  std::string request_id;      ///< accepted from X-Request-Id or generated
  std::map<std::string, std::string, std::less<>> path_params;  ///< from "{name}" route segments

  std::string_view path_param(std::string_view name) const;
  /// The decoded value of query parameter `name`. Throws HttpError 400 when it appears more than
  /// once (parameter pollution) or is not valid percent-encoding.
  std::optional<std::string> query_param(std::string_view name) const;
};

/// Splits `request.target` into `path` (percent-decoded) and `query` (raw, without '?'). Accepts
/// origin-form ("/a/b?x=1") and absolute-form ("http://host/a/b?x=1"). Throws HttpError 400 for any
/// other form, bad percent-encoding, a NUL, an encoded slash ("%2F": it would create a segment
/// boundary the client did not send), or a "." or ".." segment (no path tricks reach handlers).
void decode_target(Request& request);

}  // namespace personae::http

#pragma once

// Conversions between Beast messages and our Headers/Response. Included only by http/server.cpp
// and the fuzz target, so that the fuzzer exercises exactly what the server does.

#include <string>
#include <string_view>
#include <utility>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/headers.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace personae::http {

using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

/// Every field of a Beast header, in order, names as received.
inline Headers to_headers(const boost::beast::http::fields& fields) {
  Headers headers;
  for (const auto& field : fields) headers.add(field.name_string(), field.value());
  return headers;
}

/// A Beast response from ours. HttpService::finish() already set Content-Length (kept for HEAD,
/// whose body it emptied), so the payload is not recomputed here. `keep_alive` sets Connection.
inline BeastResponse to_beast_response(Response&& response, unsigned version, bool keep_alive) {
  BeastResponse out;
  out.result(static_cast<unsigned>(response.status));
  out.version(version);
  for (const auto& [name, value] : response.headers) out.insert(name, value);
  out.body() = std::move(response.body);
  out.keep_alive(keep_alive);
  return out;
}

}  // namespace personae::http

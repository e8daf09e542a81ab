#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "http/headers.hpp"

namespace personae::http {

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  /// `application/json; charset=utf-8`
  static Response json(int status, const nlohmann::json& body);
  static Response text(int status, std::string body, std::string_view content_type);
  static Response no_content(int status = 204);
};

/// The standard reason phrase for `status` ("Not Found"), or "Unknown" for an unlisted code.
std::string_view reason_phrase(int status);

}  // namespace personae::http

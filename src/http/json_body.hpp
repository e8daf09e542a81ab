#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/json_reader.hpp"
#include "http/request.hpp"

namespace personae::http {

/// The deepest nesting of arrays and objects a request body may have.
inline constexpr int kMaxJsonDepth = 64;

/// Parses the body of a JSON request. Throws HttpError: 415 unless Content-Type is
/// `application/json` (parameters such as charset are allowed); 400 for an empty body, invalid
/// JSON (the detail names the line and column), nesting deeper than `max_depth`, or a key repeated
/// in one object (parsers disagree on which copy wins, so neither is guessed).
nlohmann::json parse_json_body(const Request& request, int max_depth = kMaxJsonDepth);

/// The strict field reader (core/json_reader.hpp), here for handlers: its errors become a 400
/// problem whose `errors` name every invalid field.
using ::personae::JsonReader;

}  // namespace personae::http

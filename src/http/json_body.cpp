#include "http/json_body.hpp"

#include <limits>
#include <set>
#include <utility>

#include "http/problem.hpp"

namespace personae::http {
namespace {

// Thrown from the parser callback to stop at the first violation.
struct BodyRejected {
  std::string detail;
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

nlohmann::json parse_json_body(const Request& request, int max_depth) {
  const auto content_type = request.headers.get("Content-Type");
  const std::string_view media_type =
      content_type ? trim(content_type->substr(0, content_type->find(';'))) : "";
  if (!iequals(media_type, "application/json")) {
    throw HttpError(415, "Unsupported Media Type", "the request body must be application/json");
  }
  if (request.body.empty()) throw HttpError(400, "Bad Request", "the request body is empty");

  // One set of keys per open container (empty for arrays), to catch a key repeated in an object.
  std::vector<std::set<std::string, std::less<>>> open_keys;
  const auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    switch (event) {
      case nlohmann::json::parse_event_t::object_start:
      case nlohmann::json::parse_event_t::array_start:
        if (depth >= max_depth) {
          throw BodyRejected{"the request body nests deeper than " + std::to_string(max_depth) + " levels"};
        }
        open_keys.emplace_back();
        break;
      case nlohmann::json::parse_event_t::object_end:
      case nlohmann::json::parse_event_t::array_end:
        if (!open_keys.empty()) open_keys.pop_back();
        break;
      case nlohmann::json::parse_event_t::key:
        if (!open_keys.empty() && !open_keys.back().insert(parsed.get<std::string>()).second) {
          throw BodyRejected{"the request body repeats the key \"" + parsed.get<std::string>() + "\""};
        }
        break;
      case nlohmann::json::parse_event_t::value: break;
    }
    return true;
  };
  try {
    return nlohmann::json::parse(request.body, callback);
  } catch (const BodyRejected& rejected) {
    throw HttpError(400, "Bad Request", rejected.detail);
  } catch (const nlohmann::json::parse_error& error) {
    throw HttpError(
        400, "Bad Request",
        "the request body is not valid JSON (at " + json_error_position(request.body, error.byte) + ")");
  }
}

}  // namespace personae::http

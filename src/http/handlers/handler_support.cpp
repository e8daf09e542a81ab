#include "http/handlers/handler_support.hpp"

#include <charconv>

#include "security/encoding.hpp"

namespace personae::http::handlers {

std::string encode_cursor(const PageCursor& cursor) {
  return security::base64url_encode(std::to_string(cursor.created_at_unix_ms) + ":" + cursor.id);
}

PageCursor decode_cursor(std::string_view text) {
  const auto invalid = [] {
    throw AppError(invalid_fields({{"cursor", "is not a cursor this server returned"}}));
  };
  const auto decoded = security::base64url_decode(text);
  if (!decoded) invalid();
  const auto colon = decoded->find(':');
  if (colon == std::string::npos || colon + 1 >= decoded->size()) invalid();
  PageCursor cursor;
  const auto parsed = std::from_chars(decoded->data(), decoded->data() + colon, cursor.created_at_unix_ms);
  if (parsed.ec != std::errc() || parsed.ptr != decoded->data() + colon) invalid();
  cursor.id = decoded->substr(colon + 1);
  return cursor;
}

std::optional<int> limit_param(const Request& request, int max) {
  const auto text = request.query_param("limit");
  if (!text) return std::nullopt;
  int value = 0;
  const auto parsed = std::from_chars(text->data(), text->data() + text->size(), value);
  if (parsed.ec != std::errc() || parsed.ptr != text->data() + text->size() || value < 1 || value > max) {
    throw AppError(invalid_fields({{"limit", "must be an integer from 1 to " + std::to_string(max)}}));
  }
  return value;
}

std::string revision_etag(std::int64_t revision) {
  return "\"" + std::to_string(revision) + "\"";
}

std::optional<std::int64_t> if_match_revision(const Request& request, std::string_view what,
                                              std::int64_t lowest) {
  const auto header = request.headers.get("If-Match");
  if (!header) return std::nullopt;
  std::string_view value = *header;
  if (value.starts_with("W/")) value.remove_prefix(2);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  std::int64_t revision = 0;
  const auto parsed = std::from_chars(value.data(), value.data() + value.size(), revision);
  if (parsed.ec != std::errc() || parsed.ptr != value.data() + value.size() || revision < lowest) {
    throw HttpError(400, "Bad Request",
                    "If-Match must be the " + std::string(what) + "'s ETag, such as \"3\"");
  }
  return revision;
}

}  // namespace personae::http::handlers

#include "adapters/ratelimit/redis_url.hpp"

#include "core/text_encoding.hpp"

#include <charconv>
#include <optional>

#include "core/error.hpp"

namespace personae {
namespace {

constexpr std::string_view kScheme = "redis://";
constexpr std::string_view kExpected = "expected redis://[[username]:password@]host[:port][/db]";

[[noreturn]] void fail(const std::string& what) {
  throw ConfigError("invalid Redis URL: " + what + " (" + std::string(kExpected) + ")");
}

std::optional<int> parse_number(std::string_view text, int min, int max) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return std::nullopt;
  }
  return value;
}

bool valid_host_name(std::string_view host) {
  for (const char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '.' || c == '_';
    if (!ok) return false;
  }
  return !host.empty();
}

}  // namespace

RedisUrl RedisUrl::parse(std::string_view url) {
  if (url.empty()) fail("it is empty");
  if (url.substr(0, 9) == "rediss://") fail("TLS (rediss://) is not supported by this build");
  if (url.substr(0, kScheme.size()) != kScheme) fail("the scheme must be redis://");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos)
    fail("query strings and fragments are not supported");

  RedisUrl parsed;
  // The password may hold '/' or '@' only percent-encoded, so the last '@' ends the user info.
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view user_info = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = user_info.find(':');
    if (colon == std::string_view::npos) fail("the user info must be [username]:password");
    const auto username = percent_decode(user_info.substr(0, colon));
    const auto password = percent_decode(user_info.substr(colon + 1));
    if (!username || !password) fail("bad percent-encoding in the user info");
    if (password->empty()) fail("the password after ':' is empty");
    parsed.username = *username;
    parsed.password = *password;
  }

  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view database = rest.substr(slash + 1);
    if (!database.empty()) {
      const auto number = parse_number(database, 0, 1'000'000);
      if (!number) fail("the database must be a number after '/', got '" + std::string(database) + "'");
      parsed.database = *number;
    }
  }

  std::string_view host = authority;
  std::string_view port;
  if (authority.substr(0, 1) == "[") {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) fail("unterminated '[' in the IPv6 host");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') fail("expected ':' and a port after the IPv6 host");
      port = after.substr(1);
      if (port.empty()) fail("the port after ':' is empty");
    }
    if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
      fail("the IPv6 host is not an address");
    }
  } else {
    if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port.empty()) fail("the port after ':' is empty");
    }
    if (host.empty()) fail("the host is missing");
    if (!valid_host_name(host)) fail("the host '" + std::string(host) + "' is not a name or an address");
  }
  if (!port.empty()) {
    const auto number = parse_number(port, 1, 65535);
    if (!number) fail("the port must be 1-65535, got '" + std::string(port) + "'");
    parsed.port = *number;
  }
  parsed.host = std::string(host);
  return parsed;
}

std::string RedisUrl::redacted() const {
  std::string text(kScheme);
  if (!password.empty()) text += username + ":***@";
  text += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  text += ":" + std::to_string(port) + "/" + std::to_string(database);
  return text;
}

}  // namespace personae

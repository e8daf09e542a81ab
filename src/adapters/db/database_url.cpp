#include "adapters/db/database_url.hpp"

#include "core/text_encoding.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/error.hpp"

namespace personae {
namespace {

constexpr std::string_view kExpected =
    "expected sqlite:///absolute/path.db, sqlite://relative/path.db or "
    "postgresql://user@host:port/database";

std::string lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

struct UriParts {
  std::size_t authority_begin = 0;              // just after "://"
  std::size_t query_begin = std::string::npos;  // index of '?', or npos
  // The user info's password, as [begin, end) in the text; empty range when there is none.
  std::size_t password_begin = 0;
  std::size_t password_end = 0;
};

UriParts split_uri(std::string_view text) {
  UriParts parts;
  parts.authority_begin = text.find("://") + 3;
  parts.query_begin = text.find('?', parts.authority_begin);
  const std::string_view head = text.substr(0, parts.query_begin);
  // The last '@' before the query ends the user info; searching backwards also covers a password
  // with an unencoded '@' (libpq rejects it, but it must still never be shown).
  const std::size_t at = head.rfind('@');
  if (at != std::string_view::npos && at >= parts.authority_begin) {
    const std::size_t colon = head.find(':', parts.authority_begin);
    if (colon != std::string_view::npos && colon < at) {
      parts.password_begin = colon + 1;
      parts.password_end = at;
    }
  }
  return parts;
}

std::vector<std::pair<std::string, std::string>> query_parameters(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> parameters;
  std::size_t begin = 0;
  while (begin <= query.size()) {
    std::size_t end = query.find('&', begin);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view item = query.substr(begin, end - begin);
    if (!item.empty()) {
      const std::size_t equals = item.find('=');
      parameters.emplace_back(
          std::string(item.substr(0, equals)),
          equals == std::string_view::npos ? std::string() : std::string(item.substr(equals + 1)));
    }
    begin = end + 1;
  }
  return parameters;
}

// libpq's own parser is the reference for what a valid URI is; its message is kept (after
// removing any password) because it says which part is wrong.
void validate_with_libpq(const std::string& uri, const std::string& redacted_uri, std::string_view password) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &error);
  if (options != nullptr) {
    PQconninfoFree(options);
    return;
  }
  std::string reason = error != nullptr ? error : "out of memory";
  if (error != nullptr) PQfreemem(error);
  while (!reason.empty() && std::isspace(static_cast<unsigned char>(reason.back()))) reason.pop_back();
  replace_all(reason, uri, redacted_uri);
  if (password.size() >= 1) replace_all(reason, password, "***");
  throw ConfigError("is not a valid PostgreSQL connection URL (" + reason + "): " + redacted_uri);
}

}  // namespace

DatabaseUrl DatabaseUrl::parse(std::string_view url) {
  if (url.empty()) throw ConfigError(std::string("is empty (") + std::string(kExpected) + ")");
  if (url.find('\0') != std::string_view::npos) throw ConfigError("contains a NUL character");
  const std::size_t separator = url.find("://");
  if (separator == std::string_view::npos) {
    if (lowercase(url.substr(0, 7)) == "sqlite:") {
      throw ConfigError(
          "must name a file, as sqlite:///absolute/path.db or sqlite://relative/path.db "
          "(in-memory databases are not supported)");
    }
    throw ConfigError("is not a URL (" + std::string(kExpected) + ")");
  }
  const std::string scheme = lowercase(url.substr(0, separator));
  DatabaseUrl parsed;
  parsed.text_ = std::string(url);
  if (scheme == "sqlite") {
    const std::string_view path = url.substr(separator + 3);
    if (path.empty()) {
      throw ConfigError(
          "has an empty SQLite path (expected sqlite:///absolute/path.db or sqlite://relative/path.db)");
    }
    if (path.find('?') != std::string_view::npos) {
      throw ConfigError("takes no parameters for SQLite (remove the part from '?')");
    }
    // SOCI's SQLite connection string cannot carry these characters.
    if (path.find('"') != std::string_view::npos || path.find('=') != std::string_view::npos) {
      throw ConfigError("has a SQLite path with '\"' or '=', which are not supported");
    }
    if (path.back() == '/' || path == "." || path == "..") {
      throw ConfigError(
          "names a folder; it must name the SQLite database file (e.g. sqlite://./var/personae.db)");
    }
    parsed.dialect_ = Dialect::kSqlite;
    parsed.sqlite_path_ = std::filesystem::path(path);
    return parsed;
  }
  if (scheme == "postgresql" || scheme == "postgres") {
    parsed.dialect_ = Dialect::kPostgresql;
    const UriParts parts = split_uri(parsed.text_);
    if (parts.query_begin != std::string::npos) {
      for (const auto& [key, value] :
           query_parameters(std::string_view(parsed.text_).substr(parts.query_begin + 1))) {
        if (key.empty()) throw ConfigError("has a parameter without a name: " + parsed.redacted());
      }
    }
    const std::string password =
        parts.password_end > parts.password_begin
            ? parsed.text_.substr(parts.password_begin, parts.password_end - parts.password_begin)
            : std::string();
    validate_with_libpq(parsed.text_, parsed.redacted(), password);
    return parsed;
  }
  throw ConfigError("has the unknown scheme \"" + scheme + "\" (" + std::string(kExpected) + ")");
}

std::string DatabaseUrl::redacted() const {
  if (dialect_ == Dialect::kSqlite) return text_;
  const UriParts parts = split_uri(text_);
  std::string redacted = text_.substr(0, parts.query_begin);
  if (parts.password_end > parts.password_begin) {
    redacted.replace(parts.password_begin, parts.password_end - parts.password_begin, "***");
  }
  if (parts.query_begin == std::string::npos) return redacted;
  redacted.push_back('?');
  bool first = true;
  for (const auto& [key, value] : query_parameters(std::string_view(text_).substr(parts.query_begin + 1))) {
    if (!first) redacted.push_back('&');
    first = false;
    redacted += key;
    redacted.push_back('=');
    redacted += key == "password" ? std::string("***") : value;
  }
  return redacted;
}

bool DatabaseUrl::has_password() const {
  if (dialect_ == Dialect::kSqlite) return false;
  const UriParts parts = split_uri(text_);
  if (parts.password_end > parts.password_begin) return true;
  if (parts.query_begin == std::string::npos) return false;
  const auto parameters = query_parameters(std::string_view(text_).substr(parts.query_begin + 1));
  return std::any_of(parameters.begin(), parameters.end(),
                     [](const auto& item) { return item.first == "password"; });
}

std::string DatabaseUrl::postgres_uri(
    std::initializer_list<std::pair<std::string_view, std::string_view>> extra) const {
  const UriParts parts = split_uri(text_);
  std::vector<std::pair<std::string, std::string>> existing;
  if (parts.query_begin != std::string::npos) {
    existing = query_parameters(std::string_view(text_).substr(parts.query_begin + 1));
  }
  std::string uri = text_;
  bool has_query = parts.query_begin != std::string::npos;
  for (const auto& [key, value] : extra) {
    const bool present =
        std::any_of(existing.begin(), existing.end(), [&](const auto& item) { return item.first == key; });
    if (present) continue;
    if (!has_query) {
      uri.push_back('?');
      has_query = true;
    } else if (uri.back() != '?' && uri.back() != '&') {
      uri.push_back('&');
    }
    uri += key;
    uri.push_back('=');
    uri += percent_encode(value);
  }
  return uri;
}

}  // namespace personae

#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "ports/database.hpp"

namespace personae {

/// A parsed `database.url`:
///   sqlite:///absolute/path.db, sqlite://relative/path.db (relative to the working directory),
///   postgresql://user[:password]@host[:port]/database?params (also postgres://), handed to libpq
///   as a connection URI.
class DatabaseUrl {
 public:
  /// Throws ConfigError with a message saying what is wrong and what was expected; the message
  /// never repeats a password. It does not name the configuration key: the caller adds it.
  static DatabaseUrl parse(std::string_view url);

  Dialect dialect() const { return dialect_; }

  /// The SQLite file as written in the URL (relative paths are not resolved here).
  const std::filesystem::path& sqlite_path() const { return sqlite_path_; }

  /// The URL with any password (in the user info or a `password` parameter) replaced by `***`.
  std::string redacted() const;

  /// Whether the URL itself carries a password.
  bool has_password() const;

  /// The libpq connection URI: the URL plus `extra` parameters (percent-encoded), each added only
  /// when the URL does not set it already. Holds secrets: never log it.
  std::string postgres_uri(
      std::initializer_list<std::pair<std::string_view, std::string_view>> extra = {}) const;

  const std::string& text() const { return text_; }

 private:
  DatabaseUrl() = default;

  Dialect dialect_ = Dialect::kSqlite;
  std::string text_;
  std::filesystem::path sqlite_path_;
};

}  // namespace personae

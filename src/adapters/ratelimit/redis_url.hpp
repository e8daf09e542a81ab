#pragma once

#include <string>
#include <string_view>

namespace personae {

/// A parsed `redis.url`: `redis://[[username]:password@]host[:port][/db]`.
///   - host: a name, an IPv4 address or a bracketed IPv6 address (`[::1]`);
///   - port: 1–65535, default 6379;
///   - db: a database number, default 0;
///   - username and password are percent-decoded (so `%40` stands for `@`); a username needs
///     Redis 6 ACLs, without one the password is checked against `requirepass`.
/// No query string, fragment or other scheme (`rediss://` would need TLS, which this build lacks).
struct RedisUrl {
  std::string host;
  int port = 6379;
  std::string username;
  std::string password;
  int database = 0;

  /// Throws ConfigError saying what is wrong and what was expected; the message never repeats the
  /// password. It does not name the configuration key: the caller adds it.
  static RedisUrl parse(std::string_view url);

  /// The URL with the password replaced by `***`, for logs.
  std::string redacted() const;
};

}  // namespace personae

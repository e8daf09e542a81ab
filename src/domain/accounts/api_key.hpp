#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace personae {

/// A key for automation, acting in one tenant. The key shown once to its creator is
/// "<prefix>.<secret>": the prefix is public and finds the row, the secret is stored only hashed.
struct ApiKey {
  std::string id;
  std::string tenant_id;
  std::string created_by;  ///< user id
  std::string name;
  std::string prefix;  ///< unique across tenants
  std::string secret_hash;
  std::vector<std::string> scopes;  ///< action names the key may perform
  std::optional<std::int64_t> expires_at_unix_ms;
  std::optional<std::int64_t> revoked_at_unix_ms;
  std::optional<std::int64_t> last_used_at_unix_ms;
  std::int64_t created_at_unix_ms = 0;

  /// Not revoked and not expired at `now_unix_ms`.
  bool usable_at(std::int64_t now_unix_ms) const {
    return !revoked_at_unix_ms.has_value() &&
           (!expires_at_unix_ms.has_value() || now_unix_ms < *expires_at_unix_ms);
  }

  bool operator==(const ApiKey&) const = default;
};

}  // namespace personae

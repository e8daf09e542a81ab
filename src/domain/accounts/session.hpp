#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace personae {

/// One refresh token (stored only as its hash). Rotation makes a chain of tokens, the family:
/// using a token marks it used and issues the next one in the same family, with the family's
/// absolute expiry carried over; presenting a used token again is reuse, and revokes the family.
struct Session {
  std::string id;
  std::string family_id;
  std::string user_id;
  std::string tenant_id;
  std::string token_hash;
  std::int64_t created_at_unix_ms = 0;
  std::int64_t expires_at_unix_ms = 0;          ///< idle expiry of this token
  std::int64_t family_expires_at_unix_ms = 0;   ///< absolute lifetime of the family
  std::optional<std::int64_t> used_at_unix_ms;  ///< set when rotated
  std::optional<std::int64_t> revoked_at_unix_ms;
  std::optional<std::string> revoke_reason;  ///< "logout", "reuse", "password_changed", ...
  std::string user_agent;
  std::string ip;

  /// Neither used nor revoked, and both expiries lie after `now_unix_ms`.
  bool active_at(std::int64_t now_unix_ms) const {
    return !used_at_unix_ms.has_value() && !revoked_at_unix_ms.has_value() &&
           now_unix_ms < expires_at_unix_ms && now_unix_ms < family_expires_at_unix_ms;
  }

  bool operator==(const Session&) const = default;
};

}  // namespace personae

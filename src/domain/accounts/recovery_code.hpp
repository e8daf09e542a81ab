#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace personae {

/// One single-use TOTP recovery code of a user, stored only hashed.
struct RecoveryCode {
  std::string user_id;
  std::string code_hash;
  std::optional<std::int64_t> used_at_unix_ms;
  std::int64_t created_at_unix_ms = 0;

  bool operator==(const RecoveryCode&) const = default;
};

}  // namespace personae

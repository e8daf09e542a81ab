#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace personae {

/// The first-run link: a single-use token, stored only hashed, that lets whoever holds it create
/// the first owner of an empty installation before it expires.
struct SetupToken {
  std::string token_hash;
  std::int64_t created_at_unix_ms = 0;
  std::int64_t expires_at_unix_ms = 0;
  std::optional<std::int64_t> used_at_unix_ms;

  /// Unused and not expired at `now_unix_ms`.
  bool valid_at(std::int64_t now_unix_ms) const {
    return !used_at_unix_ms.has_value() && now_unix_ms < expires_at_unix_ms;
  }

  bool operator==(const SetupToken&) const = default;
};

}  // namespace personae

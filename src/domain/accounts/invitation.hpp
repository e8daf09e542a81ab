#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/accounts/membership.hpp"
#include "domain/accounts/role.hpp"

namespace personae {

/// An invitation to join a tenant with a role, redeemed once through a link whose token is stored
/// only hashed.
struct Invitation {
  std::string id;
  std::string tenant_id;
  std::string email;  ///< normalised
  Role role = Role::kViewer;
  std::vector<ResourceScope> scopes;
  std::string token_hash;
  std::string invited_by;  ///< user id
  std::int64_t expires_at_unix_ms = 0;
  std::optional<std::int64_t> accepted_at_unix_ms;
  std::optional<std::int64_t> revoked_at_unix_ms;
  std::int64_t created_at_unix_ms = 0;

  /// Neither accepted nor revoked, and not expired at `now_unix_ms`.
  bool pending_at(std::int64_t now_unix_ms) const {
    return !accepted_at_unix_ms.has_value() && !revoked_at_unix_ms.has_value() &&
           now_unix_ms < expires_at_unix_ms;
  }

  bool operator==(const Invitation&) const = default;
};

}  // namespace personae

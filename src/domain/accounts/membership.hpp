#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/accounts/role.hpp"

namespace personae {

/// A limit on what a member may reach: the resources of one kind ("persona") with these ids.
struct ResourceScope {
  std::string kind;
  std::vector<std::string> ids;

  bool operator==(const ResourceScope&) const = default;
};

/// A user's place in a tenant. Empty `scopes` means the whole tenant; otherwise the member reaches,
/// for each listed kind, only the listed ids (kinds not listed are not limited).
struct Membership {
  std::string tenant_id;
  std::string user_id;
  Role role = Role::kViewer;
  std::vector<ResourceScope> scopes;
  std::int64_t created_at_unix_ms = 0;

  bool operator==(const Membership&) const = default;
};

}  // namespace personae

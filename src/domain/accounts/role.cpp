#include "domain/accounts/role.hpp"

#include <array>
#include <utility>

namespace personae {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 5> kRoleNames{{
    {Role::kOwner, "owner"},
    {Role::kAdmin, "admin"},
    {Role::kManager, "manager"},
    {Role::kChatter, "chatter"},
    {Role::kViewer, "viewer"},
}};

}  // namespace

std::string_view to_string(Role role) {
  for (const auto& [value, name] : kRoleNames) {
    if (value == role) return name;
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view text) {
  for (const auto& [value, name] : kRoleNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace personae

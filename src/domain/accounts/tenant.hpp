#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace personae {

/// An agency: the unit of isolation. Every tenant-owned row carries its id.
struct Tenant {
  std::string id;
  std::string name;  ///< unique, 1-100 characters, see parse_tenant_name
  bool require_mfa = false;
  std::int64_t created_at_unix_ms = 0;

  bool operator==(const Tenant&) const = default;
};

inline constexpr std::size_t kMaxTenantNameCharacters = 100;

/// Trims surrounding ASCII whitespace and checks what is left: valid UTF-8, 1 to 100 characters
/// (code points), no control characters. Returns the trimmed name, or kInvalidArgument with a
/// message that does not repeat the input.
Result<std::string> parse_tenant_name(std::string_view raw);

}  // namespace personae

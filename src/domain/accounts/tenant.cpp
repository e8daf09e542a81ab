#include "domain/accounts/tenant.hpp"

#include "domain/accounts/text.hpp"

namespace personae {

Result<std::string> parse_tenant_name(std::string_view raw) {
  const std::string_view name = trim_ascii_whitespace(raw);
  if (name.empty()) return make_error(ErrorCode::kInvalidArgument, "the tenant name must not be empty");
  const std::optional<std::size_t> characters = utf8_code_points(name);
  if (!characters.has_value()) {
    return make_error(ErrorCode::kInvalidArgument, "the tenant name must be valid UTF-8");
  }
  if (*characters > kMaxTenantNameCharacters) {
    return make_error(ErrorCode::kInvalidArgument, "the tenant name must be at most 100 characters");
  }
  if (has_control_character(name)) {
    return make_error(ErrorCode::kInvalidArgument, "the tenant name must not contain control characters");
  }
  return std::string(name);
}

}  // namespace personae

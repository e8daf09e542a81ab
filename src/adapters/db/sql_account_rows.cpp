#include "adapters/db/sql_account_rows.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace personae::sql_rows {

void require_found(std::int64_t changed, const char* message) {
  if (changed == 0) throw AppError(ErrorCode::kNotFound, message);
}

std::string role_text(Role role) {
  return std::string(to_string(role));
}

Role role_from_text(const std::string& text) {
  const std::optional<Role> role = parse_role(text);
  if (!role.has_value()) throw AppError(ErrorCode::kInternal, "stored account data is malformed", "role");
  return *role;
}

std::string encode_scopes(const std::vector<ResourceScope>& scopes) {
  nlohmann::json array = nlohmann::json::array();
  for (const ResourceScope& scope : scopes) array.push_back({{"kind", scope.kind}, {"ids", scope.ids}});
  return array.dump();
}

std::vector<ResourceScope> decode_scopes(const std::string& text) {
  try {
    const nlohmann::json array = nlohmann::json::parse(text);
    std::vector<ResourceScope> scopes;
    for (const nlohmann::json& item : array.get_ref<const nlohmann::json::array_t&>()) {
      ResourceScope& scope = scopes.emplace_back();
      scope.kind = item.at("kind").get<std::string>();
      scope.ids = item.at("ids").get<std::vector<std::string>>();
    }
    return scopes;
  } catch (const nlohmann::json::exception& error) {
    throw AppError(ErrorCode::kInternal, "stored account data is malformed", error.what());
  }
}

std::string encode_names(const std::vector<std::string>& names) {
  return nlohmann::json(names).dump();
}

std::vector<std::string> decode_names(const std::string& text) {
  try {
    const nlohmann::json array = nlohmann::json::parse(text);
    if (!array.is_array()) throw AppError(ErrorCode::kInternal, "stored account data is malformed", "names");
    return array.get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& error) {
    throw AppError(ErrorCode::kInternal, "stored account data is malformed", error.what());
  }
}

}  // namespace personae::sql_rows

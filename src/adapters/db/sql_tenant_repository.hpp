#pragma once

#include "ports/tenant_repository.hpp"

namespace personae {

/// TenantRepository over the `tenants` table (migration 0002), for transactions opened by
/// SociDatabase. list_for_user reads memberships across tenants under bypass_tenant_scope.
/// Stateless and thread-safe.
class SqlTenantRepository final : public TenantRepository {
 public:
  void create(Transaction& tx, const Tenant& tenant) override;
  std::optional<Tenant> find_by_id(Transaction& tx, const std::string& tenant_id) override;
  std::optional<Tenant> find_by_name(Transaction& tx, const std::string& name) override;
  std::vector<Tenant> list_all(Transaction& tx) override;
  std::vector<Tenant> list_for_user(Transaction& tx, const std::string& user_id) override;
  void set_require_mfa(Transaction& tx, const std::string& tenant_id, bool require_mfa) override;
};

}  // namespace personae

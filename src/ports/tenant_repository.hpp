#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/accounts/tenant.hpp"
#include "ports/database.hpp"

namespace personae {

/// Storage of tenants (migration 0002). The tenants table itself is not tenant-scoped: a tenant is
/// found by name at login, before any tenant is current. Blocking; throws AppError like Database.
class TenantRepository {
 public:
  virtual ~TenantRepository() = default;

  /// Stores a new tenant; kConflict when its id or name is taken.
  virtual void create(Transaction& tx, const Tenant& tenant) = 0;

  virtual std::optional<Tenant> find_by_id(Transaction& tx, const std::string& tenant_id) = 0;
  /// Exact (case-sensitive) match on the stored name.
  virtual std::optional<Tenant> find_by_name(Transaction& tx, const std::string& name) = 0;

  /// Every tenant, by name (system operation: the CLI's `tenant list`).
  virtual std::vector<Tenant> list_all(Transaction& tx) = 0;

  /// The tenants `user_id` is a member of, by name (system operation across tenants: login and
  /// the tenant switcher).
  virtual std::vector<Tenant> list_for_user(Transaction& tx, const std::string& user_id) = 0;

  /// kNotFound when the tenant does not exist.
  virtual void set_require_mfa(Transaction& tx, const std::string& tenant_id, bool require_mfa) = 0;
};

}  // namespace personae

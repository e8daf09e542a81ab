#include "adapters/db/sql_tenant_repository.hpp"

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_account_rows.hpp"
#include "adapters/db/tenant_scope.hpp"

namespace personae {
namespace {

using sql_rows::fetch_one;
using sql_rows::fetch_rows;

constexpr const char* kSelectTenant = "SELECT t.id, t.name, t.require_mfa, t.created_at FROM tenants t ";

struct TenantColumns {
  std::string id;
  std::string name;
  int require_mfa = 0;
  long long created_at = 0;

  void bind(soci::details::prepare_temp_type& prepared) {
    prepared, soci::into(id), soci::into(name), soci::into(require_mfa), soci::into(created_at);
  }
  Tenant value() const { return Tenant{id, name, require_mfa != 0, created_at}; }
};

}  // namespace

void SqlTenantRepository::create(Transaction& tx, const Tenant& tenant) {
  const int require_mfa = tenant.require_mfa ? 1 : 0;
  const long long created_at = tenant.created_at_unix_ms;
  soci_session(tx) << "INSERT INTO tenants (id, name, require_mfa, created_at) "
                      "VALUES (:id, :name, :require_mfa, :created_at)",
      soci::use(tenant.id, "id"), soci::use(tenant.name, "name"), soci::use(require_mfa, "require_mfa"),
      soci::use(created_at, "created_at");
}

std::optional<Tenant> SqlTenantRepository::find_by_id(Transaction& tx, const std::string& tenant_id) {
  return fetch_one<TenantColumns>(soci_session(tx), std::string(kSelectTenant) + "WHERE t.id = :id",
                                  [&](auto& prepared) { prepared, soci::use(tenant_id, "id"); });
}

std::optional<Tenant> SqlTenantRepository::find_by_name(Transaction& tx, const std::string& name) {
  return fetch_one<TenantColumns>(soci_session(tx), std::string(kSelectTenant) + "WHERE t.name = :name",
                                  [&](auto& prepared) { prepared, soci::use(name, "name"); });
}

std::vector<Tenant> SqlTenantRepository::list_all(Transaction& tx) {
  return fetch_rows<TenantColumns>(soci_session(tx), std::string(kSelectTenant) + "ORDER BY t.name, t.id",
                                   [](auto&) {});
}

std::vector<Tenant> SqlTenantRepository::list_for_user(Transaction& tx, const std::string& user_id) {
  // A user's tenants span tenants by definition: the one sanctioned bypass for this lookup.
  return bypass_tenant_scope(tx, [&] {
    return fetch_rows<TenantColumns>(
        soci_session(tx),
        std::string(kSelectTenant) +
            "JOIN memberships m ON m.tenant_id = t.id WHERE m.user_id = :user_id "
            "ORDER BY t.name, t.id",
        [&](auto& prepared) { prepared, soci::use(user_id, "user_id"); });
  });
}

void SqlTenantRepository::set_require_mfa(Transaction& tx, const std::string& tenant_id, bool require_mfa) {
  const int value = require_mfa ? 1 : 0;
  sql_rows::require_found(
      sql_rows::execute_counting(
          soci_session(tx), "UPDATE tenants SET require_mfa = :require_mfa WHERE id = :id",
          [&](auto& prepared) { prepared, soci::use(value, "require_mfa"), soci::use(tenant_id, "id"); }),
      "no such tenant");
}

}  // namespace personae

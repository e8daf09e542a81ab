#include "adapters/db/tenant_scope.hpp"

#include <soci/soci.h>

#include "adapters/db/soci_transaction.hpp"

namespace personae {
namespace {

void set_local(Transaction& tx, const std::string& name, const std::string& value) {
  set_transaction_setting(tx, name, value);
}

}  // namespace

void scope_to_tenant(Transaction& tx, const std::string& tenant_id) {
  if (tx.dialect() != Dialect::kPostgresql) return;
  set_local(tx, "app.tenant_id", tenant_id);
}

namespace detail {

void set_tenant_scope_bypass(Transaction& tx, bool bypass) {
  if (tx.dialect() != Dialect::kPostgresql) return;
  set_local(tx, "app.rls_bypass", bypass ? "on" : "off");
}

}  // namespace detail
}  // namespace personae

#include "adapters/db/sql_backup_support.hpp"

#include <soci/soci.h>

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/tenant_scope.hpp"

namespace personae {

std::vector<std::string> referenced_blob_keys(Transaction& tx) {
  return bypass_tenant_scope(tx, [&] {
    soci::session& sql = soci_session(tx);
    std::vector<std::string> keys;
    std::string key;
    soci::statement query = (sql.prepare << kReferencedBlobKeysQuery, soci::into(key));
    query.execute();
    while (query.fetch()) keys.push_back(key);
    return keys;
  });
}

std::string export_postgres_snapshot(Transaction& tx) {
  std::string snapshot;
  soci_session(tx) << "SELECT pg_export_snapshot()", soci::into(snapshot);
  return snapshot;
}

int other_personae_connections(Transaction& tx) {
  int count = 0;
  soci_session(tx) << "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                      "AND pid <> pg_backend_pid() AND application_name = 'personae'",
      soci::into(count);
  return count;
}

}  // namespace personae

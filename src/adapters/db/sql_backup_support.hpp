#pragma once

#include <string>
#include <vector>

#include "ports/database.hpp"

namespace personae {

// What `personae backup` and `personae restore` ask the database directly. System operations:
// they see every tenant's rows.

/// The query behind referenced_blob_keys(), for a copy read outside a Transaction (SQLite's
/// online backup). A table that gains a blob-key column must be added here, or backups will miss
/// its objects.
inline constexpr const char* kReferencedBlobKeysQuery =
    "SELECT DISTINCT blob_key FROM media_variants ORDER BY blob_key";

/// Every blob key ("<tenant>/<sha256>") a row refers to, sorted, as the transaction sees them.
std::vector<std::string> referenced_blob_keys(Transaction& tx);

/// PostgreSQL only: exports the transaction's snapshot (`pg_export_snapshot()`), for pg_dump's
/// --snapshot, so that the dump and referenced_blob_keys() see the same data. The transaction
/// must stay open until pg_dump has started.
std::string export_postgres_snapshot(Transaction& tx);

/// PostgreSQL only: how many other sessions of Personae (application_name "personae", which
/// `serve` and `worker` set) are connected to this database.
int other_personae_connections(Transaction& tx);

}  // namespace personae

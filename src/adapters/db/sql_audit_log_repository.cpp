#include "adapters/db/sql_audit_log_repository.hpp"

#include <soci/soci.h>

#include <algorithm>

#include "adapters/db/soci_transaction.hpp"
#include "core/error.hpp"

namespace personae {
namespace {

// A fetch of many rows goes through vectors of this size.
constexpr std::size_t kFetchChunk = 256;

std::string chain_key(const std::optional<std::string>& tenant_id) {
  if (!tenant_id.has_value()) return {};
  if (tenant_id->empty()) {
    throw AppError(ErrorCode::kInvalidArgument,
                   "an audit tenant id must not be empty (omit it for the system chain)");
  }
  return *tenant_id;
}

AuditHead read_head(soci::session& sql, const std::string& key, bool for_update) {
  long long sequence = 0;
  std::string hash;
  soci::indicator found = soci::i_null;
  sql << std::string("SELECT sequence, hash FROM audit_chain_head WHERE chain_key = :chain_key") +
             (for_update ? " FOR UPDATE" : ""),
      soci::into(sequence, found), soci::into(hash), soci::use(key, "chain_key");
  if (!sql.got_data()) return AuditHead{};
  return AuditHead{sequence, hash};
}

}  // namespace

AuditEntry SqlAuditLogRepository::append(Transaction& tx, const NewAuditEntry& entry,
                                         std::int64_t occurred_at_unix_ms) {
  const std::string key = chain_key(entry.tenant_id);
  soci::session& sql = soci_session(tx);
  const bool postgresql = tx.dialect() == Dialect::kPostgresql;
  if (postgresql) {
    // Creating the head row first gives concurrent appenders a row to queue on; ON CONFLICT makes
    // the creation itself race-free.
    const std::string genesis(kAuditGenesisHash);
    sql << "INSERT INTO audit_chain_head (chain_key, sequence, hash) VALUES (:chain_key, 0, :hash) "
           "ON CONFLICT (chain_key) DO NOTHING",
        soci::use(key, "chain_key"), soci::use(genesis, "hash");
  }
  const AuditHead head = read_head(sql, key, postgresql);

  AuditEntry stored;
  stored.sequence = head.sequence + 1;
  stored.occurred_at_unix_ms = occurred_at_unix_ms;
  stored.tenant_id = entry.tenant_id;
  stored.actor = entry.actor;
  stored.action = entry.action;
  stored.target = entry.target;
  stored.details = entry.details;
  stored.previous_hash = head.hash;
  stored.hash = compute_audit_hash(stored);

  const long long sequence = stored.sequence;
  const long long occurred_at = stored.occurred_at_unix_ms;
  const std::string tenant = stored.tenant_id.value_or("");
  soci::indicator tenant_indicator = stored.tenant_id.has_value() ? soci::i_ok : soci::i_null;
  sql << "INSERT INTO audit_log (chain_key, sequence, tenant_id, occurred_at, actor, action, target, "
         "details, "
         "previous_hash, hash) VALUES (:chain_key, :sequence, :tenant_id, :occurred_at, :actor, :action, "
         ":target, "
         ":details, :previous_hash, :hash)",
      soci::use(key, "chain_key"), soci::use(sequence, "sequence"),
      soci::use(tenant, tenant_indicator, "tenant_id"), soci::use(occurred_at, "occurred_at"),
      soci::use(stored.actor, "actor"), soci::use(stored.action, "action"),
      soci::use(stored.target, "target"), soci::use(stored.details, "details"),
      soci::use(stored.previous_hash, "previous_hash"), soci::use(stored.hash, "hash");
  sql << "INSERT INTO audit_chain_head (chain_key, sequence, hash) VALUES (:chain_key, :sequence, :hash) "
         "ON CONFLICT (chain_key) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash",
      soci::use(key, "chain_key"), soci::use(sequence, "sequence"), soci::use(stored.hash, "hash");
  return stored;
}

AuditHead SqlAuditLogRepository::head(Transaction& tx, const std::optional<std::string>& tenant_id) {
  return read_head(soci_session(tx), chain_key(tenant_id), false);
}

std::vector<AuditEntry> SqlAuditLogRepository::list(Transaction& tx,
                                                    const std::optional<std::string>& tenant_id,
                                                    std::int64_t after_sequence, std::size_t limit) {
  const std::string key = chain_key(tenant_id);
  soci::session& sql = soci_session(tx);
  std::vector<AuditEntry> entries;
  if (limit == 0) return entries;
  const std::size_t chunk = std::min(limit, kFetchChunk);
  const long long after = after_sequence;
  const long long max_rows = static_cast<long long>(std::min<std::size_t>(limit, INT64_MAX));

  std::vector<long long> sequences(chunk);
  std::vector<long long> occurred(chunk);
  std::vector<std::string> tenants(chunk);
  std::vector<soci::indicator> tenant_indicators(chunk);
  std::vector<std::string> actors(chunk);
  std::vector<std::string> actions(chunk);
  std::vector<std::string> targets(chunk);
  std::vector<std::string> details(chunk);
  std::vector<std::string> previous_hashes(chunk);
  std::vector<std::string> hashes(chunk);
  soci::statement statement =
      (sql.prepare
           << "SELECT sequence, occurred_at, tenant_id, actor, action, target, details, previous_hash, hash "
              "FROM audit_log WHERE chain_key = :chain_key AND sequence > :after ORDER BY sequence "
              "LIMIT :max_rows",
       soci::into(sequences), soci::into(occurred), soci::into(tenants, tenant_indicators),
       soci::into(actors), soci::into(actions), soci::into(targets), soci::into(details),
       soci::into(previous_hashes), soci::into(hashes), soci::use(key, "chain_key"),
       soci::use(after, "after"), soci::use(max_rows, "max_rows"));
  statement.execute();
  while (statement.fetch()) {
    for (std::size_t i = 0; i < sequences.size(); ++i) {
      AuditEntry& entry = entries.emplace_back();
      entry.sequence = sequences[i];
      entry.occurred_at_unix_ms = occurred[i];
      if (tenant_indicators[i] == soci::i_ok) entry.tenant_id = std::move(tenants[i]);
      entry.actor = std::move(actors[i]);
      entry.action = std::move(actions[i]);
      entry.target = std::move(targets[i]);
      entry.details = std::move(details[i]);
      entry.previous_hash = std::move(previous_hashes[i]);
      entry.hash = std::move(hashes[i]);
    }
    for (auto* column : {&sequences, &occurred}) column->resize(chunk);
    for (auto* column : {&tenants, &actors, &actions, &targets, &details, &previous_hashes, &hashes}) {
      column->resize(chunk);
    }
    tenant_indicators.resize(chunk);
  }
  return entries;
}

}  // namespace personae

#pragma once

#include "ports/audit_log_repository.hpp"

namespace personae {

/// AuditLogRepository over the `audit_log` and `audit_chain_head` tables (migration 0001), for
/// transactions opened by SociDatabase. Stateless and thread-safe.
///
/// append() serialises writers per chain: on PostgreSQL it locks the chain's head row
/// (`SELECT ... FOR UPDATE`, after creating the row if missing); on SQLite the kWrite transaction
/// already holds the database's write lock. An empty tenant id is rejected (kInvalidArgument):
/// the system chain is the absent tenant.
class SqlAuditLogRepository final : public AuditLogRepository {
 public:
  AuditEntry append(Transaction& tx, const NewAuditEntry& entry, std::int64_t occurred_at_unix_ms) override;
  AuditHead head(Transaction& tx, const std::optional<std::string>& tenant_id) override;
  std::vector<AuditEntry> list(Transaction& tx, const std::optional<std::string>& tenant_id,
                               std::int64_t after_sequence, std::size_t limit) override;
};

}  // namespace personae

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/audit/audit_entry.hpp"
#include "ports/database.hpp"

namespace personae {

/// Append-only storage of the audit hash chains (one chain per tenant, plus the system chain).
/// Blocking; throws AppError like Database.
class AuditLogRepository {
 public:
  virtual ~AuditLogRepository() = default;

  /// Appends one entry to the chain of `entry.tenant_id`: reads and locks the chain head, links,
  /// hashes, inserts and moves the head, all in `tx` (which must be a kWrite transaction).
  virtual AuditEntry append(Transaction& tx, const NewAuditEntry& entry,
                            std::int64_t occurred_at_unix_ms) = 0;

  /// The recorded head of a chain ({0, genesis} when it has no entry).
  virtual AuditHead head(Transaction& tx, const std::optional<std::string>& tenant_id) = 0;

  /// Up to `limit` entries with sequence > `after_sequence`, in sequence order.
  virtual std::vector<AuditEntry> list(Transaction& tx, const std::optional<std::string>& tenant_id,
                                       std::int64_t after_sequence, std::size_t limit) = 0;
};

}  // namespace personae

#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "domain/audit/audit_entry.hpp"
#include "ports/audit_log_repository.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"

namespace personae {

/// Records and checks the audit hash chains (one per tenant, plus the system chain when the
/// tenant is absent). Blocking: call it from a worker-pool thread. Thread-safe. Holds references:
/// the database, repository and clock must outlive it.
class AuditLogService {
 public:
  AuditLogService(Database& database, AuditLogRepository& repository, const Clock& clock);

  /// Appends `entry` in its own write transaction and returns the stored link.
  /// Throws AppError(kInvalidArgument) when actor or action is empty or the tenant id is "".
  AuditEntry append(const NewAuditEntry& entry);

  /// Appends inside the caller's transaction (a kWrite one), so that the entry commits or rolls
  /// back with the change it records.
  AuditEntry append(Transaction& tx, const NewAuditEntry& entry);

  /// The recorded head of a chain ({0, genesis} when empty), for publishing or anchoring.
  AuditHead head(const std::optional<std::string>& tenant_id);

  /// Walks a whole chain in pages, in one read transaction (one consistent snapshot), and checks
  /// every link and the recorded head.
  AuditVerification verify(const std::optional<std::string>& tenant_id);

  /// Entries read per page by verify().
  static constexpr std::size_t kVerifyPageSize = 1000;

 private:
  Database& database_;
  AuditLogRepository& repository_;
  const Clock& clock_;
};

}  // namespace personae

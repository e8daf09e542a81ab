#include "services/audit_log_service.hpp"

#include "core/error.hpp"

namespace personae {
namespace {

void validate(const NewAuditEntry& entry) {
  if (entry.actor.empty()) throw AppError(ErrorCode::kInvalidArgument, "an audit entry needs an actor");
  if (entry.action.empty()) throw AppError(ErrorCode::kInvalidArgument, "an audit entry needs an action");
  if (entry.tenant_id.has_value() && entry.tenant_id->empty()) {
    throw AppError(ErrorCode::kInvalidArgument,
                   "an audit tenant id must not be empty (omit it for the system chain)");
  }
}

}  // namespace

AuditLogService::AuditLogService(Database& database, AuditLogRepository& repository, const Clock& clock)
    : database_(database), repository_(repository), clock_(clock) {}

AuditEntry AuditLogService::append(const NewAuditEntry& entry) {
  validate(entry);
  return database_.write(
      [&](Transaction& tx) { return repository_.append(tx, entry, clock_.now_unix_ms()); });
}

AuditEntry AuditLogService::append(Transaction& tx, const NewAuditEntry& entry) {
  validate(entry);
  return repository_.append(tx, entry, clock_.now_unix_ms());
}

AuditHead AuditLogService::head(const std::optional<std::string>& tenant_id) {
  return database_.read([&](Transaction& tx) { return repository_.head(tx, tenant_id); });
}

AuditVerification AuditLogService::verify(const std::optional<std::string>& tenant_id) {
  return database_.read([&](Transaction& tx) {
    const AuditHead recorded = repository_.head(tx, tenant_id);
    AuditChainVerifier verifier;
    std::int64_t after = 0;
    while (true) {
      const std::vector<AuditEntry> page = repository_.list(tx, tenant_id, after, kVerifyPageSize);
      if (page.empty() || !verifier.feed(page)) break;
      after = page.back().sequence;
      if (page.size() < kVerifyPageSize) break;
    }
    return verifier.finish(recorded);
  });
}

}  // namespace personae

#include "services/readiness_service.hpp"

#include "core/error.hpp"
#include "observability/log.hpp"

namespace personae {

std::string ReadinessReport::reason() const {
  for (const auto& check : checks) {
    if (!check.ok) return check.name + ": " + check.detail;
  }
  return {};
}

ReadinessService::ReadinessService(Database& database, SchemaMigrator& migrator,
                                   std::function<bool()> draining, BlobStore* blobs)
    : database_(database), migrator_(migrator), draining_(std::move(draining)), blobs_(blobs) {}

ReadinessReport ReadinessService::check() {
  ReadinessReport report;
  if (draining_ && draining_()) {
    report.checks.push_back({"server", false, "shutting down"});
    return report;
  }
  try {
    database_.ping();
    report.checks.push_back({"database", true, "reachable"});
  } catch (const AppError& error) {
    log::warn("readiness: database check failed",
              {{"error", error.error().message}, {"detail", error.error().detail}});
    report.checks.push_back({"database", false, "unreachable"});
    return report;
  }
  try {
    const auto status = migrator_.status();
    if (const auto problem = status.problem()) {
      report.checks.push_back({"schema", false, *problem});
      return report;
    }
    report.checks.push_back({"schema", true, "version " + std::to_string(status.current_version)});
  } catch (const AppError& error) {
    log::warn("readiness: schema check failed",
              {{"error", error.error().message}, {"detail", error.error().detail}});
    report.checks.push_back({"schema", false, "cannot read the schema version"});
    return report;
  }
  if (blobs_ != nullptr) {
    try {
      blobs_->check();
      report.checks.push_back({"blobs", true, std::string(blobs_->kind()) + " store usable"});
    } catch (const AppError& error) {
      log::warn("readiness: blob store check failed",
                {{"error", error.error().message}, {"detail", error.error().detail}});
      report.checks.push_back({"blobs", false, std::string(blobs_->kind()) + " store unavailable"});
      return report;
    }
  }
  report.ready = true;
  return report;
}

}  // namespace personae

// The commands that administer a database without serving: migrate, audit verify, config check,
// worker.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "adapters/db/database_url.hpp"
#include "app/commands.hpp"
#include "app/instance_lock.hpp"
#include "app/signals.hpp"
#include "app/storage.hpp"
#include "core/error.hpp"
#include "core/utc_time.hpp"
#include "observability/log.hpp"
#include "services/readiness_service.hpp"

namespace personae {
namespace {

std::string_view state_name(MigrationState state) {
  switch (state) {
    case MigrationState::kApplied: return "applied";
    case MigrationState::kPending: return "pending";
    case MigrationState::kChanged: return "CHANGED";
    case MigrationState::kUnknown: return "UNKNOWN";
  }
  return "?";
}

void print_status(const SchemaStatus& status, const std::string& database) {
  std::cout << "database " << database << ": schema version " << status.current_version << " of "
            << status.latest_version << "\n";
  for (const auto& migration : status.migrations) {
    std::cout << "  " << std::setw(4) << std::setfill('0') << migration.version << std::setfill(' ') << "_"
              << std::left << std::setw(32) << migration.name << std::right << " " << std::setw(8)
              << state_name(migration.state);
    if (migration.applied_at_unix_ms)
      std::cout << "  " << format_utc(*migration.applied_at_unix_ms, "%Y-%m-%d %H:%M:%SZ");
    std::cout << "\n";
  }
  if (const auto problem = status.problem()) std::cout << problem.value() << "\n";
}

std::string step_label(const MigrationStep& step) {
  std::ostringstream out;
  out << std::setw(4) << std::setfill('0') << step.version << "_" << step.name;
  return out.str();
}

}  // namespace

int migrate_command(const Config& config, std::optional<int> target, bool status_only) {
  SystemClock clock;
  Storage storage = open_storage(config, clock);
  if (status_only) {
    print_status(storage.migrator->status(), storage.database->redacted_url());
    return kExitOk;
  }
  const auto steps = storage.migrator->migrate(target);
  if (steps.empty()) {
    std::cout << "database " << storage.database->redacted_url() << " is already up to date (schema version "
              << storage.migrator->status().current_version << ")\n";
  }
  for (const auto& step : steps) {
    std::cout << (step.up ? "applied " : "rolled back ") << step_label(step) << "\n";
  }
  storage.database->close();
  return kExitOk;
}

int audit_verify_command(const Config& config, const std::optional<std::string>& tenant_id) {
  SystemClock clock;
  Storage storage = open_storage(config, clock);
  const auto result = storage.audit->verify(tenant_id);
  const std::string chain = tenant_id ? "tenant " + *tenant_id : "system";
  if (result.intact) {
    std::cout << "audit chain " << chain << " is intact: " << result.entries_checked << " entries verified\n";
    return kExitOk;
  }
  std::cout << "audit chain " << chain << " is BROKEN";
  if (result.first_bad_sequence) std::cout << " at sequence " << *result.first_bad_sequence;
  std::cout << ": " << result.problem << " (" << result.entries_checked << " entries checked)\n";
  log::error("audit chain broken", {{"chain", chain}, {"problem", result.problem}});
  return kExitFailure;
}

int config_check_command(const Config& config) {
  // load_config() has validated everything, the database URL included.
  std::cout << "configuration is valid";
  if (!config.source_file.empty()) std::cout << " (file " << config.source_file << ")";
  std::cout << "; database " << DatabaseUrl::parse(config.database.url).redacted() << "\n";
  return kExitOk;
}

}  // namespace personae

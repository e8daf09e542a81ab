#include "adapters/db/sql_migrator.hpp"

#include <soci/soci.h>

#include <map>

#include "adapters/db/soci_transaction.hpp"
#include "core/error.hpp"
#include "observability/log.hpp"

namespace personae {
namespace {

// pg_advisory_xact_lock key shared by every Personae migrator: "personae" in ASCII.
constexpr long long kMigrationLockKey = 0x706572736f6e6165LL;

struct AppliedMigration {
  std::string name;
  std::string checksum;
  std::int64_t applied_at_unix_ms = 0;
};

bool table_exists(Transaction& tx, const std::string& table) {
  soci::session& sql = soci_session(tx);
  int count = 0;
  if (tx.dialect() == Dialect::kSqlite) {
    sql << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = :name", soci::into(count),
        soci::use(table, "name");
  } else {
    sql << "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = "
           ":name",
        soci::into(count), soci::use(table, "name");
  }
  return count > 0;
}

std::map<int, AppliedMigration> read_applied(Transaction& tx) {
  std::map<int, AppliedMigration> applied;
  if (!table_exists(tx, "schema_migrations")) return applied;
  soci::session& sql = soci_session(tx);
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT version, name, checksum, applied_at FROM schema_migrations");
  for (const soci::row& row : rows) {
    // Column types differ between drivers (INTEGER vs int4/int8): read them as text-free numbers.
    const auto number = [&](std::size_t column) -> std::int64_t {
      switch (row.get_properties(column).get_data_type()) {
        case soci::dt_integer: return row.get<int>(column);
        case soci::dt_long_long: return row.get<long long>(column);
        case soci::dt_unsigned_long_long:
          return static_cast<std::int64_t>(row.get<unsigned long long>(column));
        case soci::dt_double: return static_cast<std::int64_t>(row.get<double>(column));
        default: return std::stoll(row.get<std::string>(column));
      }
    };
    applied[static_cast<int>(number(0))] =
        AppliedMigration{row.get<std::string>(1), row.get<std::string>(2), number(3)};
  }
  return applied;
}

std::string version_label(int version, const std::string& name) {
  Migration migration;
  migration.version = version;
  migration.name = name;
  return migration.label();
}

// Refuses a recorded migration that this binary does not know or whose file changed.
void check_recorded(const std::vector<Migration>& migrations,
                    const std::map<int, AppliedMigration>& applied) {
  for (const auto& [version, record] : applied) {
    if (version < 1 || version > static_cast<int>(migrations.size())) {
      throw AppError(ErrorCode::kFailedPrecondition,
                     "the database has migration " + version_label(version, record.name) +
                         ", which this binary does not know (it was applied by a newer version of Personae)");
    }
    const Migration& migration = migrations[version - 1];
    if (migration.checksum != record.checksum) {
      throw AppError(ErrorCode::kFailedPrecondition,
                     "migration " + migration.label() + " was changed after it was applied (checksum " +
                         record.checksum.substr(0, 12) + " recorded, " + migration.checksum.substr(0, 12) +
                         " in this binary)");
    }
  }
}

}  // namespace

SqlMigrator::SqlMigrator(Database& database, const Clock& clock, std::span<const EmbeddedFile> files)
    : database_(database), clock_(clock), migrations_(parse_migration_files(files, database.dialect())) {}

SchemaStatus SqlMigrator::status() {
  const std::map<int, AppliedMigration> applied =
      database_.read([](Transaction& tx) { return read_applied(tx); });
  SchemaStatus status;
  status.latest_version = static_cast<int>(migrations_.size());
  for (const Migration& migration : migrations_) {
    MigrationStatus& item = status.migrations.emplace_back();
    item.version = migration.version;
    item.name = migration.name;
    item.checksum = migration.checksum;
    const auto record = applied.find(migration.version);
    if (record == applied.end()) {
      item.state = MigrationState::kPending;
    } else {
      item.state =
          record->second.checksum == migration.checksum ? MigrationState::kApplied : MigrationState::kChanged;
      item.applied_at_unix_ms = record->second.applied_at_unix_ms;
      status.current_version = std::max(status.current_version, migration.version);
    }
  }
  for (const auto& [version, record] : applied) {
    if (version >= 1 && version <= status.latest_version) continue;
    MigrationStatus& item = status.migrations.emplace_back();
    item.version = version;
    item.name = record.name;
    item.state = MigrationState::kUnknown;
    item.applied_at_unix_ms = record.applied_at_unix_ms;
    status.current_version = std::max(status.current_version, version);
  }
  return status;
}

std::vector<MigrationStep> SqlMigrator::migrate(std::optional<int> target) {
  const int latest = static_cast<int>(migrations_.size());
  const int goal = target.value_or(latest);
  if (goal < 0 || goal > latest) {
    throw AppError(
        ErrorCode::kInvalidArgument,
        "no migration " + std::to_string(goal) + " (versions run from 0 to " + std::to_string(latest) + ")");
  }
  std::vector<MigrationStep> steps;
  while (true) {
    const std::optional<MigrationStep> step = database_.write([&](Transaction& tx)
                                                                  -> std::optional<MigrationStep> {
      soci::session& sql = soci_session(tx);
      if (tx.dialect() == Dialect::kPostgresql) {
        sql << "SELECT pg_advisory_xact_lock(:key)", soci::use(kMigrationLockKey, "key");
      }
      // Under the lock: what another migrator did before us is visible now.
      const std::map<int, AppliedMigration> applied = read_applied(tx);
      check_recorded(migrations_, applied);

      const Migration* migration = nullptr;
      bool up = true;
      if (!applied.empty() && applied.rbegin()->first > goal) {
        migration = &migrations_[applied.rbegin()->first - 1];
        up = false;
      } else {
        for (const Migration& candidate : migrations_) {
          if (candidate.version > goal) break;
          if (!applied.contains(candidate.version)) {
            migration = &candidate;
            break;
          }
        }
      }
      if (migration == nullptr) return std::nullopt;

      const std::int64_t now = clock_.now_unix_ms();
      sql << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
             "checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)";
      execute_script(tx, up ? migration->up_sql : migration->down_sql);
      const int version = migration->version;
      if (up) {
        const long long applied_at = now;
        sql << "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
               "VALUES (:version, :name, :checksum, :applied_at)",
            soci::use(version, "version"), soci::use(migration->name, "name"),
            soci::use(migration->checksum, "checksum"), soci::use(applied_at, "applied_at");
      } else {
        sql << "DELETE FROM schema_migrations WHERE version = :version", soci::use(version, "version");
      }
      if (table_exists(tx, "audit_log")) {
        NewAuditEntry entry;
        entry.actor = "system";
        entry.action = up ? "schema.migrated" : "schema.rolled_back";
        entry.target = "schema:" + std::to_string(version);
        entry.details = "{\"migration\":\"" + migration->label() + "\"}";
        audit_.append(tx, entry, now);
      }
      return MigrationStep{version, migration->name, up};
    });
    if (!step.has_value()) break;
    log::info(step->up ? "schema migrated" : "schema rolled back",
              {{"version", step->version}, {"name", step->name}});
    steps.push_back(*step);
  }
  return steps;
}

}  // namespace personae

#pragma once

#include <span>
#include <vector>

#include "adapters/db/migration_files.hpp"
#include "adapters/db/sql_audit_log_repository.hpp"
#include "core/embedded_file.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"
#include "ports/schema_migrator.hpp"

namespace personae {

/// SchemaMigrator over the SQL files compiled into the binary (db_migration_files()), for the
/// database's dialect. Versions and checksums are recorded in `schema_migrations`, created on
/// first use.
///
/// Each step (one migration up or down) runs in its own kWrite transaction together with its
/// `schema_migrations` row and, when the audit tables exist after the step, an entry on the system
/// audit chain ("schema.migrated" / "schema.rolled_back", target "schema:<version>"). Every step
/// first takes the migration lock (PostgreSQL `pg_advisory_xact_lock`; SQLite `BEGIN IMMEDIATE`)
/// and re-reads the recorded state under it, so that concurrent migrators (other processes
/// included) never apply a migration twice. Every step also refuses, before changing anything, a
/// recorded migration whose file changed or that this binary does not know (kFailedPrecondition).
/// Blocking; not meant to be called concurrently on one object (separate objects may).
class SqlMigrator final : public SchemaMigrator {
 public:
  /// Throws AppError(kInternal) when `files` are malformed (see parse_migration_files).
  SqlMigrator(Database& database, const Clock& clock,
              std::span<const EmbeddedFile> files = db_migration_files());

  SchemaStatus status() override;
  /// Throws AppError(kInvalidArgument) when `target` is negative or beyond the latest version.
  std::vector<MigrationStep> migrate(std::optional<int> target) override;

  /// The migrations this binary carries for the database's dialect, in version order.
  const std::vector<Migration>& migrations() const { return migrations_; }

 private:
  Database& database_;
  const Clock& clock_;
  std::vector<Migration> migrations_;
  SqlAuditLogRepository audit_;
};

}  // namespace personae

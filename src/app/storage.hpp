#pragma once

#include <memory>

#include "adapters/db/soci_database.hpp"
#include "adapters/db/sql_audit_log_repository.hpp"
#include "adapters/db/sql_migrator.hpp"
#include "app/config.hpp"
#include "ports/clock.hpp"
#include "services/audit_log_service.hpp"

namespace personae {

/// The database and what sits directly on it, built from the configuration. Owned by the command
/// that opened it; everything else borrows references.
struct Storage {
  std::unique_ptr<SociDatabase> database;
  std::unique_ptr<SqlAuditLogRepository> audit_repository;
  std::unique_ptr<AuditLogService> audit;
  std::unique_ptr<SqlMigrator> migrator;
};

/// The connection settings of `config.database`.
SociDatabaseOptions database_options(const Config& config);

/// Connects (failing fast with AppError kUnavailable when the database is unreachable). Throws
/// ConfigError for a malformed database URL.
/// `application_name` is what PostgreSQL shows for the connections (restore counts the "personae"
/// ones: serve and worker).
Storage open_storage(const Config& config, const Clock& clock,
                     const std::string& application_name = "personae");

/// Brings the schema up to date when database.auto_migrate allows it (the default on SQLite);
/// otherwise only logs what is missing (serve then answers /ready with 503 until an operator
/// runs `personae migrate`, the usual way with PostgreSQL).
void prepare_schema(const Config& config, Storage& storage);

/// prepare_schema(), then AppError(kFailedPrecondition) naming the problem if the schema is
/// still not what this binary expects (for commands that need the tables).
void require_current_schema(const Config& config, Storage& storage);

}  // namespace personae

#include "app/storage.hpp"

#include "core/error.hpp"
#include "observability/log.hpp"

namespace personae {

SociDatabaseOptions database_options(const Config& config) {
  SociDatabaseOptions options;
  options.url = config.database.url;
  if (!config.database.password.empty()) options.password = config.database.password.reveal();
  options.pool_size = static_cast<std::size_t>(config.database.pool_size);
  options.acquire_timeout = config.database.acquire_timeout;
  options.sqlite_busy_timeout = config.database.busy_timeout;
  options.connect_timeout = config.database.connect_timeout;
  return options;
}

Storage open_storage(const Config& config, const Clock& clock, const std::string& application_name) {
  Storage storage;
  try {
    auto options = database_options(config);
    options.application_name = application_name;
    storage.database = std::make_unique<SociDatabase>(options);
  } catch (const ConfigError& error) {
    throw ConfigError(std::string("database.url: ") + error.what());
  }
  storage.audit_repository = std::make_unique<SqlAuditLogRepository>();
  storage.audit = std::make_unique<AuditLogService>(*storage.database, *storage.audit_repository, clock);
  storage.migrator = std::make_unique<SqlMigrator>(*storage.database, clock);
  return storage;
}

void prepare_schema(const Config& config, Storage& storage) {
  const bool auto_migrate =
      config.database.auto_migrate.value_or(storage.database->dialect() == Dialect::kSqlite);
  if (auto_migrate) {
    for (const auto& step : storage.migrator->migrate(std::nullopt)) {
      log::info("migration applied", {{"version", step.version}, {"name", step.name}});
    }
    return;
  }
  if (const auto problem = storage.migrator->status().problem()) {
    log::warn("database schema is not current; /ready answers 503 until `personae migrate` runs",
              {{"problem", *problem}});
  }
}

void require_current_schema(const Config& config, Storage& storage) {
  prepare_schema(config, storage);
  if (const auto problem = storage.migrator->status().problem()) {
    throw AppError(ErrorCode::kFailedPrecondition, "the database schema is not current: " + *problem);
  }
}

}  // namespace personae

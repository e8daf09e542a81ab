// `personae serve`: the composition root of the HTTP role. Everything is built here, once, from the
// configuration, and torn down in reverse order on SIGTERM/SIGINT.
#include <algorithm>
#include <iostream>
#include <thread>

#include "app/build_info.hpp"
#include "app/commands.hpp"
#include "app/routes.hpp"
#include "app/signals.hpp"
#include "app/storage.hpp"
#include "core/error.hpp"
#include "http/http_service.hpp"
#include "http/server.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "services/readiness_service.hpp"

namespace personae {
namespace {

/// Brings the schema up to date when allowed; otherwise only reports what is missing (/ready
/// answers 503 until an operator runs `personae migrate`, the usual way with PostgreSQL).
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

void register_database_metrics(observability::MetricsRegistry& metrics, Database& database) {
  auto& connections = metrics.callback_gauge("personae_db_pool_connections",
                                             "Pooled database connections by state.", {"state"});
  connections.set({"in_use"}, [&database] { return static_cast<double>(database.pool_stats().in_use); });
  connections.set({"open"}, [&database] { return static_cast<double>(database.pool_stats().size); });
  metrics.callback_gauge("personae_db_pool_waiting", "Callers waiting for a database connection.")
      .set({}, [&database] { return static_cast<double>(database.pool_stats().waiting); });
  metrics
      .callback_gauge("personae_db_pool_acquire_timeouts_total",
                      "Callers that gave up waiting for a database connection (counter).")
      .set({}, [&database] { return static_cast<double>(database.pool_stats().timeouts_total); });
}

void register_build_metrics(observability::MetricsRegistry& metrics) {
  metrics
      .gauge("personae_build_info", "Build information; the value is always 1.",
             {"version", "commit", "compiler"})
      .labels({kBuildInfo.version, kBuildInfo.commit, kBuildInfo.compiler})
      .set(1);
}

http::ServerOptions server_options(const ServerConfig& config) {
  http::ServerOptions options;
  options.host = config.host;
  options.port = static_cast<std::uint16_t>(config.port);
  options.io_threads = config.io_threads > 0
                           ? config.io_threads
                           : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.worker_threads = config.worker_threads;
  options.max_pending_blocking = config.max_pending_requests;
  options.max_connections = config.max_connections;
  options.max_body_bytes = config.max_body_bytes;
  options.max_header_bytes = config.max_header_bytes;
  options.header_timeout = config.header_timeout;
  options.body_timeout = config.body_timeout;
  options.idle_timeout = config.idle_timeout;
  options.write_timeout = config.write_timeout;
  options.shutdown_timeout = config.shutdown_timeout;
  return options;
}

http::HttpServiceOptions service_options(const ServerConfig& config) {
  http::HttpServiceOptions options;
  options.service_version = std::string(kBuildInfo.version);
  options.cors_allowed_origins = config.cors_allowed_origins;
  options.cors_allow_credentials = config.cors_allow_credentials;
  options.hsts = config.hsts;
  return options;
}

}  // namespace

int serve_command(const Config& config, ShutdownSignals& signals) {
  const auto started = std::chrono::steady_clock::now();
  SystemClock clock;
  Storage storage = open_storage(config, clock);
  prepare_schema(config, storage);

  observability::MetricsRegistry metrics;
  register_database_metrics(metrics, *storage.database);
  register_build_metrics(metrics);

  http::Router router;
  http::HttpService service(router, metrics, service_options(config.server));
  ReadinessService readiness(*storage.database, *storage.migrator, [&service] { return service.draining(); });
  register_routes(router, {kBuildInfo, readiness, *storage.audit, [&metrics] { return metrics.render(); },
                           config.metrics.token.reveal(), openapi_document()});
  http::Server server(server_options(config.server), service);
  try {
    server.start();
  } catch (const std::exception& error) {
    throw AppError(ErrorCode::kUnavailable, error.what());
  }

  const auto host =
      config.server.host.find(':') != std::string::npos ? "[" + config.server.host + "]" : config.server.host;
  const std::string url = "http://" + host + ":" + std::to_string(server.port());
  const auto startup_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
          .count();
  log::info("listening", {{"url", url},
                          {"database", storage.database->redacted_url()},
                          {"version", kBuildInfo.version},
                          {"startup_ms", startup_ms}});
  std::cout << "Personae " << kBuildInfo.version << " is listening on " << url << " (database "
            << storage.database->redacted_url() << ").\nPress Ctrl+C (or send SIGTERM) to stop." << std::endl;

  const int received = signals.wait();
  log::info("shutting down", {{"signal", signal_name(received)},
                              {"shutdown_timeout_ms", config.server.shutdown_timeout.count()}});
  server.shutdown();
  storage.database->close();
  log::info("stopped");
  return kExitOk;
}

}  // namespace personae

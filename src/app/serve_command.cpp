// `personae serve` and `personae worker`: the composition roots of the long-running roles. Everything
// is built here, once, from the configuration, and torn down in reverse order on SIGTERM/SIGINT.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <thread>

#include "app/accounts_wiring.hpp"
#include "app/build_info.hpp"
#include "app/commands.hpp"
#include "app/content_wiring.hpp"
#include "app/instance_lock.hpp"
#include "app/routes.hpp"
#include "app/signals.hpp"
#include "app/storage.hpp"
#include "app/vault_wiring.hpp"
#include "core/error.hpp"
#include "http/http_service.hpp"
#include "http/server.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "services/readiness_service.hpp"

namespace personae {
namespace {

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

/// On an installation without any user there is no default account: print a one-time link whose
/// holder creates the first tenant and its owner. The token is in the fragment, which browsers do
/// not send to servers, so it never lands in an access log.
void print_setup_link_if_needed(Accounts& accounts, const std::string& url, std::chrono::milliseconds ttl) {
  const auto required = accounts.setup->setup_required();
  if (!required || !*required) return;
  const auto token = accounts.setup->issue_setup_token();
  if (!token) {
    log::warn("cannot issue a setup link", {{"error", token.error().message}});
    return;
  }
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(ttl).count();
  std::cout << "\nNo account exists yet. Create the first one (single use, valid " << minutes
            << " minutes):\n  " << url << "/setup#token=" << *token
            << "\nor, without a browser:\n  curl -X POST " << url
            << "/api/v1/setup -H 'Content-Type: application/json' -d '{\"token\":\"" << *token
            << "\",\"tenant_name\":\"My agency\",\"email\":\"you@example.com\",\"password\":\"...\"}'\n"
            << "(or: personae user create --tenant NAME --email EMAIL --role owner)\n"
            << std::endl;
  log::info("first-run setup link printed on standard output", {{"valid_minutes", minutes}});
}

http::ServerOptions server_options(const Config& root) {
  const ServerConfig& config = root.server;
  http::ServerOptions options;
  // Uploads arrive here before a handler takes them; a crash's leftovers are removed at start.
  options.spool_directory = std::filesystem::path(root.data_dir) / "tmp" / "uploads";
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

// The dashboard when it is built, else a page that says how to build it: the API works either way.
std::shared_ptr<const http::StaticSite> dashboard(const std::string& folder) {
  try {
    auto site = http::StaticSite::load(folder);
    log::info("dashboard",
              {{"folder", folder}, {"files", site->file_count()}, {"bytes", site->total_bytes()}});
    return site;
  } catch (const std::runtime_error& error) {
    log::warn("dashboard not served", {{"reason", error.what()}});
    return http::StaticSite::placeholder();
  }
}

// Without the dashboard: a worker serves only its probes and metrics.
http::HttpServiceOptions service_options(const ServerConfig& config) {
  http::HttpServiceOptions options;
  options.service_version = std::string(kBuildInfo.version);
  options.cors_allowed_headers.emplace_back(http::auth::kCsrfHeader);
  options.cors_allowed_origins = config.cors_allowed_origins;
  options.cors_allow_credentials = config.cors_allow_credentials;
  options.hsts = config.hsts;
  return options;
}

}  // namespace

int serve_command(const Config& config, ShutdownSignals& signals) {
  const auto started = std::chrono::steady_clock::now();
  const auto instance = hold_instance_lock(config);
  SystemClock clock;
  Storage storage = open_storage(config, clock);
  prepare_schema(config, storage);

  observability::MetricsRegistry metrics;
  auto accounts = build_accounts(config, storage, clock, &metrics);
  register_database_metrics(metrics, *storage.database);
  register_build_metrics(metrics);

  http::Router router;
  auto options = service_options(config.server);
  options.site = dashboard(config.server.dashboard_dir);
  http::HttpService service(router, metrics, options);

  const http::auth::RequestAuthenticator request_authenticator(
      bearer_verifier(*accounts->authenticator, *accounts->rate_limiter, accounts->options),
      http::auth::CookieSettings{.secure = config.auth.cookie_secure});
  const AccountRouteDependencies account_routes{*accounts->auth, *accounts->second_factor, *accounts->team,
                                                *accounts->setup, request_authenticator};
  auto vault = build_vault(config, storage, clock);
  ReadinessService readiness(
      *storage.database, *storage.migrator, [&service] { return service.draining(); }, vault->blobs.get());
  const VaultRouteDependencies vault_routes{*vault->personas, *vault->media, upload_policy(config.media)};
  auto content = build_content(config, storage, *vault, clock, &metrics);
  const ContentRouteDependencies content_routes{*content->caption_service, *content->job_service,
                                                content->gateway.get()};
  register_routes(router, {kBuildInfo, readiness, *storage.audit, [&metrics] { return metrics.render(); },
                           config.metrics.token.reveal(), openapi_document(), &account_routes, &vault_routes,
                           &content_routes});
  http::Server server(server_options(config), service);
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
  print_setup_link_if_needed(*accounts, url, config.auth.setup_token_ttl);

  if (config.jobs.in_process) start_job_runner(*content, config, storage, clock, &metrics);

  const int received = signals.wait();
  log::info("shutting down", {{"signal", signal_name(received)},
                              {"shutdown_timeout_ms", config.server.shutdown_timeout.count()}});
  server.shutdown();
  // Running jobs get the shutdown grace, then go back to the queue for another worker.
  if (content->runner) content->runner->stop();
  storage.database->close();
  log::info("stopped");
  return kExitOk;
}

int worker_command(const Config& config, ShutdownSignals& signals) {
  const auto instance = hold_instance_lock(config);
  SystemClock clock;
  Storage storage = open_storage(config, clock);
  ReadinessService readiness(*storage.database, *storage.migrator, nullptr);
  if (const auto report = readiness.check(); !report.ready) {
    throw AppError(ErrorCode::kFailedPrecondition, "the database is not ready for workers (" +
                                                       report.reason() + "); run `personae migrate` first");
  }
  observability::MetricsRegistry metrics;
  register_database_metrics(metrics, *storage.database);
  register_build_metrics(metrics);
  auto vault = build_vault(config, storage, clock);
  auto content = build_content(config, storage, *vault, clock, &metrics);

  // Only the probes and /metrics: orchestrators check workers and Prometheus scrapes each replica.
  http::Router router;
  http::HttpService service(router, metrics, service_options(config.server));
  register_operational_routes(
      router, readiness, [&metrics] { return metrics.render(); }, config.metrics.token.reveal());
  http::Server server(server_options(config), service);
  try {
    server.start();
  } catch (const std::exception& error) {
    throw AppError(ErrorCode::kUnavailable, error.what());
  }
  start_job_runner(*content, config, storage, clock, &metrics);
  log::info("worker ready", {{"database", storage.database->redacted_url()},
                             {"probes", config.server.host + ":" + std::to_string(server.port())},
                             {"llm_providers", static_cast<std::int64_t>(content->providers.size())}});

  const int received = signals.wait();
  log::info("shutting down", {{"signal", signal_name(received)}});
  // Running jobs get the shutdown grace, then go back to the queue for another worker.
  content->runner->stop();
  server.shutdown();
  storage.database->close();
  log::info("stopped");
  return kExitOk;
}

}  // namespace personae

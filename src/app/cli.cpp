#include "app/cli.hpp"

#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "app/backup_commands.hpp"
#include "app/build_info.hpp"
#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/signals.hpp"
#include "core/error.hpp"
#include "observability/log.hpp"

namespace personae {
namespace {

/// Options every subcommand accepts; they override the config file and the environment.
struct CommonOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> listen;
  std::optional<std::string> data_dir;
  std::optional<std::string> database_url;
  std::optional<std::string> log_level;
  std::optional<std::string> log_format;

  ConfigSources sources() const {
    ConfigSources sources;
    sources.file = config_file;
    sources.environment = personae_environment();
    auto add = [&](const char* path, const std::optional<std::string>& value) {
      if (value) sources.overrides[path] = *value;
    };
    add("server.listen", listen);
    add("data_dir", data_dir);
    add("database.url", database_url);
    add("logging.level", log_level);
    add("logging.format", log_format);
    return sources;
  }
};

void add_common_options(CLI::App& app, CommonOptions& options) {
  app.add_option("--config", options.config_file,
                 "TOML configuration file (default: ./personae.toml when present; env PERSONAE_CONFIG)")
      ->type_name("FILE");
  app.add_option("--listen", options.listen,
                 "HOST:PORT to listen on (default 127.0.0.1:8080; env PERSONAE_LISTEN)")
      ->type_name("HOST:PORT");
  app.add_option("--data-dir", options.data_dir,
                 "folder for the embedded database and local files (default ./var; env PERSONAE_DATA_DIR)")
      ->type_name("DIR");
  app.add_option(
         "--database-url", options.database_url,
         "sqlite:///path.db or postgresql://user@host:port/db (default sqlite://<data-dir>/personae.db; "
         "env PERSONAE_DATABASE_URL)")
      ->type_name("URL");
  app.add_option("--log-level", options.log_level, "debug, info, warn or error (env PERSONAE_LOGGING_LEVEL)")
      ->type_name("LEVEL");
  app.add_option("--log-format", options.log_format, "json or text (env PERSONAE_LOGGING_FORMAT)")
      ->type_name("FORMAT");
}

Config load(const CommonOptions& options) {
  Config config = load_config(options.sources());
  log::configure(config.logging.level, config.logging.format);
  return config;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{
      "Personae: operations platform for AI virtual creators.\n"
      "Run `personae serve` to start; `personae <command> --help` explains each command.",
      "personae"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "show help for every command");
  CommonOptions common;
  add_common_options(app, common);

  auto* serve = app.add_subcommand(
      "serve",
      "Start the HTTP API, the dashboard and (with jobs.in_process, the default) the job workers.\n"
      "Applies pending migrations first when database.auto_migrate is true (the default on SQLite).\n"
      "Stops gracefully on SIGTERM or Ctrl+C: in-flight requests finish within server.shutdown_timeout.");

  auto* worker = app.add_subcommand(
      "worker",
      "Run only background workers (the job queue's consumers), for scaling out next to `serve` on one\n"
      "PostgreSQL database: any number of them. Serves only /health, /ready and /metrics on --listen.\n"
      "Refuses a database whose schema is not current. On SIGTERM, running jobs get "
      "server.shutdown_timeout,\n"
      "then go back to the queue.");

  std::optional<int> migrate_to;
  bool migrate_status = false;
  auto* migrate = app.add_subcommand(
      "migrate",
      "Apply the database migrations compiled into this binary (all pending ones by default).\n"
      "Refuses to run when an applied migration was changed or the database is newer than this binary.");
  migrate->add_option("--to", migrate_to, "migrate up or down to this version (0 removes every table)")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  migrate->add_flag("--status", migrate_status, "list migrations and their state; change nothing");

  auto* config_command = app.add_subcommand("config", "Inspect the configuration.");
  config_command->require_subcommand(1);
  auto* config_check = config_command->add_subcommand(
      "check",
      "Validate the configuration (file, environment, options) without starting; exit 2 if invalid.");
  auto* config_show =
      config_command->add_subcommand("show", "Print the effective configuration as TOML, secrets masked.");
  auto* config_keys = config_command->add_subcommand("keys", "List every key, its variable and its meaning.");

  auto* version = app.add_subcommand("version", "Print the version and build information.");

  std::optional<std::string> audit_tenant;
  auto* audit = app.add_subcommand("audit", "Work with the tamper-evident audit log.");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand(
      "verify",
      "Recompute the hash chain and report the first edited, deleted or reordered entry; exit 1 if broken.");
  audit_verify->add_option("--tenant", audit_tenant, "verify this tenant's chain instead of the system chain")
      ->type_name("ID");

  BackupOptions backup_options;
  auto* backup = app.add_subcommand(
      "backup",
      "Write one archive with the database (a consistent snapshot, taken while Personae runs) and the\n"
      "media it refers to. Keys are left out unless --include-secrets: keep secrets.master_key_file safe\n"
      "separately, since the database's sealed secrets open only with it.");
  backup
      ->add_option("--output,-o", backup_options.output,
                   "the archive to write (default <data-dir>/backups/personae-<UTC time>.tar.gz)")
      ->type_name("FILE");
  backup->add_flag(
      "--include-secrets", backup_options.include_secrets,
      "also store the master key and the token-signing keys (the archive is then as secret as they are)");
  backup->add_flag("--include-blobs", backup_options.include_blobs,
                   "also copy media from an S3 blob store into the archive (local media always are)");

  RestoreOptions restore_options;
  auto* restore = app.add_subcommand(
      "restore",
      "Replace the database (and add the media) with a backup's. Stop serve and workers first. The whole\n"
      "archive is checked before anything changes; the database it replaces is kept aside.");
  restore->add_option("--input,-i", restore_options.input, "the archive written by `personae backup`")
      ->required()
      ->type_name("FILE");
  restore->add_flag("--yes,-y", restore_options.assume_yes, "do not ask for confirmation");

  std::string demo_email = "demo@personae.example";
  auto* demo = app.add_subcommand(
      "demo",
      "Fill an empty installation with demo data: the tenant \"Demo Agency\", its owner (a password is\n"
      "printed once), two fictional personas and pictures drawn for their vault.");
  demo->add_option("--email", demo_email, "the demo owner's e-mail address (default demo@personae.example)")
      ->type_name("EMAIL");

  auto* tenant = app.add_subcommand("tenant", "Create and list tenants (agencies).");
  tenant->require_subcommand(1);
  std::string tenant_name;
  auto* tenant_create = tenant->add_subcommand("create", "Create a tenant.");
  tenant_create->add_option("--name", tenant_name, "the tenant's name (unique)")
      ->required()
      ->type_name("NAME");
  auto* tenant_list = tenant->add_subcommand("list", "List every tenant.");

  auto* user = app.add_subcommand("user", "Create users and switch them off. There is no default account.");
  user->require_subcommand(1);
  std::string user_tenant;
  std::string user_email;
  std::string user_role;
  std::string user_display_name;
  auto* user_create = user->add_subcommand(
      "create",
      "Create a user (or add an existing one) as a member of a tenant.\n"
      "The password is read from standard input, never from the command line:\n"
      "  personae user create --tenant Acme --email ana@example.com --role owner < password.txt");
  user_create->add_option("--tenant", user_tenant, "the tenant's name")->required()->type_name("NAME");
  user_create->add_option("--email", user_email, "the user's e-mail address")->required()->type_name("EMAIL");
  user_create->add_option("--role", user_role, "owner, admin, manager, chatter or viewer")
      ->required()
      ->type_name("ROLE");
  user_create->add_option("--display-name", user_display_name, "the name shown in the dashboard")
      ->type_name("NAME");
  auto* user_disable =
      user->add_subcommand("disable", "Disable a user everywhere; every session ends at once.");
  user_disable->add_option("--email", user_email, "the user's e-mail address")
      ->required()
      ->type_name("EMAIL");
  auto* user_enable = user->add_subcommand("enable", "Enable a disabled user again.");
  user_enable->add_option("--email", user_email, "the user's e-mail address")->required()->type_name("EMAIL");

  auto* llm = app.add_subcommand("llm", "Language-model providers ([[llm.providers]]).");
  llm->require_subcommand(1);
  bool llm_json = false;
  auto* llm_status = llm->add_subcommand(
      "status",
      "Each configured provider in fallback order: reachable or why not, its models (and which are\n"
      "loaded). Exit status 1 when none is configured or one does not answer.");
  llm_status->add_flag("--json", llm_json, "print the same JSON as GET /api/v1/llm/models");

  // Every command that reads the configuration takes the common options (shown in its --help).
  for (auto* command :
       {serve, worker, migrate, config_check, config_show, audit_verify, backup, restore, llm_status, demo,
        tenant_create, tenant_list, user_create, user_disable, user_enable}) {
    add_common_options(*command, common);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  try {
    if (version->parsed()) {
      std::cout << "personae " << kBuildInfo.version << " (commit " << kBuildInfo.commit << ", "
                << kBuildInfo.compiler << ", " << kBuildInfo.build_type << ")\n";
      return kExitOk;
    }
    if (config_keys->parsed()) {
      std::cout << describe_config_keys();
      return kExitOk;
    }
    // The long-running roles wait for SIGTERM/SIGINT with sigwait: block them before the first
    // thread (the log flusher) starts, so that every thread inherits the mask.
    std::optional<ShutdownSignals> signals;
    if (serve->parsed() || worker->parsed()) signals.emplace();
    const Config config = load(common);
    if (config_check->parsed()) return config_check_command(config);
    if (config_show->parsed()) {
      std::cout << render_config(config);
      return kExitOk;
    }
    if (serve->parsed()) return serve_command(config, *signals);
    if (worker->parsed()) return worker_command(config, *signals);
    if (migrate->parsed()) return migrate_command(config, migrate_to, migrate_status);
    if (audit_verify->parsed()) return audit_verify_command(config, audit_tenant);
    if (llm_status->parsed()) return llm_status_command(config, llm_json);
    if (backup->parsed()) return backup_command(config, backup_options);
    if (demo->parsed()) return demo_command(config, demo_email);
    if (restore->parsed()) return restore_command(config, restore_options);
    if (tenant_create->parsed()) return tenant_create_command(config, tenant_name);
    if (tenant_list->parsed()) return tenant_list_command(config);
    if (user_create->parsed()) {
      return user_create_command(config, user_tenant, user_email, user_role, user_display_name);
    }
    if (user_disable->parsed()) return user_set_disabled_command(config, user_email, true);
    if (user_enable->parsed()) return user_set_disabled_command(config, user_email, false);
  } catch (const ConfigError& error) {
    std::cerr << "personae: configuration error: " << error.what() << "\n";
    return kExitUsage;
  } catch (const AppError& error) {
    log::error("command failed", {{"error", error.error().message}, {"detail", error.error().detail}});
    std::cerr << "personae: " << error.error().message << "\n";
    return kExitFailure;
  } catch (const std::exception& error) {
    log::error("command failed", {{"error", error.what()}});
    std::cerr << "personae: " << error.what() << "\n";
    return kExitFailure;
  }
  return kExitUsage;
}

}  // namespace personae

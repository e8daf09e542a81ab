#pragma once

#include <filesystem>
#include <string>

namespace personae::testing {

/// A throwaway PostgreSQL cluster for tests: initdb into a fresh temporary folder, then a server
/// on a free 127.0.0.1 port (socket in the same folder), fsync off. Trust authentication for the
/// user `personae`. When running as root, initdb and the server run as the `postgres` system user
/// (or `nobody`) through runuser, since PostgreSQL refuses root. Throws std::runtime_error, with
/// the tool's output, when the binaries are missing or the server does not start: tests that need
/// PostgreSQL fail rather than skip.
class PostgresServer {
 public:
  PostgresServer();
  /// Stops the server (`pg_ctl stop -m fast`) and removes the folder.
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }

  /// postgresql://personae@127.0.0.1:PORT/postgres
  std::string url() const { return url_for("postgres"); }
  std::string url_for(const std::string& database) const;

  /// Creates an empty database named `name` (lowercase letters, digits, '_') and returns its URL.
  std::string create_database(const std::string& name);

  /// Creates an empty database with a name unique in this process and returns its URL.
  std::string create_unique_database();

  /// Creates an empty database with a unique name, owned by `role` (created when missing as an
  /// ordinary role: NOSUPERUSER NOBYPASSRLS), and returns a URL that connects as that role. What
  /// an application should use: superusers ignore row-level security even under FORCE.
  std::string create_application_database(const std::string& role = "personae_app");

  /// Runs one SQL command in `database` through psql; returns its unaligned output.
  std::string psql(const std::string& database, const std::string& sql);

  /// Stops the server (fast shutdown: sessions are cut). start() brings it back on the same port.
  void stop();
  void start();
  /// stop() then start(): existing client connections break.
  void restart();

 private:
  std::string run(const std::string& command, bool as_server_user);
  bool try_start();

  std::filesystem::path bin_dir_;
  std::filesystem::path folder_;
  std::filesystem::path data_dir_;
  std::string run_as_;  // empty when not root
  int port_ = 0;
  bool running_ = false;
  int next_database_ = 0;
};

/// One server per test binary, started on first use and stopped at exit.
PostgresServer& shared_postgres_server();

}  // namespace personae::testing

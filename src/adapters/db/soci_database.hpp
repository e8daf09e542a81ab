#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/db/database_url.hpp"
#include "ports/database.hpp"

namespace soci {
class session;
}

namespace personae {

struct SociDatabaseOptions {
  /// sqlite:///abs.db, sqlite://relative.db, postgresql://user@host:port/db?params
  std::string url;
  /// A password kept out of the URL (database.password / database.password_file). Passed to libpq
  /// as the `password` parameter; never logged. Setting it and a password in the URL is an error.
  std::optional<std::string> password;
  /// Most connections open at once; 0 picks 4 for SQLite and 16 for PostgreSQL.
  std::size_t pool_size = 0;
  /// How long a transaction waits for a free connection before failing with kUnavailable.
  std::chrono::milliseconds acquire_timeout{5'000};
  /// SQLite: how long a statement waits for another connection's lock.
  std::chrono::milliseconds sqlite_busy_timeout{5'000};
  /// PostgreSQL: libpq `connect_timeout` (whole seconds, at least 2), unless the URL sets it.
  std::chrono::milliseconds connect_timeout{5'000};
  /// PostgreSQL: shown in pg_stat_activity, unless the URL sets it.
  std::string application_name = "personae";
};

/// The Database port over SOCI, for SQLite and PostgreSQL, with its own bounded connection pool.
///
/// Connections open on demand up to `pool_size`; the constructor opens one, so a wrong URL or an
/// unreachable server fails at start-up (AppError kUnavailable, naming the redacted URL).
/// SQLite connections run in WAL mode with foreign keys on; kWrite transactions are
/// `BEGIN IMMEDIATE`. PostgreSQL kRead transactions are `REPEATABLE READ READ ONLY` (one
/// snapshot for the whole transaction) and SQLite kRead transactions set `query_only`, so a write
/// in a kRead transaction fails on both. A PostgreSQL connection found broken fails its
/// transaction with kUnavailable and is reopened on its next lease; the other idle connections are
/// then checked before use.
///
/// SOCI errors escaping a transaction's work are translated to AppError (kConflict for a
/// constraint violation, kUnavailable for a lost connection or a lock timeout, kFailedPrecondition
/// for a missing table or column, kInternal otherwise); other exceptions pass unchanged.
/// Thread-safe. Every transaction must have returned before the object is destroyed.
class SociDatabase final : public Database {
 public:
  /// Throws ConfigError for a malformed URL, AppError(kUnavailable) when the database cannot be
  /// opened or reached.
  explicit SociDatabase(SociDatabaseOptions options);
  ~SociDatabase() override;
  SociDatabase(const SociDatabase&) = delete;
  SociDatabase& operator=(const SociDatabase&) = delete;

  Dialect dialect() const override { return url_.dialect(); }
  void run_transaction(TransactionMode mode, const std::function<void(Transaction&)>& work) override;
  void ping() override;
  DatabasePoolStats pool_stats() const override;
  std::string redacted_url() const override { return url_.redacted(); }
  void close() override;

  /// The SQLite file, made absolute at construction (empty for PostgreSQL).
  const std::filesystem::path& sqlite_file() const { return sqlite_file_; }

 private:
  struct Connection;
  class Lease;

  std::unique_ptr<Connection> open_connection();
  Lease acquire();
  void release(std::unique_ptr<Connection> connection);
  [[noreturn]] void fail(Connection& connection, const std::exception& error);

  SociDatabaseOptions options_;
  DatabaseUrl url_;
  std::filesystem::path sqlite_file_;
  std::string connect_string_;  // holds the password: never logged

  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  // idle + leased + being opened
  std::size_t in_use_ = 0;
  std::size_t waiting_ = 0;
  std::uint64_t acquired_total_ = 0;
  std::uint64_t timeouts_total_ = 0;
  // Bumped when a connection is found broken: idle connections older than it are checked first.
  std::uint64_t broken_generation_ = 0;
  bool closed_ = false;
};

}  // namespace personae

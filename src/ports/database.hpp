#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace personae {

enum class Dialect { kSqlite, kPostgresql };

/// kRead transactions may run concurrently; kWrite transactions take the write lock up front
/// (SQLite `BEGIN IMMEDIATE`), so that two writers never deadlock upgrading a read lock.
enum class TransactionMode { kRead, kWrite };

/// An open transaction on one pooled connection. Services pass it, unopened, to repositories;
/// only adapters/db looks inside (to reach the SOCI session). Everything done through one
/// Transaction commits or rolls back together (this is how a job is enqueued with the write that
/// needs it).
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual Dialect dialect() const = 0;
};

struct DatabasePoolStats {
  std::size_t size = 0;     ///< connections in the pool
  std::size_t in_use = 0;   ///< connections leased right now
  std::size_t waiting = 0;  ///< callers waiting for a connection
  std::uint64_t acquired_total = 0;
  std::uint64_t timeouts_total = 0;  ///< callers that gave up waiting (answered 503)
};

/// The database port. Implementations: SQLite and PostgreSQL through SOCI (adapters/db).
///
/// Every method blocks: call it from a worker-pool thread, never from an IO thread.
/// Failures throw AppError: kUnavailable when the database cannot be reached or the pool is
/// exhausted, kConflict for a constraint violation, kInternal otherwise. Messages never carry SQL;
/// details (for logs) may.
class Database {
 public:
  virtual ~Database() = default;

  virtual Dialect dialect() const = 0;

  /// Runs `work` in one transaction: committed when it returns, rolled back when it throws (the
  /// exception is then rethrown unchanged).
  virtual void run_transaction(TransactionMode mode, const std::function<void(Transaction&)>& work) = 0;

  /// Cheap round trip (`SELECT 1`); throws AppError(kUnavailable) when the database is unreachable.
  virtual void ping() = 0;

  virtual DatabasePoolStats pool_stats() const = 0;

  /// The connection URL with any password replaced by `***`, for logs and `config show`.
  virtual std::string redacted_url() const = 0;

  /// Closes every pooled connection (at shutdown). Later calls fail with kUnavailable.
  virtual void close() = 0;

  template <class Work>
  auto read(Work&& work) {
    return run_with_result(TransactionMode::kRead, std::forward<Work>(work));
  }
  template <class Work>
  auto write(Work&& work) {
    return run_with_result(TransactionMode::kWrite, std::forward<Work>(work));
  }

 private:
  template <class Work>
  auto run_with_result(TransactionMode mode, Work&& work) {
    using Value = std::invoke_result_t<Work&, Transaction&>;
    if constexpr (std::is_void_v<Value>) {
      run_transaction(mode, [&](Transaction& tx) { work(tx); });
    } else {
      std::optional<Value> value;
      run_transaction(mode, [&](Transaction& tx) { value.emplace(work(tx)); });
      return std::move(*value);
    }
  }
};

}  // namespace personae

#include "adapters/db/soci_database.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <system_error>

#include "adapters/db/soci_transaction.hpp"
#include "core/error.hpp"
#include "observability/log.hpp"

namespace personae {
namespace {

constexpr std::size_t kDefaultSqlitePoolSize = 4;
constexpr std::size_t kDefaultPostgresqlPoolSize = 16;

// PQexec of a script (several statements, no parameters); failures throw as SOCI's statements do.
void execute_postgres_script(PGconn* handle, const std::string& script);

// A transaction whose BEGIN (PostgreSQL) is sent with its first statement: most transactions
// start by setting their tenant scope, and sending both in one round trip saves one of the four
// or five a short transaction costs (bench/queue.md: enqueue one job per transaction). A
// transaction that runs no statement never reaches the server.
class SociTransaction final : public Transaction {
 public:
  SociTransaction(soci::session& session, Dialect dialect, std::string pending_begin)
      : session_(session), dialect_(dialect), pending_begin_(std::move(pending_begin)) {}
  Dialect dialect() const override { return dialect_; }

  /// The session, with the transaction begun.
  soci::session& session() {
    if (!pending_begin_.empty()) {
      const std::string begin = std::move(pending_begin_);
      pending_begin_.clear();
      session_ << begin;
    }
    return session_;
  }
  /// Whether BEGIN reached the server (COMMIT and ROLLBACK are needed).
  bool begun() const { return pending_begin_.empty(); }
  /// set_config(name, value, true), with a pending BEGIN in the same round trip.
  void set_local(const std::string& name, const std::string& value);

 private:
  soci::session& session_;
  Dialect dialect_;
  std::string pending_begin_;
};

// SOCI's libraries do not export the backends' type information, so dynamic_cast cannot be used:
// the backend name tells the type.
PGconn* postgres_handle(soci::session& session) {
  soci::details::session_backend* backend = session.get_backend();
  if (backend == nullptr || backend->get_backend_name() != "postgresql") return nullptr;
  return static_cast<soci::postgresql_session_backend*>(backend)->conn_;
}

sqlite_api::sqlite3* sqlite_handle(soci::session& session) {
  soci::details::session_backend* backend = session.get_backend();
  if (backend == nullptr || backend->get_backend_name() != "sqlite3") return nullptr;
  return static_cast<soci::sqlite3_session_backend*>(backend)->conn_;
}

std::string collapse_whitespace(std::string_view text) {
  std::string collapsed;
  bool space = false;
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !collapsed.empty();
    } else {
      if (space) collapsed.push_back(' ');
      space = false;
      collapsed.push_back(c);
    }
  }
  return collapsed;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

// Details carry the driver's message without SOCI's context, which lists the statement's bound
// values (personal data, tokens) and does not belong in logs.
AppError translate_sqlite(const soci::sqlite3_soci_error& error) {
  const std::string detail = error.get_error_message();
  switch (error.result() & 0xff) {
    case SQLITE_CONSTRAINT:
      return AppError(ErrorCode::kConflict, "the change conflicts with existing data", detail);
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return AppError(ErrorCode::kUnavailable, "database busy", detail);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: return AppError(ErrorCode::kUnavailable, "the database file cannot be used", detail);
    default: break;
  }
  const std::string message = error.get_error_message();
  if (message.find("no such table") != std::string::npos ||
      message.find("no such column") != std::string::npos) {
    return AppError(ErrorCode::kFailedPrecondition,
                    "the database schema is not current (run `personae migrate`)", detail);
  }
  return AppError(ErrorCode::kInternal, "database error", detail);
}

AppError translate_postgresql(const soci::postgresql_soci_error& error) {
  const std::string detail = error.get_error_message();
  const std::string state = error.sqlstate();
  if (starts_with(state, "23")) {
    return AppError(ErrorCode::kConflict, "the change conflicts with existing data", detail);
  }
  if (starts_with(state, "08") || starts_with(state, "53") || starts_with(state, "57P")) {
    return AppError(ErrorCode::kUnavailable, "database unavailable", detail);
  }
  if (state == "40001" || state == "40P01" || state == "55P03" || state == "57014") {
    return AppError(ErrorCode::kUnavailable, "database busy", detail);
  }
  if (state == "42P01" || state == "42703") {
    return AppError(ErrorCode::kFailedPrecondition,
                    "the database schema is not current (run `personae migrate`)", detail);
  }
  return AppError(ErrorCode::kInternal, "database error", detail);
}

// SQLite's default memory statistics take one process-wide mutex on every allocation, and
// preparing a statement allocates dozens of times: with several pooled connections in use at
// once, most of an authenticated request's time went to waiting on that mutex (bench/README.md).
// The setting must precede sqlite3_initialize, which the first connection triggers.
void configure_sqlite_library() {
  static std::once_flag configured;
  std::call_once(configured, [] {
    sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite_api::sqlite3_initialize();
  });
}

AppError translate(const std::exception& error, bool connection_lost) {
  const auto* soci_error = dynamic_cast<const soci::soci_error*>(&error);
  const std::string detail = soci_error != nullptr ? soci_error->get_error_message() : error.what();
  if (connection_lost)
    return AppError(ErrorCode::kUnavailable, "lost the connection to the database", detail);
  if (const auto* sqlite = dynamic_cast<const soci::sqlite3_soci_error*>(&error))
    return translate_sqlite(*sqlite);
  if (const auto* postgresql = dynamic_cast<const soci::postgresql_soci_error*>(&error)) {
    return translate_postgresql(*postgresql);
  }
  if (soci_error != nullptr) {
    switch (soci_error->get_error_category()) {
      case soci::soci_error::connection_error:
        return AppError(ErrorCode::kUnavailable, "database unavailable", detail);
      case soci::soci_error::constraint_violation:
        return AppError(ErrorCode::kConflict, "the change conflicts with existing data", detail);
      default: break;
    }
  }
  return AppError(ErrorCode::kInternal, "database error", detail);
}

}  // namespace

struct SociDatabase::Connection {
  std::unique_ptr<soci::session> session;
  bool broken = false;      // reopen before the next use
  bool query_only = false;  // SQLite: PRAGMA query_only is on
  std::uint64_t checked_generation = 0;
};

// One leased connection; gives it back to the pool (or drops it, when null) on destruction.
class SociDatabase::Lease {
 public:
  Lease(SociDatabase& database, std::unique_ptr<Connection> connection)
      : database_(&database), connection_(std::move(connection)) {}
  Lease(Lease&& other) noexcept
      : database_(std::exchange(other.database_, nullptr)), connection_(std::move(other.connection_)) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (database_ != nullptr) database_->release(std::move(connection_));
  }

  std::unique_ptr<Connection>& connection() { return connection_; }

 private:
  SociDatabase* database_;
  std::unique_ptr<Connection> connection_;
};

SociDatabase::SociDatabase(SociDatabaseOptions options)
    : options_(std::move(options)), url_(DatabaseUrl::parse(options_.url)) {
  if (options_.pool_size == 0) {
    options_.pool_size =
        url_.dialect() == Dialect::kSqlite ? kDefaultSqlitePoolSize : kDefaultPostgresqlPoolSize;
  }
  if (url_.dialect() == Dialect::kSqlite) {
    configure_sqlite_library();
    std::error_code error;
    sqlite_file_ = std::filesystem::absolute(url_.sqlite_path(), error).lexically_normal();
    if (error) {
      throw AppError(ErrorCode::kUnavailable, "cannot resolve the database path " + url_.redacted(),
                     error.message());
    }
    const std::filesystem::path folder = sqlite_file_.parent_path();
    std::filesystem::create_directories(folder, error);
    if (error) {
      throw AppError(ErrorCode::kUnavailable,
                     "cannot create the database folder " + folder.string() + ": " + error.message());
    }
    connect_string_ = sqlite_file_.string();
    if (connect_string_.find(' ') != std::string::npos) connect_string_ = "db=\"" + connect_string_ + "\"";
  } else {
    if (options_.password.has_value() && url_.has_password()) {
      throw ConfigError("sets a password both in the URL and separately; keep one");
    }
    const auto timeout_ms = std::max<std::int64_t>(options_.connect_timeout.count(), 0);
    // libpq counts whole seconds and treats anything below 2 as 2.
    const std::string timeout_seconds = std::to_string(std::max<std::int64_t>(2, (timeout_ms + 999) / 1000));
    const std::string password = options_.password.value_or("");
    if (options_.password.has_value()) {
      connect_string_ = url_.postgres_uri({{"password", password},
                                           {"connect_timeout", timeout_seconds},
                                           {"application_name", options_.application_name}});
    } else {
      connect_string_ = url_.postgres_uri(
          {{"connect_timeout", timeout_seconds}, {"application_name", options_.application_name}});
    }
  }
  idle_.push_back(open_connection());
  open_ = 1;
}

SociDatabase::~SociDatabase() {
  close();
}

std::unique_ptr<SociDatabase::Connection> SociDatabase::open_connection() {
  auto connection = std::make_unique<Connection>();
  try {
    if (url_.dialect() == Dialect::kSqlite) {
      connection->session = std::make_unique<soci::session>(soci::sqlite3, connect_string_);
      soci::session& sql = *connection->session;
      sql << "PRAGMA busy_timeout = " + std::to_string(options_.sqlite_busy_timeout.count());
      std::string journal_mode;
      sql << "PRAGMA journal_mode = WAL", soci::into(journal_mode);
      sql << "PRAGMA foreign_keys = ON";
      sql << "PRAGMA synchronous = NORMAL";
    } else {
      connection->session = std::make_unique<soci::session>(soci::postgresql, connect_string_);
      // Personae's statements are short: JIT compilation (on by default, for any statement the
      // planner estimates above jit_above_cost) costs 50-150 ms per statement and never pays back
      // here. The job queue's plan settings make some of its 0.1 ms statements look that
      // expensive, and the compilation took a quarter of the CPU in bench/queue.md.
      *connection->session << "SET jit = off";
    }
  } catch (const soci::soci_error& error) {
    std::string reason = collapse_whitespace(error.get_error_message());
    constexpr std::string_view kSociPrefix = "Cannot establish connection to the database. ";
    if (starts_with(reason, kSociPrefix)) reason.erase(0, kSociPrefix.size());
    if (options_.password.has_value() && options_.password->size() >= 1)
      replace_all(reason, *options_.password, "***");
    std::string detail = error.get_error_message();
    if (options_.password.has_value() && options_.password->size() >= 1)
      replace_all(detail, *options_.password, "***");
    throw AppError(ErrorCode::kUnavailable,
                   "cannot connect to the database at " + url_.redacted() + ": " + reason, detail);
  }
  return connection;
}

SociDatabase::Lease SociDatabase::acquire() {
  std::unique_lock lock(mutex_);
  const auto ready = [&] { return closed_ || !idle_.empty() || open_ < options_.pool_size; };
  if (!ready()) {
    ++waiting_;
    const bool got = available_.wait_for(lock, options_.acquire_timeout, ready);
    --waiting_;
    if (!got) {
      ++timeouts_total_;
      throw AppError(ErrorCode::kUnavailable, "database busy",
                     "no free connection within " + std::to_string(options_.acquire_timeout.count()) +
                         " ms (pool of " + std::to_string(options_.pool_size) + ")");
    }
  }
  if (closed_) throw AppError(ErrorCode::kUnavailable, "the database is closed");
  std::unique_ptr<Connection> connection;
  if (!idle_.empty()) {
    connection = std::move(idle_.back());
    idle_.pop_back();
  } else {
    ++open_;
  }
  ++in_use_;
  ++acquired_total_;
  const std::uint64_t generation = broken_generation_;
  lock.unlock();

  Lease lease(*this, std::move(connection));
  std::unique_ptr<Connection>& leased = lease.connection();
  if (leased != nullptr && !leased->broken && leased->checked_generation < generation) {
    // Another connection was found broken (the server may have restarted): check this one.
    try {
      int one = 0;
      *leased->session << "SELECT 1", soci::into(one);
    } catch (const soci::soci_error&) {
      leased->broken = true;
    }
  }
  if (leased == nullptr || leased->broken) {
    // On failure the lease gives back a null connection, freeing its slot.
    leased.reset();
    leased = open_connection();
  }
  leased->checked_generation = generation;
  return lease;
}

void SociDatabase::release(std::unique_ptr<Connection> connection) {
  std::unique_ptr<Connection> dropped;
  {
    std::lock_guard lock(mutex_);
    --in_use_;
    if (connection == nullptr || closed_) {
      --open_;
      dropped = std::move(connection);
    } else {
      idle_.push_back(std::move(connection));
    }
  }
  available_.notify_one();
}

void SociDatabase::fail(Connection& connection, const std::exception& error) {
  bool lost = false;
  if (url_.dialect() == Dialect::kPostgresql) {
    PGconn* handle = postgres_handle(*connection.session);
    lost = handle == nullptr || PQstatus(handle) == CONNECTION_BAD;
  }
  if (lost) {
    connection.broken = true;
    std::lock_guard lock(mutex_);
    ++broken_generation_;
  }
  AppError translated = translate(error, lost);
  if (translated.error().code == ErrorCode::kInternal || lost) {
    log::warn("database error",
              {{"error", translated.error().message}, {"detail", translated.error().detail}});
  }
  throw translated;
}

void SociDatabase::run_transaction(TransactionMode mode, const std::function<void(Transaction&)>& work) {
  Lease lease = acquire();
  Connection& connection = *lease.connection();
  soci::session& sql = *connection.session;
  const bool sqlite = url_.dialect() == Dialect::kSqlite;
  const auto rollback = [&] {
    try {
      sql << "ROLLBACK";
    } catch (const soci::soci_error&) {
      // SQLite rolls back by itself after some errors; a connection whose state is unknown is
      // reopened rather than reused.
      if (!sqlite || sqlite_api::sqlite3_get_autocommit(sqlite_handle(sql)) == 0) connection.broken = true;
    }
  };
  std::string pending_begin;
  try {
    if (sqlite) {
      const bool query_only = mode == TransactionMode::kRead;
      if (connection.query_only != query_only) {
        sql << (query_only ? "PRAGMA query_only = ON" : "PRAGMA query_only = OFF");
        connection.query_only = query_only;
      }
      sql << (mode == TransactionMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
    } else {
      pending_begin =
          mode == TransactionMode::kWrite ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    }
  } catch (const soci::soci_error& error) {
    fail(connection, error);
  }
  SociTransaction tx(sql, url_.dialect(), std::move(pending_begin));
  try {
    work(tx);
  } catch (const soci::soci_error& error) {
    if (tx.begun()) rollback();
    fail(connection, error);
  } catch (...) {
    if (tx.begun()) rollback();
    throw;
  }
  if (!tx.begun()) return;
  try {
    sql << "COMMIT";
  } catch (const soci::soci_error& error) {
    rollback();
    fail(connection, error);
  }
}

void SociDatabase::ping() {
  try {
    Lease lease = acquire();
    Connection& connection = *lease.connection();
    try {
      int one = 0;
      *connection.session << "SELECT 1", soci::into(one);
    } catch (const soci::soci_error& error) {
      fail(connection, error);
    }
  } catch (const AppError& error) {
    if (error.error().code == ErrorCode::kUnavailable) throw;
    throw AppError(ErrorCode::kUnavailable, "database unavailable", error.error().detail);
  }
}

DatabasePoolStats SociDatabase::pool_stats() const {
  std::lock_guard lock(mutex_);
  return DatabasePoolStats{open_, in_use_, waiting_, acquired_total_, timeouts_total_};
}

void SociDatabase::close() {
  std::vector<std::unique_ptr<Connection>> dropped;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    open_ -= idle_.size();
    dropped.swap(idle_);
  }
  available_.notify_all();
}

namespace {

SociTransaction& soci_transaction(Transaction& tx) {
  auto* soci_tx = dynamic_cast<SociTransaction*>(&tx);
  if (soci_tx == nullptr) throw AppError(ErrorCode::kInternal, "not a SOCI transaction");
  return *soci_tx;
}

}  // namespace

soci::session& soci_session(Transaction& tx) {
  return soci_transaction(tx).session();
}

void set_transaction_setting(Transaction& tx, const std::string& name, const std::string& value) {
  soci_transaction(tx).set_local(name, value);
}

void SociTransaction::set_local(const std::string& name, const std::string& value) {
  if (begun()) {
    std::string applied;
    session_ << "SELECT set_config(:name, :value, true)", soci::use(name, "name"), soci::use(value, "value"),
        soci::into(applied);
    return;
  }
  // One round trip: BEGIN and the setting as one script, the values quoted by libpq.
  PGconn* handle = postgres_handle(session_);
  if (handle == nullptr) throw AppError(ErrorCode::kInternal, "a pending BEGIN on a non-PostgreSQL session");
  const auto literal = [&](const std::string& text) {
    char* quoted = PQescapeLiteral(handle, text.data(), text.size());
    if (quoted == nullptr)
      throw soci::postgresql_soci_error(collapse_whitespace(PQerrorMessage(handle)), "XX000");
    std::string result(quoted);
    PQfreemem(quoted);
    return result;
  };
  const std::string script =
      pending_begin_ + "; SELECT set_config(" + literal(name) + ", " + literal(value) + ", true)";
  pending_begin_.clear();
  execute_postgres_script(handle, script);
}

void execute_script(Transaction& tx, std::string_view sql) {
  soci::session& session = soci_session(tx);
  const std::string script(sql);
  if (tx.dialect() == Dialect::kSqlite) {
    char* message = nullptr;
    const int result =
        sqlite_api::sqlite3_exec(sqlite_handle(session), script.c_str(), nullptr, nullptr, &message);
    if (result != SQLITE_OK) {
      std::string text = message != nullptr ? message : "sqlite3_exec failed";
      sqlite_api::sqlite3_free(message);
      throw soci::sqlite3_soci_error(text, result);
    }
    return;
  }
  execute_postgres_script(postgres_handle(session), script);
}

namespace {

void execute_postgres_script(PGconn* handle, const std::string& script) {
  PGresult* result = PQexec(handle, script.c_str());
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    PQclear(result);
    return;
  }
  std::string text = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(handle);
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "XX000";
  PQclear(result);
  throw soci::postgresql_soci_error(collapse_whitespace(text), sqlstate.c_str());
}

}  // namespace

}  // namespace personae

#include <soci/soci.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "adapters/db/soci_transaction.hpp"
#include "core/error.hpp"
#include "tests/contract/contract_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class DatabaseContractTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    database_ = open();
    execute(*database_, "CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
  }

  static void insert(Transaction& tx, long long id, const std::string& name) {
    soci_session(tx) << "INSERT INTO items (id, name) VALUES (:id, :name)", soci::use(id, "id"),
        soci::use(name, "name");
  }
  long long count_items() { return query_number(*database_, "SELECT COUNT(*) FROM items"); }

  std::unique_ptr<SociDatabase> database_;
};

ErrorCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const AppError& error) {
    return error.error().code;
  }
  ADD_FAILURE() << "expected an AppError";
  return ErrorCode::kInternal;
}

TEST_P(DatabaseContractTest, ReportsItsDialect) {
  EXPECT_EQ(database_->dialect(), dialect());
}

TEST_P(DatabaseContractTest, CommitsWhenWorkReturns) {
  database_->write([](Transaction& tx) {
    insert(tx, 1, "one");
    insert(tx, 2, "two");
  });
  EXPECT_EQ(count_items(), 2);
}

TEST_P(DatabaseContractTest, RollsBackWhenWorkThrowsAndRethrowsUnchanged) {
  try {
    database_->write([](Transaction& tx) {
      insert(tx, 1, "one");
      throw std::logic_error("boom");
    });
    FAIL() << "expected the exception";
  } catch (const std::logic_error& error) {
    EXPECT_STREQ(error.what(), "boom");
  }
  EXPECT_EQ(count_items(), 0);
  // The connection is clean afterwards: a new transaction works.
  database_->write([](Transaction& tx) { insert(tx, 1, "one"); });
  EXPECT_EQ(count_items(), 1);
}

TEST_P(DatabaseContractTest, ReadAndWriteReturnValues) {
  const std::string name = database_->write([](Transaction& tx) {
    insert(tx, 7, "seven");
    return std::string("seven");
  });
  EXPECT_EQ(name, "seven");
  const long long id = database_->read([](Transaction& tx) {
    long long value = 0;
    soci_session(tx) << "SELECT id FROM items WHERE name = 'seven'", soci::into(value);
    EXPECT_EQ(tx.dialect(), tx.dialect());
    return value;
  });
  EXPECT_EQ(id, 7);
}

TEST_P(DatabaseContractTest, TransactionSettingsAreLocalAndBeginWithTheTransaction) {
  if (dialect() != Dialect::kPostgresql) GTEST_SKIP() << "set_config is PostgreSQL's";
  // One pooled connection, so that a setting leaking out of a transaction would be seen.
  SociDatabaseOptions options;
  options.pool_size = 1;
  auto database = open(options);
  const auto setting = [](Transaction& tx) {
    std::string value;
    soci_session(tx) << "SELECT COALESCE(current_setting('app.probe', true), '')", soci::into(value);
    return value;
  };
  // The first statement of the transaction (BEGIN goes with it): quoting survives.
  const std::string value = "it's; a \"value\"";
  EXPECT_EQ(database->write([&](Transaction& tx) {
    set_transaction_setting(tx, "app.probe", value);
    return setting(tx);
  }),
            value);
  EXPECT_EQ(database->read([&](Transaction& tx) { return setting(tx); }), "");
  // Later in a transaction, and in a transaction that is rolled back.
  EXPECT_EQ(database->read([&](Transaction& tx) {
    const std::string before = setting(tx);
    set_transaction_setting(tx, "app.probe", "later");
    return before + "|" + setting(tx);
  }),
            "|later");
  EXPECT_THROW(database->write([&](Transaction& tx) {
    set_transaction_setting(tx, "app.probe", "doomed");
    insert(tx, 1, "one");
    throw std::runtime_error("no");
  }),
               std::runtime_error);
  EXPECT_EQ(database->read([&](Transaction& tx) { return setting(tx); }), "");
  EXPECT_EQ(count_items(), 0);
  // The setting and the writes after it are one transaction: a failure rolls back both.
  database->write([&](Transaction& tx) { insert(tx, 1, "one"); });
  EXPECT_EQ(code_of([&] {
              database->write([&](Transaction& tx) {
                set_transaction_setting(tx, "app.probe", "x");
                insert(tx, 2, "two");
                insert(tx, 3, "one");  // conflicts
              });
            }),
            ErrorCode::kConflict);
  EXPECT_EQ(count_items(), 1);
  // A malformed setting name fails the transaction with a clear error, and the connection
  // is fine afterwards.
  EXPECT_NE(
      code_of([&] { database->write([&](Transaction& tx) { set_transaction_setting(tx, "no dot", "x"); }); }),
      ErrorCode::kConflict);
  database->write([&](Transaction& tx) { insert(tx, 4, "four"); });
  EXPECT_EQ(count_items(), 2);
}

TEST_P(DatabaseContractTest, ATransactionThatRunsNothingCommits) {
  EXPECT_EQ(database_->write([](Transaction&) { return 5; }), 5);
  EXPECT_EQ(database_->read([](Transaction&) { return 6; }), 6);
  EXPECT_THROW(database_->write([](Transaction&) { throw std::runtime_error("nothing ran"); }),
               std::runtime_error);
  database_->write([](Transaction& tx) { insert(tx, 1, "one"); });
  EXPECT_EQ(count_items(), 1);
}

TEST_P(DatabaseContractTest, ConstraintViolationIsConflictWithoutSql) {
  database_->write([](Transaction& tx) { insert(tx, 1, "one"); });
  try {
    database_->write([](Transaction& tx) { insert(tx, 2, "one"); });
    FAIL() << "expected a conflict";
  } catch (const AppError& error) {
    EXPECT_EQ(error.error().code, ErrorCode::kConflict);
    EXPECT_EQ(error.error().message.find("INSERT"), std::string::npos) << error.error().message;
    EXPECT_FALSE(error.error().detail.empty());
  }
  EXPECT_EQ(count_items(), 1);
}

TEST_P(DatabaseContractTest, MissingTableIsFailedPrecondition) {
  EXPECT_EQ(code_of([&] { query_number(*database_, "SELECT COUNT(*) FROM no_such_table"); }),
            ErrorCode::kFailedPrecondition);
}

TEST_P(DatabaseContractTest, ReadTransactionsCannotWrite) {
  EXPECT_NE(code_of([&] { database_->read([](Transaction& tx) { insert(tx, 1, "one"); }); }),
            ErrorCode::kConflict);
  EXPECT_EQ(count_items(), 0);
  database_->write([](Transaction& tx) { insert(tx, 1, "one"); });
  EXPECT_EQ(count_items(), 1);
}

TEST_P(DatabaseContractTest, PoolStatsMove) {
  const DatabasePoolStats before = database_->pool_stats();
  EXPECT_GE(before.size, 1u);
  EXPECT_EQ(before.in_use, 0u);
  database_->read([&](Transaction&) {
    const DatabasePoolStats during = database_->pool_stats();
    EXPECT_EQ(during.in_use, 1u);
    EXPECT_EQ(during.acquired_total, before.acquired_total + 1);
  });
  const DatabasePoolStats after = database_->pool_stats();
  EXPECT_EQ(after.in_use, 0u);
  EXPECT_EQ(after.waiting, 0u);
  EXPECT_EQ(after.acquired_total, before.acquired_total + 1);
  EXPECT_EQ(after.timeouts_total, 0u);
}

TEST_P(DatabaseContractTest, AcquireTimesOutWhenEveryConnectionIsHeld) {
  SociDatabaseOptions options;
  options.pool_size = 2;
  options.acquire_timeout = milliseconds(150);
  auto database = open(options);
  std::mutex mutex;
  std::condition_variable changed;
  int holding = 0;
  bool release = false;
  const auto hold = [&] {
    database->read([&](Transaction&) {
      std::unique_lock lock(mutex);
      ++holding;
      changed.notify_all();
      changed.wait(lock, [&] { return release; });
    });
  };
  std::thread first(hold);
  std::thread second(hold);
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return holding == 2; });
  }
  EXPECT_EQ(database->pool_stats().in_use, 2u);
  EXPECT_EQ(database->pool_stats().size, 2u);
  const auto started = steady_clock::now();
  try {
    database->read([](Transaction&) {});
    ADD_FAILURE() << "expected a timeout";
  } catch (const AppError& error) {
    EXPECT_EQ(error.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(error.error().message, "database busy");
  }
  const auto waited = steady_clock::now() - started;
  EXPECT_GE(waited, milliseconds(140));
  EXPECT_LT(waited, milliseconds(3000));
  EXPECT_EQ(database->pool_stats().timeouts_total, 1u);
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  first.join();
  second.join();
  // Connections came back: the pool serves again.
  database->read([](Transaction&) {});
  EXPECT_EQ(database->pool_stats().in_use, 0u);
}

TEST_P(DatabaseContractTest, AWaiterGetsTheNextFreeConnection) {
  SociDatabaseOptions options;
  options.pool_size = 1;
  options.acquire_timeout = milliseconds(5000);
  auto database = open(options);
  std::promise<void> entered;
  std::promise<void> leave;
  std::thread holder([&] {
    database->write([&](Transaction&) {
      entered.set_value();
      leave.get_future().wait();
    });
  });
  entered.get_future().wait();
  auto waiter =
      std::async(std::launch::async, [&] { return database->read([](Transaction&) { return 5; }); });
  while (database->pool_stats().waiting == 0) std::this_thread::sleep_for(milliseconds(1));
  leave.set_value();
  EXPECT_EQ(waiter.get(), 5);
  holder.join();
  EXPECT_EQ(database->pool_stats().waiting, 0u);
  EXPECT_EQ(database->pool_stats().timeouts_total, 0u);
}

TEST_P(DatabaseContractTest, PingAndClose) {
  database_->ping();
  EXPECT_FALSE(database_->redacted_url().empty());
  database_->close();
  EXPECT_EQ(code_of([&] { database_->ping(); }), ErrorCode::kUnavailable);
  EXPECT_EQ(code_of([&] { database_->read([](Transaction&) {}); }), ErrorCode::kUnavailable);
}

TEST_P(DatabaseContractTest, UnreachableDatabaseFailsFastWithoutThePassword) {
  SociDatabaseOptions options;
  options.connect_timeout = milliseconds(2000);
  if (GetParam() == Backend::kSqlite) {
    // A folder that cannot be created.
    options.url = "sqlite:///proc/personae-contract/personae.db";
  } else {
    options.url =
        "postgresql://personae:topsecret@127.0.0.1:" + std::to_string(free_tcp_port()) + "/personae";
  }
  const auto started = steady_clock::now();
  try {
    SociDatabase database(options);
    FAIL() << "expected the connection to fail";
  } catch (const AppError& error) {
    EXPECT_EQ(error.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(error.error().message.find("topsecret"), std::string::npos) << error.error().message;
    EXPECT_EQ(error.error().detail.find("topsecret"), std::string::npos) << error.error().detail;
    if (GetParam() == Backend::kPostgresql) {
      EXPECT_NE(
          error.error().message.find("cannot connect to the database at postgresql://personae:***@127.0.0.1"),
          std::string::npos)
          << error.error().message;
    }
  }
  EXPECT_LT(steady_clock::now() - started, milliseconds(3000));
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql), backend_name);

TEST(SqliteDatabaseTest, CreatesTheFolderAndUsesWal) {
  TempDir temp;
  const auto file = temp.path() / "a" / "b" / "personae.db";
  SociDatabaseOptions options;
  options.url = "sqlite://" + file.string();
  SociDatabase database(options);
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(database.sqlite_file(), file);
  const std::string mode = database.read([](Transaction& tx) {
    std::string value;
    soci_session(tx) << "PRAGMA journal_mode", soci::into(value);
    return value;
  });
  EXPECT_EQ(mode, "wal");
  const int foreign_keys = database.read([](Transaction& tx) {
    int value = 0;
    soci_session(tx) << "PRAGMA foreign_keys", soci::into(value);
    return value;
  });
  EXPECT_EQ(foreign_keys, 1);
}

TEST(SqliteDatabaseTest, ResolvesRelativePathsAgainstTheWorkingDirectory) {
  TempDir temp;
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(temp.path());
  SociDatabaseOptions options;
  options.url = "sqlite://./var/personae.db";
  {
    SociDatabase database(options);
    EXPECT_EQ(database.sqlite_file(), temp.path() / "var" / "personae.db");
  }
  std::filesystem::current_path(previous);
  EXPECT_TRUE(std::filesystem::exists(temp.path() / "var" / "personae.db"));
}

TEST(SqliteDatabaseTest, HandlesPathsWithSpaces) {
  TempDir temp;
  SociDatabaseOptions options;
  options.url = "sqlite://" + (temp.path() / "with space" / "p.db").string();
  SociDatabase database(options);
  database.ping();
  EXPECT_TRUE(std::filesystem::exists(temp.path() / "with space" / "p.db"));
}

}  // namespace
}  // namespace personae::testing

// Black-box tests of `personae migrate`, `personae audit verify` and `personae worker`, on SQLite
// and on a throwaway PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/personae_process.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

using ::testing::HasSubstr;

/// Runs one SQL statement on a SQLite file behind the binary's back (to simulate tampering).
void sqlite_exec(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

class MigrateSqliteTest : public ::testing::Test {
 protected:
  CommandResult personae(std::vector<std::string> arguments) {
    arguments.insert(arguments.end(), {"--data-dir", data_dir().string()});
    return run_personae(arguments);
  }
  std::filesystem::path data_dir() const { return dir_.path() / "var"; }
  std::filesystem::path database_file() const { return data_dir() / "personae.db"; }

  TempDir dir_;
};

TEST_F(MigrateSqliteTest, StatusThenMigrateThenRollBackAndForward) {
  auto result = personae({"migrate", "--status"});
  ASSERT_EQ(result.exit_status, 0) << result.standard_error;
  EXPECT_THAT(result.standard_output, HasSubstr("pending"));
  EXPECT_THAT(result.standard_output, HasSubstr("0001"));

  result = personae({"migrate"});
  ASSERT_EQ(result.exit_status, 0) << result.standard_error;
  EXPECT_THAT(result.standard_output, HasSubstr("applied 0001"));

  result = personae({"migrate"});
  EXPECT_EQ(result.exit_status, 0);
  EXPECT_THAT(result.standard_output, HasSubstr("already up to date"));

  result = personae({"migrate", "--status"});
  EXPECT_THAT(result.standard_output, HasSubstr("applied"));
  EXPECT_THAT(result.standard_output, ::testing::Not(HasSubstr("pending")));

  result = personae({"migrate", "--to", "0"});
  ASSERT_EQ(result.exit_status, 0) << result.standard_error;
  EXPECT_THAT(result.standard_output, HasSubstr("rolled back 0001"));

  result = personae({"migrate", "--to", "1"});
  ASSERT_EQ(result.exit_status, 0) << result.standard_error;
  EXPECT_THAT(result.standard_output, HasSubstr("applied 0001"));
}

TEST_F(MigrateSqliteTest, TargetBeyondTheLatestIsRefused) {
  const auto result = personae({"migrate", "--to", "999"});
  EXPECT_NE(result.exit_status, 0);
  EXPECT_THAT(result.standard_error, HasSubstr("999"));
}

TEST_F(MigrateSqliteTest, ChangedMigrationIsRefusedByServeAndMigrate) {
  ASSERT_EQ(personae({"migrate"}).exit_status, 0);
  sqlite_exec(database_file(), "UPDATE schema_migrations SET checksum = 'deadbeef' WHERE version = 1");

  auto result = personae({"migrate"});
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_THAT(result.standard_error, HasSubstr("changed after it was applied"));

  result = run_personae({"serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir().string()});
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_THAT(result.standard_error, HasSubstr("changed after it was applied"));
}

TEST_F(MigrateSqliteTest, AuditVerifyDetectsAnEditedEntry) {
  ASSERT_EQ(personae({"migrate"}).exit_status, 0);
  auto result = personae({"audit", "verify"});
  EXPECT_EQ(result.exit_status, 0) << result.standard_error;
  EXPECT_THAT(result.standard_output, HasSubstr("intact"));

  sqlite_exec(database_file(), "UPDATE audit_log SET actor = 'mallory' WHERE sequence = 1");
  result = personae({"audit", "verify"});
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_THAT(result.standard_output, HasSubstr("sequence 1"));
}

TEST_F(MigrateSqliteTest, AuditVerifyDetectsADeletedLastEntry) {
  ASSERT_EQ(personae({"migrate"}).exit_status, 0);
  sqlite_exec(database_file(),
              "DELETE FROM audit_log WHERE sequence = (SELECT MAX(sequence) FROM audit_log)");
  EXPECT_EQ(personae({"audit", "verify"}).exit_status, 1);
}

class PostgresCliTest : public ::testing::Test {
 protected:
  static PostgresServer& server() { return shared_postgres_server(); }

  TempDir dir_;
};

TEST_F(PostgresCliTest, ServeWaitsForMigrationsThenBecomesReady) {
  const auto url = server().create_database("serve_ready");
  ServeProcess serve({dir_.path() / "var", {"--database-url", url}, {}, false});
  // PostgreSQL is not migrated automatically: /ready says why until `personae migrate` runs.
  const auto not_ready = serve.get("/ready");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_THAT(nlohmann::json::parse(not_ready.body)["detail"].get<std::string>(), HasSubstr("pending"));

  const auto migrated = run_personae({"migrate", "--database-url", url});
  ASSERT_EQ(migrated.exit_status, 0) << migrated.standard_error;
  EXPECT_EQ(serve.get("/ready").status, 200);
  EXPECT_GE(nlohmann::json::parse(serve.get("/api/v1/audit/head").body)["sequence"].get<int>(), 1);
  EXPECT_EQ(serve.terminate(), 0);
}

TEST_F(PostgresCliTest, WorkerRefusesAnUnmigratedDatabase) {
  const auto url = server().create_database("worker_unmigrated");
  const auto result = run_personae({"worker", "--database-url", url});
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_THAT(result.standard_error, HasSubstr("personae migrate"));
}

TEST_F(PostgresCliTest, WorkerConnectsWaitsAndStopsOnSigterm) {
  const auto url = server().create_database("worker_waits");
  ASSERT_EQ(run_personae({"migrate", "--database-url", url}).exit_status, 0);
  ChildProcess::Options options;
  options.arguments = {personae_binary(), "worker", "--database-url", url, "--listen", "127.0.0.1:0"};
  ChildProcess worker(std::move(options));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (worker.standard_error().find("worker ready") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline && worker.running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_THAT(worker.standard_error(), HasSubstr("worker ready"));
  worker.signal(SIGTERM);
  EXPECT_EQ(worker.wait(std::chrono::seconds(30)), 0);
}

}  // namespace
}  // namespace personae::testing

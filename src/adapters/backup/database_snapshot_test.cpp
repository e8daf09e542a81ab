#include "adapters/backup/database_snapshot.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "tests/support/postgres_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;

void sqlite_exec(sqlite3* handle, const std::string& sql) {
  char* message = nullptr;
  ASSERT_EQ(sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK) << message;
}

long long sqlite_count(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* handle = nullptr;
  sqlite3_open_v2(file.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr);
  long long value = -1;
  if (sqlite3_step(statement) == SQLITE_ROW) value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return value;
}

TEST(SqliteSnapshotTest, CopiesOneConsistentMomentWhileAWriterKeepsWriting) {
  TempDir dir;
  const auto source = dir.path() / "live.db";
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(source.c_str(), &writer), SQLITE_OK);
  sqlite_exec(writer,
              "PRAGMA journal_mode=WAL; CREATE TABLE pairs (a INTEGER, b INTEGER);"
              "CREATE TABLE keys (blob_key TEXT);"
              "INSERT INTO keys VALUES ('t1/bbb'), ('t1/aaa');");
  for (int i = 0; i < 2000; ++i) sqlite_exec(writer, "INSERT INTO pairs VALUES (1, 1)");

  // Every write inserts into both tables in one transaction: a consistent copy has equal counts.
  std::atomic<bool> stop{false};
  std::thread load([&] {
    sqlite3_busy_timeout(writer, 5000);
    while (!stop) {
      sqlite3_exec(writer,
                   "BEGIN; INSERT INTO pairs VALUES (2, 2); INSERT INTO keys VALUES ('t2/ccc'); COMMIT;",
                   nullptr, nullptr, nullptr);
    }
  });
  for (int round = 0; round < 5; ++round) {
    const auto copy = dir.path() / ("copy" + std::to_string(round) + ".db");
    const auto keys = snapshot_sqlite(source, copy, "SELECT DISTINCT blob_key FROM keys ORDER BY blob_key");
    ASSERT_TRUE(keys.has_value()) << keys.error().message;
    const auto twos = sqlite_count(copy, "SELECT COUNT(*) FROM pairs WHERE a = 2");
    const auto copied_keys = sqlite_count(copy, "SELECT COUNT(*) FROM keys WHERE blob_key = 't2/ccc'");
    EXPECT_EQ(twos, copied_keys) << "the copy mixes two moments";
    EXPECT_EQ(keys->size(), twos > 0 ? 3U : 2U) << "the query saw another moment than the copy";
    EXPECT_TRUE(check_sqlite_integrity(copy).has_value());
  }
  stop = true;
  load.join();
  sqlite3_close(writer);
}

TEST(SqliteSnapshotTest, AnswersTheQueryInOrder) {
  TempDir dir;
  const auto source = dir.path() / "db.sqlite";
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(source.c_str(), &handle), SQLITE_OK);
  sqlite_exec(handle, "CREATE TABLE keys (blob_key TEXT); INSERT INTO keys VALUES ('b'), ('a'), ('b');");
  sqlite3_close(handle);
  const auto keys =
      snapshot_sqlite(source, dir.path() / "copy.db", "SELECT DISTINCT blob_key FROM keys ORDER BY 1");
  ASSERT_TRUE(keys.has_value());
  EXPECT_THAT(*keys, ElementsAre("a", "b"));
}

TEST(SqliteSnapshotTest, AMissingOrDamagedDatabaseIsAClearError) {
  TempDir dir;
  const auto missing = snapshot_sqlite(dir.path() / "none.db", dir.path() / "copy.db", "SELECT 1");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);

  std::ofstream(dir.path() / "garbage.db") << std::string(8192, 'g');
  const auto damaged = check_sqlite_integrity(dir.path() / "garbage.db");
  ASSERT_FALSE(damaged.has_value());
  EXPECT_EQ(damaged.error().code, ErrorCode::kInvalidArgument);
}

TEST(PostgresToolEnvironmentTest, PutsTheConnectionAndPasswordInTheEnvironmentOnly) {
  const auto environment =
      postgres_tool_environment("postgresql://ana:s3cret@db.example:6543/personae?sslmode=require");
  ASSERT_TRUE(environment.has_value());
  EXPECT_EQ(environment->at("PGHOST"), "db.example");
  EXPECT_EQ(environment->at("PGPORT"), "6543");
  EXPECT_EQ(environment->at("PGDATABASE"), "personae");
  EXPECT_EQ(environment->at("PGUSER"), "ana");
  EXPECT_EQ(environment->at("PGPASSWORD"), "s3cret");
  EXPECT_EQ(environment->at("PGSSLMODE"), "require");
  EXPECT_EQ(environment->at("PGOPTIONS"), "-c app.rls_bypass=on");

  const auto broken = postgres_tool_environment("postgresql://ana:s3cret@db.example:notaport/x?bogus=1");
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().message.find("s3cret"), std::string::npos);
}

/// A libpq connection for the test's own statements.
class PgConnection {
 public:
  explicit PgConnection(const std::string& url) : connection_(PQconnectdb(url.c_str())) {
    EXPECT_EQ(PQstatus(connection_), CONNECTION_OK) << PQerrorMessage(connection_);
  }
  ~PgConnection() { PQfinish(connection_); }
  std::string run(const std::string& sql) {
    PGresult* result = PQexec(connection_, sql.c_str());
    const auto status = PQresultStatus(result);
    EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        << sql << ": " << PQerrorMessage(connection_);
    std::string value = status == PGRES_TUPLES_OK && PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
    PQclear(result);
    return value;
  }

 private:
  PGconn* connection_;
};

class PostgresDumpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::shared_postgres_server().create_application_database();
    PgConnection setup(url_);
    // The shape of Personae's tenant-owned tables: FORCEd row-level security that only a
    // transaction scoped to the tenant, or with the bypass, gets through.
    setup.run(
        "CREATE TABLE notes (tenant_id TEXT NOT NULL, body TEXT NOT NULL);"
        "ALTER TABLE notes ENABLE ROW LEVEL SECURITY; ALTER TABLE notes FORCE ROW LEVEL SECURITY;"
        "CREATE POLICY notes_tenant ON notes USING (tenant_id = current_setting('app.tenant_id', true) "
        "OR current_setting('app.rls_bypass', true) = 'on') WITH CHECK (tenant_id = "
        "current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on');"
        "CREATE TABLE plain (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, word TEXT);"
        "SET app.rls_bypass = 'on';"
        "INSERT INTO notes SELECT 't' || (i % 3), 'note ' || i FROM generate_series(1, 1000) i;"
        "INSERT INTO plain (word) VALUES ('one'), ('two');");
    environment_ = *postgres_tool_environment(url_);
  }

  std::filesystem::path dump() {
    const auto file = dir_.path() / "db.dump";
    PgConnection snapshot_holder(url_);
    snapshot_holder.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const auto snapshot = snapshot_holder.run("SELECT pg_export_snapshot()");
    PgConnection writer(url_);  // a write after the snapshot must not be in the dump
    writer.run("INSERT INTO plain (word) VALUES ('after')");
    const auto dumped = dump_postgres(tools_, environment_, snapshot, file);
    EXPECT_TRUE(dumped.has_value()) << dumped.error().message;
    snapshot_holder.run("COMMIT");
    return file;
  }

  std::string count(const std::string& sql) {
    PgConnection reader(url_);
    reader.run("SET app.rls_bypass = 'on'");
    return reader.run(sql);
  }

  TempDir dir_;
  std::string url_;
  std::map<std::string, std::string> environment_;
  PostgresTools tools_;
};

TEST_F(PostgresDumpTest, RestoresEveryTenantsRowsAndReplacesWhatChanged) {
  const auto file = dump();
  {
    PgConnection changer(url_);
    changer.run(
        "SET app.rls_bypass = 'on'; DELETE FROM notes WHERE tenant_id = 't1'; DROP TABLE plain;"
        "CREATE TABLE newer (x INT)");
  }
  const auto restored = restore_postgres(tools_, environment_, file, dir_.path());
  ASSERT_TRUE(restored.has_value()) << restored.error().message;
  EXPECT_EQ(count("SELECT COUNT(*) FROM notes"), "1000");
  EXPECT_EQ(count("SELECT COUNT(*) FROM notes WHERE tenant_id = 't1'"), "334");
  EXPECT_EQ(count("SELECT string_agg(word, ',' ORDER BY id) FROM plain"), "one,two");
  EXPECT_EQ(count("SELECT COUNT(*) FROM pg_tables WHERE tablename = 'newer'"), "0");
  // The policies came back, FORCEd: without the bypass or a tenant, nothing is visible.
  PgConnection plain_reader(url_);
  EXPECT_EQ(plain_reader.run("SELECT COUNT(*) FROM notes"), "0");
  EXPECT_EQ(count("SELECT relforcerowsecurity::text FROM pg_class WHERE relname = 'notes'"), "true");
  // Identity columns continue after the restored rows (sequences are not transactional: the dump
  // holds the value at the time it read it, 3 here, so the next id is 4: a gap, never a collision).
  PgConnection inserter(url_);
  EXPECT_GT(std::stoi(inserter.run("INSERT INTO plain (word) VALUES ('three') RETURNING id")), 2);
}

TEST_F(PostgresDumpTest, ATruncatedDumpIsRefusedBeforeAnythingChanges) {
  const auto file = dump();
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::ofstream(dir_.path() / "cut.dump", std::ios::binary) << bytes.substr(0, bytes.size() * 2 / 3);
  const auto restored = restore_postgres(tools_, environment_, dir_.path() / "cut.dump", dir_.path());
  ASSERT_FALSE(restored.has_value());
  EXPECT_EQ(restored.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(restored.error().message, HasSubstr("failed"));
  EXPECT_EQ(count("SELECT string_agg(word, ',' ORDER BY id) FROM plain"), "one,two,after");
  EXPECT_EQ(count("SELECT COUNT(*) FROM notes"), "1000");
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "restore.sql"));
}

TEST_F(PostgresDumpTest, ARestoreThatFailsHalfwayIsRolledBack) {
  const auto file = dump();
  // A table of the dump's name that the application role does not own (so the restore does not
  // drop it) makes the restore fail after it has dropped and recreated other tables.
  {
    PgConnection changer(url_);
    changer.run("SET app.rls_bypass = 'on'; DELETE FROM notes WHERE tenant_id = 't0'; DROP TABLE plain");
  }
  const auto database = url_.substr(url_.rfind('/') + 1);
  testing::shared_postgres_server().psql(database, "CREATE TABLE public.plain (other INT)");
  const auto restored = restore_postgres(tools_, environment_, file, dir_.path());
  ASSERT_FALSE(restored.has_value());
  EXPECT_THAT(restored.error().message, HasSubstr("restoring the database failed"));
  EXPECT_THAT(restored.error().message, HasSubstr("plain"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM notes"), "667") << "the drop was not rolled back";
}

TEST_F(PostgresDumpTest, AMissingToolIsNamed) {
  tools_.pg_dump = "/nonexistent/pg_dump";
  const auto dumped = dump_postgres(tools_, environment_, "00000003-1", dir_.path() / "x.dump");
  ASSERT_FALSE(dumped.has_value());
  EXPECT_THAT(dumped.error().message, HasSubstr("/nonexistent/pg_dump"));
}

TEST_F(PostgresDumpTest, AnUnknownSnapshotFailsWithPgDumpsMessage) {
  const auto dumped = dump_postgres(tools_, environment_, "00000003-000000FF-1", dir_.path() / "x.dump");
  ASSERT_FALSE(dumped.has_value());
  EXPECT_THAT(dumped.error().message, HasSubstr("pg_dump failed"));
  EXPECT_THAT(dumped.error().message, HasSubstr("snapshot"));
}

}  // namespace
}  // namespace personae

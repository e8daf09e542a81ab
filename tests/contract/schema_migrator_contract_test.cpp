#include <soci/soci.h>

#include <algorithm>
#include <deque>
#include <future>
#include <map>

#include "adapters/db/migration_files.hpp"
#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_audit_log_repository.hpp"
#include "adapters/db/sql_migrator.hpp"
#include "core/error.hpp"
#include "tests/contract/contract_fixture.hpp"

namespace personae::testing {
namespace {

// The real migrations plus extra ones (the same SQL for both dialects), to exercise ordering,
// targets and rollback over more than one step.
class MigrationFiles {
 public:
  explicit MigrationFiles(int extra, const std::map<std::string, std::string>& replaced = {}) {
    for (const EmbeddedFile& file : db_migration_files())
      add(std::string(file.name), std::string(file.contents));
    const int base = static_cast<int>(parse_migration_files(db_migration_files(), Dialect::kSqlite).size());
    for (int i = 1; i <= extra; ++i) {
      char number[16];
      std::snprintf(number, sizeof(number), "%04d", base + i);
      const std::string table = "extra_" + std::to_string(i);
      for (const char* folder : {"sqlite", "postgresql"}) {
        const std::string stem = std::string(folder) + "/" + number + "_extra_" + std::to_string(i);
        add(stem + ".up.sql", "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY);\nCREATE INDEX " + table +
                                  "_id ON " + table + " (id);\n");
        add(stem + ".down.sql", "DROP INDEX " + table + "_id;\nDROP TABLE " + table + ";\n");
      }
    }
    for (const auto& [name, contents] : replaced) {
      for (auto& [file_name, file_contents] : storage_) {
        if (file_name == name) file_contents = contents;
      }
    }
    for (const auto& [name, contents] : storage_) files_.push_back(EmbeddedFile{name, contents});
  }
  std::span<const EmbeddedFile> files() const { return files_; }

 private:
  void add(std::string name, std::string contents) {
    storage_.emplace_back(std::move(name), std::move(contents));
  }

  std::deque<std::pair<std::string, std::string>> storage_;
  std::vector<EmbeddedFile> files_;
};

class SchemaMigratorContractTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    database_ = open();
  }

  bool table_exists(const std::string& table) {
    const std::string sql =
        dialect() == Dialect::kSqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'"
            : "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = "
              "'" +
                  table + "'";
    return query_number(*database_, sql) > 0;
  }

  std::vector<AuditEntry> system_audit() {
    SqlAuditLogRepository repository;
    return database_->read([&](Transaction& tx) { return repository.list(tx, std::nullopt, 0, 100); });
  }

  int latest() const {
    return static_cast<int>(parse_migration_files(db_migration_files(), dialect()).size());
  }

  FakeClock clock_;
  std::unique_ptr<SociDatabase> database_;
};

ErrorCode code_of(const std::function<void()>& action, std::string* message = nullptr) {
  try {
    action();
  } catch (const AppError& error) {
    if (message != nullptr) *message = error.error().message;
    return error.error().code;
  }
  ADD_FAILURE() << "expected an AppError";
  return ErrorCode::kInternal;
}

TEST_P(SchemaMigratorContractTest, FreshDatabaseIsAllPending) {
  SqlMigrator migrator(*database_, clock_);
  const SchemaStatus status = migrator.status();
  EXPECT_EQ(status.current_version, 0);
  EXPECT_EQ(status.latest_version, latest());
  ASSERT_EQ(status.migrations.size(), static_cast<std::size_t>(latest()));
  for (const MigrationStatus& migration : status.migrations) {
    EXPECT_EQ(migration.state, MigrationState::kPending);
    EXPECT_FALSE(migration.applied_at_unix_ms.has_value());
    EXPECT_EQ(migration.checksum.size(), 64u);
  }
  ASSERT_TRUE(status.problem().has_value());
  EXPECT_NE(status.problem()->find("pending"), std::string::npos);
}

TEST_P(SchemaMigratorContractTest, MigrateAppliesEverythingAndRecordsChecksums) {
  SqlMigrator migrator(*database_, clock_);
  const std::vector<MigrationStep> steps = migrator.migrate(std::nullopt);
  ASSERT_EQ(steps.size(), static_cast<std::size_t>(latest()));
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i].version, static_cast<int>(i) + 1);
    EXPECT_TRUE(steps[i].up);
  }
  EXPECT_EQ(steps[0].name, "audit_log");
  const SchemaStatus status = migrator.status();
  EXPECT_EQ(status.current_version, latest());
  EXPECT_EQ(status.problem(), std::nullopt);
  for (std::size_t i = 0; i < status.migrations.size(); ++i) {
    EXPECT_EQ(status.migrations[i].state, MigrationState::kApplied);
    EXPECT_EQ(status.migrations[i].checksum, migrator.migrations()[i].checksum);
    EXPECT_EQ(status.migrations[i].applied_at_unix_ms, clock_.now_unix_ms());
  }
  EXPECT_TRUE(table_exists("audit_log"));
  EXPECT_TRUE(table_exists("audit_chain_head"));
  const std::vector<AuditEntry> audit = system_audit();
  ASSERT_EQ(audit.size(), static_cast<std::size_t>(latest()));
  EXPECT_EQ(audit[0].actor, "system");
  EXPECT_EQ(audit[0].action, "schema.migrated");
  EXPECT_EQ(audit[0].target, "schema:1");
  EXPECT_FALSE(audit[0].tenant_id.has_value());
}

TEST_P(SchemaMigratorContractTest, SecondRunIsANoOp) {
  SqlMigrator migrator(*database_, clock_);
  migrator.migrate(std::nullopt);
  clock_.advance(std::chrono::hours(1));
  EXPECT_TRUE(SqlMigrator(*database_, clock_).migrate(std::nullopt).empty());
  EXPECT_EQ(system_audit().size(), static_cast<std::size_t>(latest()));
}

TEST_P(SchemaMigratorContractTest, MigratesToATargetThenDownToZeroAndBackUp) {
  const MigrationFiles files(2);
  SqlMigrator migrator(*database_, clock_, files.files());
  const int top = latest() + 2;
  auto steps = migrator.migrate(latest() + 1);
  ASSERT_EQ(steps.size(), static_cast<std::size_t>(latest() + 1));
  EXPECT_TRUE(table_exists("extra_1"));
  EXPECT_FALSE(table_exists("extra_2"));
  EXPECT_EQ(migrator.status().current_version, latest() + 1);
  EXPECT_EQ(*migrator.status().problem(), "1 migration pending (run `personae migrate`)");

  steps = migrator.migrate(std::nullopt);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].version, top);

  steps = migrator.migrate(latest());
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].version, top);
  EXPECT_FALSE(steps[0].up);
  EXPECT_EQ(steps[1].version, top - 1);
  EXPECT_FALSE(table_exists("extra_1"));
  const std::vector<AuditEntry> audit = system_audit();
  ASSERT_GE(audit.size(), 2u);
  EXPECT_EQ(audit.back().action, "schema.rolled_back");
  EXPECT_EQ(audit.back().target, "schema:" + std::to_string(top - 1));

  steps = migrator.migrate(0);
  ASSERT_EQ(steps.size(), static_cast<std::size_t>(latest()));
  EXPECT_EQ(steps.back().version, 1);
  EXPECT_FALSE(table_exists("audit_log"));
  SchemaStatus status = migrator.status();
  EXPECT_EQ(status.current_version, 0);
  for (const MigrationStatus& migration : status.migrations)
    EXPECT_EQ(migration.state, MigrationState::kPending);

  steps = migrator.migrate(std::nullopt);
  EXPECT_EQ(steps.size(), static_cast<std::size_t>(top));
  status = migrator.status();
  EXPECT_EQ(status.current_version, top);
  EXPECT_EQ(status.problem(), std::nullopt);
}

TEST_P(SchemaMigratorContractTest, RejectsTargetsOutOfRange) {
  SqlMigrator migrator(*database_, clock_);
  std::string message;
  EXPECT_EQ(code_of([&] { migrator.migrate(latest() + 1); }, &message), ErrorCode::kInvalidArgument);
  EXPECT_NE(message.find(std::to_string(latest() + 1)), std::string::npos) << message;
  EXPECT_EQ(code_of([&] { migrator.migrate(-1); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(migrator.status().current_version, 0);
}

TEST_P(SchemaMigratorContractTest, RefusesAChangedMigrationAndTouchesNothing) {
  SqlMigrator(*database_, clock_).migrate(std::nullopt);
  const std::string file = std::string(migration_folder(dialect())) + "/0001_audit_log.up.sql";
  const MigrationFiles changed(1, {{file, "CREATE TABLE audit_log (id BIGINT);"}});
  SqlMigrator migrator(*database_, clock_, changed.files());
  std::string message;
  EXPECT_EQ(code_of([&] { migrator.migrate(std::nullopt); }, &message), ErrorCode::kFailedPrecondition);
  EXPECT_NE(message.find("migration 0001_audit_log was changed after it was applied"), std::string::npos)
      << message;
  EXPECT_FALSE(table_exists("extra_1"));
  const SchemaStatus status = migrator.status();
  EXPECT_EQ(status.migrations[0].state, MigrationState::kChanged);
  EXPECT_EQ(status.migrations.back().state, MigrationState::kPending);
  ASSERT_TRUE(status.problem().has_value());
  EXPECT_NE(status.problem()->find("0001_audit_log was changed"), std::string::npos);
  EXPECT_EQ(system_audit().size(), static_cast<std::size_t>(latest()));
  // Rolling back is refused too: the down-script may not match what was applied.
  EXPECT_EQ(code_of([&] { migrator.migrate(0); }), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(table_exists("audit_log"));
}

TEST_P(SchemaMigratorContractTest, RefusesADatabaseMigratedByANewerBinary) {
  const MigrationFiles newer(1);
  SqlMigrator(*database_, clock_, newer.files()).migrate(std::nullopt);
  SqlMigrator older(*database_, clock_);
  const SchemaStatus status = older.status();
  EXPECT_EQ(status.current_version, latest() + 1);
  ASSERT_EQ(status.migrations.size(), static_cast<std::size_t>(latest() + 1));
  EXPECT_EQ(status.migrations.back().state, MigrationState::kUnknown);
  EXPECT_TRUE(status.migrations.back().checksum.empty());
  ASSERT_TRUE(status.problem().has_value());
  EXPECT_NE(status.problem()->find("does not know"), std::string::npos);
  std::string message;
  EXPECT_EQ(code_of([&] { older.migrate(std::nullopt); }, &message), ErrorCode::kFailedPrecondition);
  EXPECT_NE(message.find("_extra_1"), std::string::npos) << message;
  EXPECT_TRUE(table_exists("extra_1"));
}

TEST_P(SchemaMigratorContractTest, ConcurrentMigratorsApplyEachMigrationOnce) {
  const MigrationFiles files(3);
  // Separate databases objects: separate connections, as two processes would have.
  auto other = open();
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  const auto run = [&](Database& database) {
    start.wait();
    return SqlMigrator(database, clock_, files.files()).migrate(std::nullopt);
  };
  auto first = std::async(std::launch::async, run, std::ref(*database_));
  auto second = std::async(std::launch::async, run, std::ref(*other));
  go.set_value();
  const auto a = first.get();
  const auto b = second.get();
  std::vector<int> versions;
  for (const auto& step : a) versions.push_back(step.version);
  for (const auto& step : b) versions.push_back(step.version);
  std::sort(versions.begin(), versions.end());
  std::vector<int> expected(latest() + 3);
  for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<int>(i) + 1;
  EXPECT_EQ(versions, expected);
  EXPECT_EQ(SqlMigrator(*database_, clock_, files.files()).status().problem(), std::nullopt);
  EXPECT_EQ(system_audit().size(), expected.size());
}

INSTANTIATE_TEST_SUITE_P(Backends, SchemaMigratorContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql), backend_name);

}  // namespace
}  // namespace personae::testing

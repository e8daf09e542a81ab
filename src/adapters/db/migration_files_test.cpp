#include "adapters/db/migration_files.hpp"

#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "core/error.hpp"

namespace personae {
namespace {

std::string parse_error(std::vector<EmbeddedFile> files) {
  try {
    parse_migration_files(files, Dialect::kSqlite);
  } catch (const AppError& error) {
    EXPECT_EQ(error.error().code, ErrorCode::kInternal);
    return error.error().message;
  }
  return "no error";
}

TEST(MigrationFilesTest, ParsesOneDialectInVersionOrder) {
  const std::vector<EmbeddedFile> files = {
      {"postgresql/0001_audit_log.down.sql", "pg down"}, {"postgresql/0001_audit_log.up.sql", "pg up"},
      {"sqlite/0001_audit_log.down.sql", "drop 1"},      {"sqlite/0001_audit_log.up.sql", "create 1"},
      {"sqlite/0002_fan_crm_v2.down.sql", "drop 2"},     {"sqlite/0002_fan_crm_v2.up.sql", "create 2"},
  };
  const auto sqlite = parse_migration_files(files, Dialect::kSqlite);
  ASSERT_EQ(sqlite.size(), 2u);
  EXPECT_EQ(sqlite[0].version, 1);
  EXPECT_EQ(sqlite[0].name, "audit_log");
  EXPECT_EQ(sqlite[0].label(), "0001_audit_log");
  EXPECT_EQ(sqlite[0].up_sql, "create 1");
  EXPECT_EQ(sqlite[0].down_sql, "drop 1");
  EXPECT_EQ(sqlite[0].checksum, sha256_hex("create 1"));
  EXPECT_EQ(sqlite[1].label(), "0002_fan_crm_v2");
  const auto postgresql = parse_migration_files(files, Dialect::kPostgresql);
  ASSERT_EQ(postgresql.size(), 1u);
  EXPECT_EQ(postgresql[0].up_sql, "pg up");
}

TEST(MigrationFilesTest, RejectsMalformedNames) {
  EXPECT_NE(parse_error({{"sqlite/001_x.up.sql", ""}}).find("sqlite/001_x.up.sql"), std::string::npos);
  EXPECT_NE(parse_error({{"sqlite/0001_x.sql", ""}}).find("unexpected suffix"), std::string::npos);
  EXPECT_NE(parse_error({{"sqlite/0001-x.up.sql", ""}}).find("four-digit"), std::string::npos);
  EXPECT_NE(parse_error({{"sqlite/000a_x.up.sql", ""}}).find("four-digit"), std::string::npos);
  EXPECT_NE(parse_error({{"sqlite/0001_Audit.up.sql", ""}}).find("snake_case"), std::string::npos);
  EXPECT_NE(parse_error({{"sqlite/0001_a__b.up.sql", ""}}).find("snake_case"), std::string::npos);
  EXPECT_NE(parse_error({{"sqlite/0001_.up.sql", ""}}).find("sqlite/0001_.up.sql"), std::string::npos);
  EXPECT_NE(parse_error({{"sqlite/0000_zero.up.sql", ""}}).find("version 0"), std::string::npos);
  EXPECT_NE(parse_error({{"sqlite/0001_x.up.sql.bak", ""}}).find("unexpected suffix"), std::string::npos);
}

TEST(MigrationFilesTest, RejectsGapsDuplicatesAndMissingScripts) {
  EXPECT_NE(parse_error({{"sqlite/0001_a.up.sql", ""},
                         {"sqlite/0001_a.down.sql", ""},
                         {"sqlite/0003_c.up.sql", ""},
                         {"sqlite/0003_c.down.sql", ""}})
                .find("without a gap"),
            std::string::npos);
  EXPECT_NE(
      parse_error({{"sqlite/0001_a.up.sql", ""}, {"sqlite/0001_b.up.sql", ""}}).find("duplicate version"),
      std::string::npos);
  EXPECT_NE(parse_error({{"sqlite/0001_a.up.sql", ""}}).find("has no .down.sql"), std::string::npos);
  EXPECT_NE(parse_error({{"sqlite/0001_a.down.sql", ""}}).find("has no .up.sql"), std::string::npos);
  EXPECT_NE(parse_error({{"sqlite/0001_a.up.sql", ""}, {"sqlite/0001_a.up.sql", ""}}).find("appears twice"),
            std::string::npos);
  EXPECT_NE(parse_error({{"sqlite/0002_b.up.sql", ""}, {"sqlite/0002_b.down.sql", ""}}).find("without a gap"),
            std::string::npos);
}

TEST(MigrationFilesTest, EmbeddedMigrationsAreWellFormedAndAlikeInBothDialects) {
  const auto sqlite = parse_migration_files(db_migration_files(), Dialect::kSqlite);
  const auto postgresql = parse_migration_files(db_migration_files(), Dialect::kPostgresql);
  ASSERT_FALSE(sqlite.empty());
  ASSERT_EQ(sqlite.size(), postgresql.size());
  for (std::size_t i = 0; i < sqlite.size(); ++i) EXPECT_EQ(sqlite[i].label(), postgresql[i].label());
  for (const EmbeddedFile& file : db_migration_files()) {
    EXPECT_TRUE(file.name.starts_with("sqlite/") || file.name.starts_with("postgresql/")) << file.name;
  }
}

}  // namespace
}  // namespace personae

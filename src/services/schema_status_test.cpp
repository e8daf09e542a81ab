#include <gtest/gtest.h>

#include "ports/schema_migrator.hpp"

namespace personae {
namespace {

MigrationStatus migration(int version, std::string name, MigrationState state) {
  MigrationStatus status;
  status.version = version;
  status.name = std::move(name);
  status.state = state;
  return status;
}

TEST(SchemaStatusTest, NoProblemWhenEverythingIsApplied) {
  SchemaStatus status{2,
                      2,
                      {migration(1, "audit_log", MigrationState::kApplied),
                       migration(2, "tenants", MigrationState::kApplied)}};
  EXPECT_EQ(status.problem(), std::nullopt);
  EXPECT_EQ(SchemaStatus{}.problem(), std::nullopt);
}

TEST(SchemaStatusTest, CountsPendingMigrations) {
  SchemaStatus one{1,
                   2,
                   {migration(1, "audit_log", MigrationState::kApplied),
                    migration(2, "tenants", MigrationState::kPending)}};
  EXPECT_EQ(one.problem(), "1 migration pending (run `personae migrate`)");
  SchemaStatus two{0,
                   2,
                   {migration(1, "audit_log", MigrationState::kPending),
                    migration(2, "tenants", MigrationState::kPending)}};
  EXPECT_EQ(two.problem(), "2 migrations pending (run `personae migrate`)");
}

TEST(SchemaStatusTest, ChangedAndUnknownComeFirst) {
  SchemaStatus changed{
      2,
      3,
      {migration(1, "audit_log", MigrationState::kChanged), migration(2, "tenants", MigrationState::kApplied),
       migration(3, "posts", MigrationState::kPending)}};
  EXPECT_EQ(changed.problem(), "migration 0001_audit_log was changed after it was applied");
  SchemaStatus unknown{7,
                       1,
                       {migration(1, "audit_log", MigrationState::kApplied),
                        migration(7, "future", MigrationState::kUnknown)}};
  ASSERT_TRUE(unknown.problem().has_value());
  EXPECT_NE(unknown.problem()->find("0007_future"), std::string::npos);
}

}  // namespace
}  // namespace personae

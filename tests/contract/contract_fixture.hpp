#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "adapters/db/soci_database.hpp"
#include "ports/clock.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {

enum class Backend { kSqlite, kPostgresql };

/// "Sqlite" / "Postgresql", for test names.
std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

/// A clock that tests set and advance.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t unix_ms = 1'750'000'000'000) : unix_ms_(unix_ms) {}
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(unix_ms_.load()));
  }
  void advance(std::chrono::milliseconds by) { unix_ms_ += by.count(); }

 private:
  std::atomic<std::int64_t> unix_ms_;
};

/// Each test gets an empty database of the backend under test: a new SQLite file, or a new
/// database on the shared throwaway PostgreSQL server.
class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;

  /// Opens the test's database (options.url is filled in when empty).
  std::unique_ptr<SociDatabase> open(SociDatabaseOptions options = {}) const;

  /// Runs one SQL statement in its own write transaction (for tampering and fixtures).
  static void execute(Database& database, const std::string& sql);
  /// Runs a COUNT(*)-like query returning one integer.
  static long long query_number(Database& database, const std::string& sql);

  Dialect dialect() const { return GetParam() == Backend::kSqlite ? Dialect::kSqlite : Dialect::kPostgresql; }

  TempDir temp_dir_;
  std::string url_;
};

}  // namespace personae::testing

#include <future>

#include "adapters/db/soci_database.hpp"
#include "adapters/db/sql_audit_log_repository.hpp"
#include "adapters/db/sql_migrator.hpp"
#include "core/error.hpp"
#include "services/audit_log_service.hpp"
#include "tests/contract/contract_fixture.hpp"
#include "tests/support/postgres_server.hpp"

namespace personae::testing {
namespace {

ErrorCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const AppError& error) {
    return error.error().code;
  }
  return ErrorCode::kInternal;
}

// Fault injection needs a server of its own: stopping the shared one would disturb other tests.
TEST(PostgresFaultTest, ReconnectsAfterTheServerRestarts) {
  PostgresServer server;
  SociDatabaseOptions options;
  options.url = server.create_database("faults");
  options.pool_size = 2;
  SociDatabase database(options);
  FakeClock clock;
  SqlMigrator(database, clock).migrate(std::nullopt);
  SqlAuditLogRepository repository;
  AuditLogService audit(database, repository, clock);
  NewAuditEntry entry{std::nullopt, "system", "test.event", "test:1"};

  // Open both pooled connections.
  std::promise<void> both;
  std::shared_future<void> ready = both.get_future().share();
  std::atomic<int> inside{0};
  const auto hold = [&] {
    database.read([&](Transaction&) {
      if (++inside == 2) both.set_value();
      ready.wait();
    });
  };
  std::thread first(hold);
  std::thread second(hold);
  first.join();
  second.join();
  ASSERT_EQ(database.pool_stats().size, 2u);

  server.restart();
  EXPECT_EQ(code_of([&] { audit.append(entry); }), ErrorCode::kUnavailable);
  // The broken connection is reopened, and the other idle one is checked before use.
  for (int i = 0; i < 4; ++i) audit.append(entry);
  database.ping();
  EXPECT_TRUE(audit.verify(std::nullopt).intact);
}

TEST(PostgresFaultTest, FailsWhileTheServerIsDownAndRecovers) {
  PostgresServer server;
  SociDatabaseOptions options;
  options.url = server.create_database("outage");
  options.connect_timeout = std::chrono::milliseconds(2000);
  SociDatabase database(options);
  database.ping();
  server.stop();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(code_of([&] { database.ping(); }), ErrorCode::kUnavailable);
  EXPECT_EQ(code_of([&] { database.read([](Transaction&) {}); }), ErrorCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(database.pool_stats().in_use, 0u);
  server.start();
  database.ping();
  database.write([](Transaction&) {});
}

TEST(PostgresDatabaseTest, SeparatePasswordIsUsedAndNeverShown) {
  SociDatabaseOptions options;
  options.url = shared_postgres_server().create_unique_database();
  options.password = "p@ss w&rd";  // trust authentication accepts any password
  SociDatabase database(options);
  database.ping();
  EXPECT_EQ(database.redacted_url().find("p@ss"), std::string::npos);
  options.url = "postgresql://personae:inline@127.0.0.1:1/x";
  EXPECT_THROW(SociDatabase{options}, ConfigError);
}

}  // namespace
}  // namespace personae::testing

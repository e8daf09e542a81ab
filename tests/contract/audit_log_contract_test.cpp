#include <soci/soci.h>

#include <set>
#include <thread>

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_audit_log_repository.hpp"
#include "adapters/db/sql_migrator.hpp"
#include "core/error.hpp"
#include "services/audit_log_service.hpp"
#include "tests/contract/contract_fixture.hpp"

namespace personae::testing {
namespace {

class AuditLogContractTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    SociDatabaseOptions options;
    options.pool_size = 4;
    database_ = open(options);
    // Start from an empty chain: the migration itself writes to the system chain.
    SqlMigrator(*database_, clock_).migrate(std::nullopt);
    execute(*database_, "DELETE FROM audit_log");
    execute(*database_, "DELETE FROM audit_chain_head");
    service_ = std::make_unique<AuditLogService>(*database_, repository_, clock_);
  }

  static NewAuditEntry entry(std::optional<std::string> tenant, std::string target) {
    NewAuditEntry entry;
    entry.tenant_id = std::move(tenant);
    entry.actor = "user:1";
    entry.action = "persona.updated";
    entry.target = std::move(target);
    entry.details = R"({"field":"bio","note":"caf\u00e9 \"quoted\""})";
    return entry;
  }

  void append_many(const std::optional<std::string>& tenant, int count) {
    for (int i = 1; i <= count; ++i) {
      service_->append(entry(tenant, "persona:" + std::to_string(i)));
      clock_.advance(std::chrono::milliseconds(1));
    }
  }

  static std::string chain_key(const std::optional<std::string>& tenant) { return tenant.value_or(""); }

  FakeClock clock_;
  std::unique_ptr<SociDatabase> database_;
  SqlAuditLogRepository repository_;
  std::unique_ptr<AuditLogService> service_;
};

TEST_P(AuditLogContractTest, EmptyChainHasTheGenesisHead) {
  const AuditHead head = service_->head("tenant-a");
  EXPECT_EQ(head.sequence, 0);
  EXPECT_EQ(head.hash, kAuditGenesisHash);
  const AuditVerification result = service_->verify("tenant-a");
  EXPECT_TRUE(result.intact);
  EXPECT_EQ(result.entries_checked, 0);
}

TEST_P(AuditLogContractTest, AppendBuildsAChain) {
  std::vector<AuditEntry> appended;
  for (int i = 1; i <= 3; ++i) {
    appended.push_back(service_->append(entry("tenant-a", "persona:" + std::to_string(i))));
    clock_.advance(std::chrono::seconds(1));
  }
  EXPECT_EQ(appended[0].sequence, 1);
  EXPECT_EQ(appended[0].previous_hash, kAuditGenesisHash);
  for (std::size_t i = 1; i < appended.size(); ++i) {
    EXPECT_EQ(appended[i].sequence, static_cast<std::int64_t>(i) + 1);
    EXPECT_EQ(appended[i].previous_hash, appended[i - 1].hash);
    EXPECT_EQ(appended[i].occurred_at_unix_ms, appended[i - 1].occurred_at_unix_ms + 1000);
  }
  const AuditHead head = service_->head("tenant-a");
  EXPECT_EQ(head.sequence, 3);
  EXPECT_EQ(head.hash, appended[2].hash);

  const auto listed =
      database_->read([&](Transaction& tx) { return repository_.list(tx, "tenant-a", 0, 10); });
  ASSERT_EQ(listed.size(), 3u);
  for (std::size_t i = 0; i < listed.size(); ++i) {
    EXPECT_EQ(listed[i].sequence, appended[i].sequence);
    EXPECT_EQ(listed[i].occurred_at_unix_ms, appended[i].occurred_at_unix_ms);
    EXPECT_EQ(listed[i].tenant_id, "tenant-a");
    EXPECT_EQ(listed[i].actor, "user:1");
    EXPECT_EQ(listed[i].action, "persona.updated");
    EXPECT_EQ(listed[i].target, appended[i].target);
    EXPECT_EQ(listed[i].details, entry("tenant-a", "").details);
    EXPECT_EQ(listed[i].previous_hash, appended[i].previous_hash);
    EXPECT_EQ(listed[i].hash, appended[i].hash);
  }
  const AuditVerification result = service_->verify("tenant-a");
  EXPECT_TRUE(result.intact) << result.problem;
  EXPECT_EQ(result.entries_checked, 3);
}

TEST_P(AuditLogContractTest, ListPagesBySequence) {
  append_many(std::nullopt, 5);
  const auto page = [&](std::int64_t after, std::size_t limit) {
    return database_->read([&](Transaction& tx) { return repository_.list(tx, std::nullopt, after, limit); });
  };
  const auto first = page(0, 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].sequence, 1);
  EXPECT_FALSE(first[0].tenant_id.has_value());
  const auto second = page(2, 2);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].sequence, 3);
  EXPECT_EQ(page(4, 2).size(), 1u);
  EXPECT_TRUE(page(5, 2).empty());
  EXPECT_TRUE(page(0, 0).empty());
  EXPECT_EQ(page(0, 1000).size(), 5u);
}

TEST_P(AuditLogContractTest, VerifyReadsAcrossPages) {
  const std::size_t count = AuditLogService::kVerifyPageSize + 5;
  database_->write([&](Transaction& tx) {
    for (std::size_t i = 0; i < count; ++i)
      service_->append(tx, entry("tenant-big", "persona:" + std::to_string(i)));
  });
  const AuditVerification result = service_->verify("tenant-big");
  EXPECT_TRUE(result.intact) << result.problem;
  EXPECT_EQ(result.entries_checked, static_cast<std::int64_t>(count));
}

TEST_P(AuditLogContractTest, AppendInACallersTransactionRollsBackWithIt) {
  EXPECT_THROW(database_->write([&](Transaction& tx) {
    service_->append(tx, entry("tenant-a", "persona:1"));
    throw std::runtime_error("the recorded change failed");
  }),
               std::runtime_error);
  EXPECT_EQ(service_->head("tenant-a").sequence, 0);
  database_->write([&](Transaction& tx) { service_->append(tx, entry("tenant-a", "persona:1")); });
  EXPECT_EQ(service_->head("tenant-a").sequence, 1);
}

TEST_P(AuditLogContractTest, RejectsIncompleteEntries) {
  NewAuditEntry bad = entry("", "persona:1");
  EXPECT_THROW(service_->append(bad), AppError);
  bad = entry("tenant-a", "persona:1");
  bad.action.clear();
  try {
    service_->append(bad);
    FAIL();
  } catch (const AppError& error) {
    EXPECT_EQ(error.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_THROW(database_->write([&](Transaction& tx) { repository_.append(tx, entry("", "x"), 0); }),
               AppError);
}

TEST_P(AuditLogContractTest, VerifyDetectsAnEditedEntry) {
  append_many("tenant-a", 4);
  execute(*database_,
          "UPDATE audit_log SET details = '{\"field\":\"price\"}' WHERE chain_key = 'tenant-a' AND "
          "sequence = 2");
  const AuditVerification result = service_->verify("tenant-a");
  EXPECT_FALSE(result.intact);
  EXPECT_EQ(result.first_bad_sequence, 2);
  EXPECT_NE(result.problem.find("modified"), std::string::npos) << result.problem;
}

TEST_P(AuditLogContractTest, VerifyDetectsADeletedMiddleEntry) {
  append_many("tenant-a", 4);
  execute(*database_, "DELETE FROM audit_log WHERE chain_key = 'tenant-a' AND sequence = 2");
  const AuditVerification result = service_->verify("tenant-a");
  EXPECT_FALSE(result.intact);
  EXPECT_EQ(result.first_bad_sequence, 2);
  EXPECT_NE(result.problem.find("missing"), std::string::npos) << result.problem;
}

TEST_P(AuditLogContractTest, VerifyDetectsADeletedLastEntry) {
  append_many("tenant-a", 4);
  execute(*database_, "DELETE FROM audit_log WHERE chain_key = 'tenant-a' AND sequence = 4");
  const AuditVerification result = service_->verify("tenant-a");
  EXPECT_FALSE(result.intact);
  EXPECT_EQ(result.first_bad_sequence, 4);
  EXPECT_EQ(result.entries_checked, 3);
  EXPECT_NE(result.problem.find("head"), std::string::npos) << result.problem;
}

TEST_P(AuditLogContractTest, ChainsPerTenantAreIndependent) {
  for (int i = 0; i < 3; ++i) {
    service_->append(entry("tenant-a", "a"));
    service_->append(entry("tenant-b", "b"));
    service_->append(entry(std::nullopt, "system"));
  }
  EXPECT_EQ(service_->head("tenant-a").sequence, 3);
  EXPECT_EQ(service_->head("tenant-b").sequence, 3);
  EXPECT_EQ(service_->head(std::nullopt).sequence, 3);
  EXPECT_NE(service_->head("tenant-a").hash, service_->head("tenant-b").hash);
  execute(*database_, "UPDATE audit_log SET actor = 'user:2' WHERE chain_key = 'tenant-a' AND sequence = 1");
  EXPECT_FALSE(service_->verify("tenant-a").intact);
  EXPECT_TRUE(service_->verify("tenant-b").intact);
  EXPECT_TRUE(service_->verify(std::nullopt).intact);
  EXPECT_EQ(service_->verify("tenant-c").entries_checked, 0);
}

TEST_P(AuditLogContractTest, ConcurrentAppendsFormOneValidChain) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        try {
          service_->append(entry("tenant-hot", "thread:" + std::to_string(t)));
        } catch (const std::exception& error) {
          ADD_FAILURE() << error.what();
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);
  const AuditHead head = service_->head("tenant-hot");
  EXPECT_EQ(head.sequence, kThreads * kPerThread);
  const AuditVerification result = service_->verify("tenant-hot");
  EXPECT_TRUE(result.intact) << result.problem;
  EXPECT_EQ(result.entries_checked, kThreads * kPerThread);
  const auto all =
      database_->read([&](Transaction& tx) { return repository_.list(tx, "tenant-hot", 0, 1000); });
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].sequence, static_cast<std::int64_t>(i) + 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditLogContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql), backend_name);

}  // namespace
}  // namespace personae::testing

#include <atomic>
#include <latch>
#include <thread>

#include "core/error.hpp"
#include "tests/contract/accounts_fixture.hpp"

namespace personae::testing {
namespace {

class SessionContractTest : public AccountsTest {
 protected:
  void SetUp() override {
    AccountsTest::SetUp();
    acme_ = create_tenant("Acme");
    beta_ = create_tenant("Beta");
    ann_ = create_user("ann");
    bob_ = create_user("bob");
    add_member(acme_, ann_, Role::kOwner);
    add_member(beta_, ann_, Role::kViewer);
    add_member(acme_, bob_, Role::kViewer);
  }

  void insert(const Session& session) {
    database_->write([&](Transaction& tx) { sessions_.insert(tx, session); });
  }
  Session find(const std::string& token_hash) {
    const auto found =
        database_->read([&](Transaction& tx) { return sessions_.find_by_token_hash(tx, token_hash); });
    EXPECT_TRUE(found.has_value()) << token_hash;
    return found.value_or(Session{});
  }

  Tenant acme_;
  Tenant beta_;
  User ann_;
  User bob_;
};

TEST_P(SessionContractTest, SessionRoundTripsWithEveryField) {
  Session session = make_session(beta_, ann_, "s-1", "f-1");
  session.used_at_unix_ms = 11;
  session.revoked_at_unix_ms = 12;
  session.revoke_reason = "logout";
  insert(session);
  EXPECT_EQ(find("hash-s-1"), session);
  EXPECT_EQ(database_->read([&](Transaction& tx) { return sessions_.find_by_token_hash(tx, "hash-none"); }),
            std::nullopt);
}

TEST_P(SessionContractTest, DuplicateTokenHashOrNonMemberConflicts) {
  insert(make_session(acme_, ann_, "s-1", "f-1"));
  Session duplicate = make_session(beta_, ann_, "s-2", "f-2");
  duplicate.token_hash = "hash-s-1";
  EXPECT_EQ(error_code_of([&] { insert(duplicate); }), ErrorCode::kConflict);
  // Bob is no member of Beta: a token there cannot exist.
  EXPECT_EQ(error_code_of([&] { insert(make_session(beta_, bob_, "s-3", "f-3")); }), ErrorCode::kConflict);
}

TEST_P(SessionContractTest, RotationMarksUsedOnce) {
  insert(make_session(acme_, ann_, "s-1", "f-1"));
  const std::int64_t now = clock_.now_unix_ms();
  database_->write([&](Transaction& tx) {
    EXPECT_TRUE(sessions_.mark_used(tx, acme_.id, "s-1", now));
    EXPECT_FALSE(sessions_.mark_used(tx, acme_.id, "s-1", now + 1));
    EXPECT_FALSE(sessions_.mark_used(tx, acme_.id, "s-missing", now));
    // Another tenant's id does not reach the row.
    EXPECT_FALSE(sessions_.mark_used(tx, beta_.id, "s-1", now));
  });
  EXPECT_EQ(find("hash-s-1").used_at_unix_ms, now);
}

TEST_P(SessionContractTest, ConcurrentRefreshHasExactlyOneWinner) {
  insert(make_session(acme_, ann_, "s-1", "f-1"));
  constexpr int kRacers = 4;
  std::latch start(kRacers);
  std::atomic<int> winners = 0;
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i] {
      start.arrive_and_wait();
      // Each racer does what the refresh endpoint does: find the token, then try to rotate it.
      const bool won = database_->write([&](Transaction& tx) {
        const std::optional<Session> session = sessions_.find_by_token_hash(tx, "hash-s-1");
        if (!session.has_value() || !sessions_.mark_used(tx, session->tenant_id, session->id, 1'000 + i)) {
          return false;
        }
        Session next = make_session(acme_, ann_, "s-next-" + std::to_string(i), session->family_id);
        sessions_.insert(tx, next);
        return true;
      });
      if (won) ++winners;
    });
  }
  for (std::thread& racer : racers) racer.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(
      database_->read([&](Transaction& tx) { return sessions_.list_active_for_user(tx, ann_.id, 0); }).size(),
      1u);
}

TEST_P(SessionContractTest, RevokingAFamilyRevokesEveryTokenOnce) {
  insert(make_session(acme_, ann_, "s-1", "f-1"));
  insert(make_session(acme_, ann_, "s-2", "f-1"));
  insert(make_session(acme_, ann_, "s-3", "f-other"));
  database_->write([&](Transaction& tx) {
    EXPECT_EQ(sessions_.revoke_family(tx, beta_.id, "f-1", 50, "reuse"), 0);  // wrong tenant
    EXPECT_EQ(sessions_.revoke_family(tx, acme_.id, "f-1", 50, "reuse"), 2);
    EXPECT_EQ(sessions_.revoke_family(tx, acme_.id, "f-1", 60, "logout"), 0);
  });
  const Session revoked = find("hash-s-2");
  EXPECT_EQ(revoked.revoked_at_unix_ms, 50);
  EXPECT_EQ(revoked.revoke_reason, "reuse");
  EXPECT_EQ(find("hash-s-3").revoked_at_unix_ms, std::nullopt);
}

TEST_P(SessionContractTest, RevokingAllOfAUserSpansTenantsAndCanSpareOneFamily) {
  insert(make_session(acme_, ann_, "s-1", "f-1"));
  insert(make_session(beta_, ann_, "s-2", "f-2"));
  insert(make_session(acme_, ann_, "s-3", "f-3"));
  insert(make_session(acme_, bob_, "s-4", "f-4"));
  EXPECT_EQ(database_->write([&](Transaction& tx) {
    return sessions_.revoke_all_for_user(tx, ann_.id, 70, "password_changed", std::string("f-3"));
  }),
            2);
  EXPECT_EQ(find("hash-s-1").revoke_reason, "password_changed");
  EXPECT_EQ(find("hash-s-2").revoked_at_unix_ms, 70);
  EXPECT_EQ(find("hash-s-3").revoked_at_unix_ms, std::nullopt);
  EXPECT_EQ(find("hash-s-4").revoked_at_unix_ms, std::nullopt);

  EXPECT_EQ(database_->write([&](Transaction& tx) {
    return sessions_.revoke_all_for_user(tx, ann_.id, 80, "disabled", std::nullopt);
  }),
            1);
  EXPECT_EQ(find("hash-s-3").revoke_reason, "disabled");
  EXPECT_EQ(find("hash-s-1").revoke_reason, "password_changed");
}

TEST_P(SessionContractTest, ActiveSessionsExcludeUsedRevokedAndExpiredTokens) {
  const std::int64_t now = clock_.now_unix_ms();
  Session active_acme = make_session(acme_, ann_, "s-active-1", "f-1");
  clock_.advance(std::chrono::milliseconds(5));
  Session active_beta = make_session(beta_, ann_, "s-active-2", "f-2");
  Session used = make_session(acme_, ann_, "s-used", "f-1");
  used.used_at_unix_ms = now;
  Session revoked = make_session(acme_, ann_, "s-revoked", "f-3");
  revoked.revoked_at_unix_ms = now;
  Session idle = make_session(acme_, ann_, "s-idle", "f-4");
  idle.expires_at_unix_ms = now + 10;
  Session old_family = make_session(acme_, ann_, "s-old", "f-5");
  old_family.family_expires_at_unix_ms = now + 10;
  for (const Session& session : {active_acme, active_beta, used, revoked, idle, old_family}) insert(session);
  insert(make_session(acme_, bob_, "s-bob", "f-6"));

  const auto active =
      database_->read([&](Transaction& tx) { return sessions_.list_active_for_user(tx, ann_.id, now + 10); });
  EXPECT_EQ(active, (std::vector<Session>{active_beta, active_acme}));
}

TEST_P(SessionContractTest, RetentionDeletesDeadFamiliesWhole) {
  const std::int64_t now = clock_.now_unix_ms();
  // f-live: RT0 used, RT1 active: both stay, so that replaying RT0 is still recognised.
  Session rt0 = make_session(acme_, ann_, "s-rt0", "f-live");
  rt0.used_at_unix_ms = now;
  rt0.expires_at_unix_ms = now + 5;
  insert(rt0);
  insert(make_session(acme_, ann_, "s-rt1", "f-live"));
  // f-revoked: revoked (reuse detected); f-idle: the last token idled out; f-absolute: past its
  // absolute lifetime.
  Session revoked = make_session(acme_, ann_, "s-revoked", "f-revoked");
  revoked.revoked_at_unix_ms = now;
  insert(revoked);
  Session idle = make_session(beta_, ann_, "s-idle", "f-idle");
  idle.expires_at_unix_ms = now + 5;
  insert(idle);
  Session absolute = make_session(acme_, bob_, "s-absolute", "f-absolute");
  absolute.family_expires_at_unix_ms = now + 5;
  insert(absolute);

  EXPECT_EQ(database_->write([&](Transaction& tx) { return sessions_.delete_expired(tx, now + 10); }), 3);
  database_->read([&](Transaction& tx) {
    EXPECT_NE(sessions_.find_by_token_hash(tx, "hash-s-rt0"), std::nullopt);
    EXPECT_NE(sessions_.find_by_token_hash(tx, "hash-s-rt1"), std::nullopt);
    EXPECT_EQ(sessions_.find_by_token_hash(tx, "hash-s-revoked"), std::nullopt);
    EXPECT_EQ(sessions_.find_by_token_hash(tx, "hash-s-idle"), std::nullopt);
    EXPECT_EQ(sessions_.find_by_token_hash(tx, "hash-s-absolute"), std::nullopt);
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql), backend_name);

}  // namespace
}  // namespace personae::testing

#include <atomic>
#include <latch>
#include <thread>

#include "core/error.hpp"
#include "tests/contract/accounts_fixture.hpp"

namespace personae::testing {
namespace {

class CredentialsContractTest : public AccountsTest {
 protected:
  void SetUp() override {
    AccountsTest::SetUp();
    acme_ = create_tenant("Acme");
    beta_ = create_tenant("Beta");
    ann_ = create_user("ann");
    add_member(acme_, ann_, Role::kOwner);
    add_member(beta_, ann_, Role::kOwner);
  }

  ApiKey make_key(const Tenant& tenant, const std::string& id) {
    ApiKey key;
    key.id = id;
    key.tenant_id = tenant.id;
    key.created_by = ann_.id;
    key.name = "key " + id;
    key.prefix = "pk_" + id;
    key.secret_hash = "secret-hash-" + id;
    key.scopes = {"personas.read", "posts.write"};
    key.created_at_unix_ms = clock_.now_unix_ms();
    return key;
  }

  Invitation make_invitation(const Tenant& tenant, const std::string& id) {
    Invitation invitation;
    invitation.id = id;
    invitation.tenant_id = tenant.id;
    invitation.email = id + "@example.org";
    invitation.role = Role::kChatter;
    invitation.scopes = {{"persona", {"p-1"}}};
    invitation.token_hash = "invite-hash-" + id;
    invitation.invited_by = ann_.id;
    invitation.created_at_unix_ms = clock_.now_unix_ms();
    invitation.expires_at_unix_ms = invitation.created_at_unix_ms + 1'000;
    return invitation;
  }

  /// Runs `attempt` on `racers` threads released together; returns how many got true.
  int race(int racers, const std::function<bool()>& attempt) {
    std::latch start(racers);
    std::atomic<int> winners = 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < racers; ++i) {
      threads.emplace_back([&] {
        start.arrive_and_wait();
        if (attempt()) ++winners;
      });
    }
    for (std::thread& thread : threads) thread.join();
    return winners.load();
  }

  Tenant acme_;
  Tenant beta_;
  User ann_;
};

TEST_P(CredentialsContractTest, ApiKeysRoundTripAndListPerTenant) {
  ApiKey first = make_key(acme_, "k1");
  first.expires_at_unix_ms = 99'999'999'999'999;
  clock_.advance(std::chrono::milliseconds(1));
  const ApiKey second = make_key(acme_, "k2");
  const ApiKey other = make_key(beta_, "k3");
  database_->write([&](Transaction& tx) {
    for (const ApiKey& key : {first, second, other}) api_keys_.insert(tx, key);
  });
  database_->read([&](Transaction& tx) {
    EXPECT_EQ(api_keys_.find_by_prefix(tx, "pk_k1"), first);
    EXPECT_EQ(api_keys_.find_by_prefix(tx, "pk_none"), std::nullopt);
    EXPECT_EQ(api_keys_.list_by_tenant(tx, acme_.id), (std::vector<ApiKey>{second, first}));
    EXPECT_EQ(api_keys_.list_by_tenant(tx, beta_.id), (std::vector<ApiKey>{other}));
  });
}

TEST_P(CredentialsContractTest, DuplicatePrefixConflicts) {
  database_->write([&](Transaction& tx) { api_keys_.insert(tx, make_key(acme_, "k1")); });
  ApiKey duplicate = make_key(beta_, "k2");
  duplicate.prefix = "pk_k1";
  EXPECT_EQ(
      error_code_of([&] { database_->write([&](Transaction& tx) { api_keys_.insert(tx, duplicate); }); }),
      ErrorCode::kConflict);
}

TEST_P(CredentialsContractTest, ApiKeysAreRevokedAndTouchedWithinTheirTenantOnly) {
  database_->write([&](Transaction& tx) { api_keys_.insert(tx, make_key(acme_, "k1")); });
  database_->write([&](Transaction& tx) {
    api_keys_.touch_last_used(tx, acme_.id, "k1", 500);
    api_keys_.revoke(tx, acme_.id, "k1", 600);
    api_keys_.revoke(tx, acme_.id, "k1", 700);  // the first revocation instant stays
  });
  const ApiKey stored =
      *database_->read([&](Transaction& tx) { return api_keys_.find_by_prefix(tx, "pk_k1"); });
  EXPECT_EQ(stored.last_used_at_unix_ms, 500);
  EXPECT_EQ(stored.revoked_at_unix_ms, 600);
  EXPECT_FALSE(stored.usable_at(601));

  EXPECT_EQ(error_code_of(
                [&] { database_->write([&](Transaction& tx) { api_keys_.revoke(tx, beta_.id, "k1", 1); }); }),
            ErrorCode::kNotFound);
  EXPECT_EQ(
      error_code_of([&] {
        database_->write([&](Transaction& tx) { api_keys_.touch_last_used(tx, acme_.id, "k-missing", 1); });
      }),
      ErrorCode::kNotFound);
}

TEST_P(CredentialsContractTest, InvitationsRoundTripAndListPending) {
  const Invitation pending = make_invitation(acme_, "i1");
  clock_.advance(std::chrono::milliseconds(1));
  const Invitation newer = make_invitation(acme_, "i2");
  Invitation expired = make_invitation(acme_, "i3");
  expired.expires_at_unix_ms = clock_.now_unix_ms();
  Invitation accepted = make_invitation(acme_, "i4");
  accepted.accepted_at_unix_ms = 1;
  const Invitation other_tenant = make_invitation(beta_, "i5");
  database_->write([&](Transaction& tx) {
    for (const Invitation& invitation : {pending, newer, expired, accepted, other_tenant}) {
      invitations_.insert(tx, invitation);
    }
  });
  database_->read([&](Transaction& tx) {
    EXPECT_EQ(invitations_.find_by_token_hash(tx, "invite-hash-i4"), accepted);
    EXPECT_EQ(invitations_.find_by_token_hash(tx, "invite-hash-none"), std::nullopt);
    EXPECT_EQ(invitations_.list_pending(tx, acme_.id, clock_.now_unix_ms()),
              (std::vector<Invitation>{newer, pending}));
  });
  Invitation duplicate = make_invitation(beta_, "i6");
  duplicate.token_hash = pending.token_hash;
  EXPECT_EQ(
      error_code_of([&] { database_->write([&](Transaction& tx) { invitations_.insert(tx, duplicate); }); }),
      ErrorCode::kConflict);
}

TEST_P(CredentialsContractTest, InvitationsAreAcceptedOnceAndNotAfterRevocationOrExpiry) {
  database_->write([&](Transaction& tx) {
    for (const char* id : {"i1", "i2", "i3"}) invitations_.insert(tx, make_invitation(acme_, id));
  });
  const std::int64_t now = clock_.now_unix_ms();
  database_->write([&](Transaction& tx) {
    EXPECT_FALSE(invitations_.mark_accepted(tx, beta_.id, "i1", now));  // wrong tenant
    EXPECT_TRUE(invitations_.mark_accepted(tx, acme_.id, "i1", now));
    EXPECT_FALSE(invitations_.mark_accepted(tx, acme_.id, "i1", now));
    invitations_.revoke(tx, acme_.id, "i2", now);
    EXPECT_FALSE(invitations_.mark_accepted(tx, acme_.id, "i2", now));
    EXPECT_FALSE(invitations_.mark_accepted(tx, acme_.id, "i3", now + 1'000));  // expired
  });
  EXPECT_EQ(error_code_of([&] {
              database_->write([&](Transaction& tx) { invitations_.revoke(tx, acme_.id, "i1", now); });
            }),
            ErrorCode::kNotFound);
  EXPECT_EQ(error_code_of([&] {
              database_->write([&](Transaction& tx) { invitations_.revoke(tx, beta_.id, "i3", now); });
            }),
            ErrorCode::kNotFound);
  const Invitation accepted = *database_->read(
      [&](Transaction& tx) { return invitations_.find_by_token_hash(tx, "invite-hash-i1"); });
  EXPECT_EQ(accepted.accepted_at_unix_ms, now);
}

TEST_P(CredentialsContractTest, ConcurrentInvitationAcceptanceHasOneWinner) {
  database_->write([&](Transaction& tx) { invitations_.insert(tx, make_invitation(acme_, "i1")); });
  const int winners = race(4, [&] {
    return database_->write([&](Transaction& tx) {
      const auto invitation = invitations_.find_by_token_hash(tx, "invite-hash-i1");
      return invitation.has_value() &&
             invitations_.mark_accepted(tx, invitation->tenant_id, invitation->id, clock_.now_unix_ms());
    });
  });
  EXPECT_EQ(winners, 1);
}

TEST_P(CredentialsContractTest, SetupTokensAreValidOnceUntilTheyExpire) {
  const std::int64_t now = clock_.now_unix_ms();
  const SetupToken token{"setup-hash", now, now + 100, std::nullopt};
  database_->write([&](Transaction& tx) {
    setup_tokens_.insert(tx, token);
    setup_tokens_.insert(tx, SetupToken{"expiring-hash", now, now + 10, std::nullopt});
  });
  EXPECT_EQ(
      error_code_of([&] { database_->write([&](Transaction& tx) { setup_tokens_.insert(tx, token); }); }),
      ErrorCode::kConflict);
  database_->write([&](Transaction& tx) {
    EXPECT_EQ(setup_tokens_.find_valid(tx, "setup-hash", now), token);
    EXPECT_EQ(setup_tokens_.find_valid(tx, "setup-hash", now + 100), std::nullopt);
    EXPECT_EQ(setup_tokens_.find_valid(tx, "other", now), std::nullopt);
    EXPECT_FALSE(setup_tokens_.mark_used(tx, "expiring-hash", now + 10));
    EXPECT_TRUE(setup_tokens_.mark_used(tx, "setup-hash", now + 1));
    EXPECT_FALSE(setup_tokens_.mark_used(tx, "setup-hash", now + 2));
    EXPECT_EQ(setup_tokens_.find_valid(tx, "setup-hash", now + 2), std::nullopt);
  });
}

TEST_P(CredentialsContractTest, ConcurrentSetupTokenUseHasOneWinner) {
  const std::int64_t now = clock_.now_unix_ms();
  database_->write([&](Transaction& tx) { setup_tokens_.insert(tx, SetupToken{"h", now, now + 100, {}}); });
  EXPECT_EQ(
      race(4,
           [&] {
             return database_->write([&](Transaction& tx) { return setup_tokens_.mark_used(tx, "h", now); });
           }),
      1);
}

TEST_P(CredentialsContractTest, RecoveryCodesAreReplacedConsumedOnceAndCounted) {
  database_->write([&](Transaction& tx) {
    recovery_codes_.replace_all(tx, ann_.id, {"c1", "c2", "c3"}, 10);
  });
  database_->write([&](Transaction& tx) {
    EXPECT_EQ(recovery_codes_.count_remaining(tx, ann_.id), 3);
    EXPECT_TRUE(recovery_codes_.consume(tx, ann_.id, "c2", 20));
    EXPECT_FALSE(recovery_codes_.consume(tx, ann_.id, "c2", 21));
    EXPECT_FALSE(recovery_codes_.consume(tx, ann_.id, "wrong", 21));
    EXPECT_FALSE(recovery_codes_.consume(tx, "u-other", "c1", 21));
    EXPECT_EQ(recovery_codes_.count_remaining(tx, ann_.id), 2);
  });
  database_->write([&](Transaction& tx) { recovery_codes_.replace_all(tx, ann_.id, {"c2", "c4"}, 30); });
  database_->write([&](Transaction& tx) {
    EXPECT_EQ(recovery_codes_.count_remaining(tx, ann_.id), 2);
    EXPECT_FALSE(recovery_codes_.consume(tx, ann_.id, "c1", 40));  // replaced
    EXPECT_TRUE(recovery_codes_.consume(tx, ann_.id, "c2", 40));   // reissued
  });
  EXPECT_EQ(
      error_code_of([&] {
        database_->write([&](Transaction& tx) { recovery_codes_.replace_all(tx, ann_.id, {"d", "d"}, 50); });
      }),
      ErrorCode::kConflict);
  EXPECT_EQ(
      error_code_of([&] {
        database_->write([&](Transaction& tx) { recovery_codes_.replace_all(tx, "u-missing", {"e"}, 50); });
      }),
      ErrorCode::kConflict);
  database_->write([&](Transaction& tx) { recovery_codes_.replace_all(tx, ann_.id, {}, 60); });
  EXPECT_EQ(database_->read([&](Transaction& tx) { return recovery_codes_.count_remaining(tx, ann_.id); }),
            0);
}

TEST_P(CredentialsContractTest, ConcurrentRecoveryCodeUseHasOneWinner) {
  database_->write([&](Transaction& tx) { recovery_codes_.replace_all(tx, ann_.id, {"c1"}, 10); });
  EXPECT_EQ(race(4,
                 [&] {
                   return database_->write(
                       [&](Transaction& tx) { return recovery_codes_.consume(tx, ann_.id, "c1", 20); });
                 }),
            1);
}

INSTANTIATE_TEST_SUITE_P(Backends, CredentialsContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql), backend_name);

}  // namespace
}  // namespace personae::testing

#include <soci/soci.h>

#include <atomic>
#include <functional>
#include <latch>
#include <thread>

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_migrator.hpp"
#include "adapters/db/tenant_scope.hpp"
#include "core/error.hpp"
#include "tests/contract/accounts_fixture.hpp"

namespace personae::testing {
namespace {

class AccountsContractTest : public AccountsTest {};

TEST_P(AccountsContractTest, TenantsAreCreatedFoundAndListed) {
  const Tenant zeta = create_tenant("Zeta Agency");
  const Tenant alpha = create_tenant("Alpha Agency");
  database_->read([&](Transaction& tx) {
    EXPECT_EQ(tenants_.find_by_id(tx, alpha.id), alpha);
    EXPECT_EQ(tenants_.find_by_name(tx, "Zeta Agency"), zeta);
    EXPECT_EQ(tenants_.find_by_name(tx, "zeta agency"), std::nullopt);
    EXPECT_EQ(tenants_.find_by_id(tx, "t-missing"), std::nullopt);
    EXPECT_EQ(tenants_.list_all(tx), (std::vector<Tenant>{alpha, zeta}));
  });
}

TEST_P(AccountsContractTest, DuplicateTenantNameOrIdConflicts) {
  const Tenant acme = create_tenant("Acme");
  EXPECT_EQ(
      error_code_of([&] {
        database_->write([&](Transaction& tx) { tenants_.create(tx, Tenant{"t-other", "Acme", false, 1}); });
      }),
      ErrorCode::kConflict);
  EXPECT_EQ(
      error_code_of([&] {
        database_->write([&](Transaction& tx) { tenants_.create(tx, Tenant{acme.id, "Other", false, 1}); });
      }),
      ErrorCode::kConflict);
}

TEST_P(AccountsContractTest, RequireMfaIsUpdatedAndMissingTenantIsNotFound) {
  const Tenant acme = create_tenant("Acme");
  database_->write([&](Transaction& tx) { tenants_.set_require_mfa(tx, acme.id, true); });
  EXPECT_TRUE(
      database_->read([&](Transaction& tx) { return tenants_.find_by_id(tx, acme.id)->require_mfa; }));
  EXPECT_EQ(error_code_of([&] {
              database_->write([&](Transaction& tx) { tenants_.set_require_mfa(tx, "t-missing", true); });
            }),
            ErrorCode::kNotFound);
}

TEST_P(AccountsContractTest, TenantsOfAUserSpanTenants) {
  const Tenant acme = create_tenant("Acme");
  const Tenant beta = create_tenant("Beta");
  create_tenant("Gamma");
  const User ann = create_user("ann");
  add_member(beta, ann, Role::kViewer);
  add_member(acme, ann, Role::kOwner);
  database_->read([&](Transaction& tx) {
    EXPECT_EQ(tenants_.list_for_user(tx, ann.id), (std::vector<Tenant>{acme, beta}));
    EXPECT_TRUE(tenants_.list_for_user(tx, "u-nobody").empty());
  });
}

TEST_P(AccountsContractTest, UsersRoundTripWithEveryField) {
  User user;
  user.id = "u-1";
  user.email = "ann@example.org";
  user.display_name = "Ann Lee \xC3\xA9";
  user.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
  user.disabled = true;
  user.tokens_valid_after_unix_ms = 1'700'000'000'123;
  user.totp_secret_sealed = "sealed:abc";
  user.totp_enabled = true;
  user.totp_last_step = 56'666'666;
  user.created_at_unix_ms = 1'700'000'000'000;
  database_->write([&](Transaction& tx) { users_.create(tx, user); });
  database_->read([&](Transaction& tx) {
    EXPECT_EQ(users_.find_by_id(tx, "u-1"), user);
    EXPECT_EQ(users_.find_by_email(tx, "ann@example.org"), user);
    EXPECT_EQ(users_.find_by_email(tx, "bob@example.org"), std::nullopt);
    EXPECT_EQ(users_.count(tx), 1);
  });
}

TEST_P(AccountsContractTest, DuplicateEmailConflictsWithoutNamingIt) {
  create_user("ann");
  try {
    database_->write([&](Transaction& tx) {
      User other;
      other.id = "u-other";
      other.email = "ann@example.org";
      other.password_hash = "x";
      users_.create(tx, other);
    });
    FAIL() << "expected a conflict";
  } catch (const AppError& error) {
    EXPECT_EQ(error.error().code, ErrorCode::kConflict);
    EXPECT_EQ(std::string(error.what()).find("ann@"), std::string::npos);
    EXPECT_EQ(std::string(error.what()).find("INSERT"), std::string::npos);
  }
  EXPECT_EQ(database_->read([&](Transaction& tx) { return users_.count(tx); }), 1);
}

TEST_P(AccountsContractTest, PasswordAndDisablingMoveTokensValidAfter) {
  const User ann = create_user("ann");
  database_->write([&](Transaction& tx) { users_.update_password(tx, ann.id, "new-hash", 5'000); });
  User stored = *database_->read([&](Transaction& tx) { return users_.find_by_id(tx, ann.id); });
  EXPECT_EQ(stored.password_hash, "new-hash");
  EXPECT_EQ(stored.tokens_valid_after_unix_ms, 5'000);

  database_->write([&](Transaction& tx) { users_.set_disabled(tx, ann.id, true, 6'000); });
  stored = *database_->read([&](Transaction& tx) { return users_.find_by_id(tx, ann.id); });
  EXPECT_TRUE(stored.disabled);
  EXPECT_EQ(stored.tokens_valid_after_unix_ms, 6'000);
  EXPECT_EQ(stored.password_hash, "new-hash");

  for (const auto& change : std::vector<std::function<void(Transaction&)>>{
           [&](Transaction& tx) { users_.update_password(tx, "u-missing", "h", 1); },
           [&](Transaction& tx) { users_.set_disabled(tx, "u-missing", true, 1); },
           [&](Transaction& tx) { users_.set_totp(tx, "u-missing", "sealed", false); },
           [&](Transaction& tx) { users_.clear_totp(tx, "u-missing"); }}) {
    EXPECT_EQ(error_code_of([&] { database_->write(change); }), ErrorCode::kNotFound);
  }
}

TEST_P(AccountsContractTest, TotpIsEnrolledConfirmedAndCleared) {
  const User ann = create_user("ann");
  database_->write([&](Transaction& tx) { users_.set_totp(tx, ann.id, "sealed-1", false); });
  User stored = *database_->read([&](Transaction& tx) { return users_.find_by_id(tx, ann.id); });
  EXPECT_EQ(stored.totp_secret_sealed, "sealed-1");
  EXPECT_FALSE(stored.totp_enabled);

  database_->write([&](Transaction& tx) {
    users_.set_totp(tx, ann.id, "sealed-1", true);
    EXPECT_TRUE(users_.advance_totp_step(tx, ann.id, 100));
  });
  stored = *database_->read([&](Transaction& tx) { return users_.find_by_id(tx, ann.id); });
  EXPECT_TRUE(stored.totp_enabled);
  EXPECT_EQ(stored.totp_last_step, 100);

  database_->write([&](Transaction& tx) { users_.clear_totp(tx, ann.id); });
  stored = *database_->read([&](Transaction& tx) { return users_.find_by_id(tx, ann.id); });
  EXPECT_EQ(stored.totp_secret_sealed, std::nullopt);
  EXPECT_FALSE(stored.totp_enabled);
  EXPECT_EQ(stored.totp_last_step, 0);
}

TEST_P(AccountsContractTest, TotpStepOnlyMovesForward) {
  const User ann = create_user("ann");
  database_->write([&](Transaction& tx) {
    EXPECT_TRUE(users_.advance_totp_step(tx, ann.id, 10));
    EXPECT_FALSE(users_.advance_totp_step(tx, ann.id, 10));  // replay within the same step
    EXPECT_FALSE(users_.advance_totp_step(tx, ann.id, 9));
    EXPECT_TRUE(users_.advance_totp_step(tx, ann.id, 11));
    EXPECT_FALSE(users_.advance_totp_step(tx, "u-missing", 12));
  });
}

TEST_P(AccountsContractTest, ConcurrentTotpStepHasOneWinner) {
  const User ann = create_user("ann");
  constexpr int kRacers = 4;
  std::latch start(kRacers);
  std::atomic<int> winners = 0;
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&] {
      start.arrive_and_wait();
      if (database_->write([&](Transaction& tx) { return users_.advance_totp_step(tx, ann.id, 42); }))
        ++winners;
    });
  }
  for (std::thread& racer : racers) racer.join();
  EXPECT_EQ(winners.load(), 1);
}

TEST_P(AccountsContractTest, MembershipsAreAddedFoundListedUpdatedAndRemoved) {
  const Tenant acme = create_tenant("Acme");
  const Tenant beta = create_tenant("Beta");
  const User ann = create_user("ann");
  const User bob = create_user("bob");
  const Membership owner = add_member(acme, ann, Role::kOwner);
  clock_.advance(std::chrono::milliseconds(1));
  Membership chatter{acme.id, bob.id, Role::kChatter, {{"persona", {"p-1", "p-2"}}}, clock_.now_unix_ms()};
  database_->write([&](Transaction& tx) { memberships_.add(tx, chatter); });
  clock_.advance(std::chrono::milliseconds(1));
  const Membership viewer = add_member(beta, ann, Role::kViewer);

  database_->read([&](Transaction& tx) {
    EXPECT_EQ(memberships_.find(tx, acme.id, bob.id), chatter);
    EXPECT_EQ(memberships_.find(tx, beta.id, bob.id), std::nullopt);
    EXPECT_EQ(memberships_.list_by_tenant(tx, acme.id), (std::vector<Membership>{owner, chatter}));
    EXPECT_EQ(memberships_.list_by_user(tx, ann.id), (std::vector<Membership>{owner, viewer}));
  });

  const std::vector<ResourceScope> scopes{{"persona", {"p-3"}}, {"campaign", {}}};
  database_->write(
      [&](Transaction& tx) { memberships_.update(tx, acme.id, bob.id, Role::kManager, scopes); });
  const Membership updated =
      *database_->read([&](Transaction& tx) { return memberships_.find(tx, acme.id, bob.id); });
  EXPECT_EQ(updated.role, Role::kManager);
  EXPECT_EQ(updated.scopes, scopes);

  database_->write([&](Transaction& tx) { memberships_.remove(tx, acme.id, bob.id); });
  EXPECT_EQ(database_->read([&](Transaction& tx) { return memberships_.find(tx, acme.id, bob.id); }),
            std::nullopt);
  EXPECT_EQ(error_code_of([&] {
              database_->write([&](Transaction& tx) { memberships_.remove(tx, acme.id, bob.id); });
            }),
            ErrorCode::kNotFound);
  // A membership of another tenant is not reachable through this tenant's id.
  EXPECT_EQ(error_code_of([&] {
              database_->write(
                  [&](Transaction& tx) { memberships_.update(tx, beta.id, bob.id, Role::kOwner, {}); });
            }),
            ErrorCode::kNotFound);
}

TEST_P(AccountsContractTest, DuplicateOrDanglingMembershipConflicts) {
  const Tenant acme = create_tenant("Acme");
  const User ann = create_user("ann");
  add_member(acme, ann, Role::kAdmin);
  EXPECT_EQ(error_code_of([&] { add_member(acme, ann, Role::kViewer); }), ErrorCode::kConflict);
  EXPECT_EQ(error_code_of([&] {
              add_member(Tenant{"t-missing", "x", false, 0}, ann, Role::kViewer);
            }),
            ErrorCode::kConflict);
}

TEST_P(AccountsContractTest, OwnersAreCounted) {
  const Tenant acme = create_tenant("Acme");
  add_member(acme, create_user("ann"), Role::kOwner);
  add_member(acme, create_user("bob"), Role::kOwner);
  add_member(acme, create_user("cid"), Role::kAdmin);
  EXPECT_EQ(database_->write([&](Transaction& tx) { return memberships_.count_owners(tx, acme.id); }), 2);
  EXPECT_EQ(database_->write([&](Transaction& tx) { return memberships_.count_owners(tx, "t-missing"); }), 0);
}

TEST_P(AccountsContractTest, ConcurrentDemotionsKeepTheLastOwner) {
  const Tenant acme = create_tenant("Acme");
  const User ann = create_user("ann");
  const User bob = create_user("bob");
  add_member(acme, ann, Role::kOwner);
  add_member(acme, bob, Role::kOwner);
  // Two admins each demote a different owner, each checking that another owner remains.
  std::latch start(2);
  std::atomic<int> demoted = 0;
  const auto demote = [&](const std::string& user_id) {
    start.arrive_and_wait();
    database_->write([&](Transaction& tx) {
      if (memberships_.count_owners(tx, acme.id) < 2) return;
      memberships_.update(tx, acme.id, user_id, Role::kAdmin, {});
      ++demoted;
    });
  };
  std::thread first(demote, ann.id);
  std::thread second(demote, bob.id);
  first.join();
  second.join();
  EXPECT_EQ(demoted.load(), 1);
  EXPECT_EQ(database_->write([&](Transaction& tx) { return memberships_.count_owners(tx, acme.id); }), 1);
}

TEST_P(AccountsContractTest, DeletingATenantOrUserCascades) {
  const Tenant acme = create_tenant("Acme");
  const Tenant beta = create_tenant("Beta");
  const User ann = create_user("ann");
  const User bob = create_user("bob");
  add_member(acme, ann, Role::kOwner);
  add_member(beta, ann, Role::kOwner);
  add_member(acme, bob, Role::kViewer);
  database_->write([&](Transaction& tx) {
    sessions_.insert(tx, make_session(acme, ann, "s-1", "f-1"));
    sessions_.insert(tx, make_session(beta, ann, "s-2", "f-2"));
    sessions_.insert(tx, make_session(acme, bob, "s-3", "f-3"));
    api_keys_.insert(tx, ApiKey{"k-1", acme.id, ann.id, "ci", "pfx1", "h", {}, {}, {}, {}, 0});
    invitations_.insert(
        tx, Invitation{"i-1", acme.id, "new@example.org", Role::kViewer, {}, "ih", ann.id, 10, {}, {}, 0});
    recovery_codes_.replace_all(tx, ann.id, {"c1", "c2"}, 0);
  });

  execute(*database_, "DELETE FROM tenants WHERE id = 't-Acme'");
  database_->read([&](Transaction& tx) {
    EXPECT_EQ(memberships_.list_by_user(tx, bob.id).size(), 0u);
    EXPECT_EQ(memberships_.list_by_user(tx, ann.id).size(), 1u);
    EXPECT_EQ(sessions_.find_by_token_hash(tx, "hash-s-1"), std::nullopt);
    EXPECT_EQ(sessions_.find_by_token_hash(tx, "hash-s-3"), std::nullopt);
    EXPECT_NE(sessions_.find_by_token_hash(tx, "hash-s-2"), std::nullopt);
    EXPECT_EQ(api_keys_.find_by_prefix(tx, "pfx1"), std::nullopt);
    EXPECT_EQ(invitations_.find_by_token_hash(tx, "ih"), std::nullopt);
  });

  execute(*database_, "DELETE FROM users WHERE id = 'u-ann'");
  database_->read([&](Transaction& tx) {
    EXPECT_EQ(memberships_.list_by_tenant(tx, beta.id).size(), 0u);
    EXPECT_EQ(sessions_.find_by_token_hash(tx, "hash-s-2"), std::nullopt);
    EXPECT_EQ(recovery_codes_.count_remaining(tx, ann.id), 0);
  });
}

TEST_P(AccountsContractTest, RemovingAMemberEndsTheirSessionsInThatTenant) {
  const Tenant acme = create_tenant("Acme");
  const Tenant beta = create_tenant("Beta");
  const User ann = create_user("ann");
  add_member(acme, ann, Role::kViewer);
  add_member(beta, ann, Role::kViewer);
  database_->write([&](Transaction& tx) {
    sessions_.insert(tx, make_session(acme, ann, "s-1", "f-1"));
    sessions_.insert(tx, make_session(beta, ann, "s-2", "f-2"));
    memberships_.remove(tx, acme.id, ann.id);
  });
  database_->read([&](Transaction& tx) {
    EXPECT_EQ(sessions_.find_by_token_hash(tx, "hash-s-1"), std::nullopt);
    EXPECT_NE(sessions_.find_by_token_hash(tx, "hash-s-2"), std::nullopt);
  });
}

TEST_P(AccountsContractTest, RolesOutsideTheListAreRejectedByTheSchema) {
  const Tenant acme = create_tenant("Acme");
  const User ann = create_user("ann");
  EXPECT_EQ(error_code_of([&] {
              database_->write([&](Transaction& tx) {
                scope_to_tenant(tx, acme.id);
                soci_session(tx) << "INSERT INTO memberships (tenant_id, user_id, role, scopes, created_at) "
                                    "VALUES (:tenant_id, :user_id, 'root', '[]', 0)",
                    soci::use(acme.id, "tenant_id"), soci::use(ann.id, "user_id");
              });
            }),
            ErrorCode::kConflict);
}

TEST_P(AccountsContractTest, MigrationRollsBackAndReappliesCleanly) {
  create_user("ann");
  SqlMigrator migrator(*database_, clock_);
  const auto down = migrator.migrate(1);
  ASSERT_EQ(down.size(), static_cast<std::size_t>(migrator.migrations().size() - 1));
  EXPECT_EQ(down.back().version, 2);
  EXPECT_FALSE(down.back().up);
  EXPECT_EQ(error_code_of([&] { query_number(*database_, "SELECT COUNT(*) FROM users"); }),
            ErrorCode::kFailedPrecondition);
  migrator.migrate(std::nullopt);
  EXPECT_EQ(database_->read([&](Transaction& tx) { return users_.count(tx); }), 0);
  create_user("ann");
  migrator.migrate(0);
  migrator.migrate(std::nullopt);
  EXPECT_EQ(migrator.status().problem(), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountsContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql), backend_name);

}  // namespace
}  // namespace personae::testing

#include <soci/soci.h>

#include <set>

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/tenant_scope.hpp"
#include "core/error.hpp"
#include "tests/contract/accounts_fixture.hpp"

namespace personae::testing {
namespace {

// PostgreSQL row-level security, the second line of tenant isolation: raw queries without any
// tenant filter, run as the database's owner (an ordinary role, see AccountsTest), must see only
// the scoped tenant's rows. SQLite has no row-level security: isolation there rests on the
// repositories' explicit tenant filters, which the other contract tests check on both backends.
class TenantIsolationTest : public AccountsTest {
 protected:
  void SetUp() override {
    AccountsTest::SetUp();
    acme_ = create_tenant("Acme");
    beta_ = create_tenant("Beta");
    const User ann = create_user("ann");
    const User bob = create_user("bob");
    add_member(acme_, ann, Role::kOwner);
    add_member(acme_, bob, Role::kViewer);
    add_member(beta_, bob, Role::kOwner);
    database_->write([&](Transaction& tx) {
      sessions_.insert(tx, make_session(acme_, ann, "s-1", "f-1"));
      sessions_.insert(tx, make_session(beta_, bob, "s-2", "f-2"));
      api_keys_.insert(tx, ApiKey{"k-1", acme_.id, ann.id, "a", "pa", "h", {}, {}, {}, {}, 0});
      api_keys_.insert(tx, ApiKey{"k-2", beta_.id, bob.id, "b", "pb", "h", {}, {}, {}, {}, 0});
      invitations_.insert(
          tx, Invitation{"i-1", acme_.id, "x@example.org", Role::kViewer, {}, "ha", ann.id, 9, {}, {}, 0});
      invitations_.insert(
          tx, Invitation{"i-2", beta_.id, "y@example.org", Role::kViewer, {}, "hb", bob.id, 9, {}, {}, 0});
    });
  }

  /// The tenant ids of every row of `table` that the transaction can see.
  static std::multiset<std::string> visible_tenants(Transaction& tx, const std::string& table) {
    std::vector<std::string> tenants(64);
    soci_session(tx) << "SELECT tenant_id FROM " + table, soci::into(tenants);
    return {tenants.begin(), tenants.end()};
  }

  Tenant acme_;
  Tenant beta_;
};

const std::vector<std::string> kTenantOwnedTables{"memberships", "sessions", "api_keys", "invitations"};

TEST_P(TenantIsolationTest, ScopedQueriesWithoutAFilterSeeOnlyTheirTenant) {
  database_->read([&](Transaction& tx) {
    scope_to_tenant(tx, acme_.id);
    EXPECT_EQ(visible_tenants(tx, "memberships"), (std::multiset<std::string>{acme_.id, acme_.id}));
    for (const char* table : {"sessions", "api_keys", "invitations"}) {
      EXPECT_EQ(visible_tenants(tx, table), (std::multiset<std::string>{acme_.id})) << table;
    }
    scope_to_tenant(tx, beta_.id);
    for (const std::string& table : kTenantOwnedTables) {
      EXPECT_EQ(visible_tenants(tx, table), (std::multiset<std::string>{beta_.id})) << table;
    }
  });
}

TEST_P(TenantIsolationTest, UnscopedQueriesSeeNothing) {
  database_->read([&](Transaction& tx) {
    // A superuser would bypass the policies even under FORCE: the suite must run as an ordinary role.
    int superuser = 1;
    soci_session(tx) << "SELECT CASE WHEN rolsuper OR rolbypassrls THEN 1 ELSE 0 END FROM pg_roles "
                        "WHERE rolname = current_user",
        soci::into(superuser);
    ASSERT_EQ(superuser, 0);
    for (const std::string& table : kTenantOwnedTables) {
      EXPECT_TRUE(visible_tenants(tx, table).empty()) << table;
    }
  });
}

TEST_P(TenantIsolationTest, WritesIntoAnotherTenantAreRefused) {
  EXPECT_THROW(database_->write([&](Transaction& tx) {
    scope_to_tenant(tx, acme_.id);
    soci_session(tx) << "INSERT INTO memberships (tenant_id, user_id, role, scopes, created_at) "
                        "VALUES ('t-Beta', 'u-ann', 'owner', '[]', 0)";
  }),
               AppError);
  database_->write([&](Transaction& tx) {
    scope_to_tenant(tx, acme_.id);
    // Rows of another tenant are invisible to UPDATE and DELETE as well.
    soci::statement update = (soci_session(tx).prepare << "UPDATE memberships SET role = 'viewer'");
    update.execute(true);
    EXPECT_EQ(update.get_affected_rows(), 2);
    soci::statement remove = (soci_session(tx).prepare << "DELETE FROM api_keys");
    remove.execute(true);
    EXPECT_EQ(remove.get_affected_rows(), 1);
    // Moving a visible row into another tenant is refused too.
    EXPECT_THROW(soci_session(tx) << "UPDATE sessions SET tenant_id = 't-Beta', user_id = 'u-bob'",
                 soci::soci_error);
  });
}

TEST_P(TenantIsolationTest, ScopeAndBypassEndWithTheTransaction) {
  // One pooled connection, so that the next transaction runs on the same session.
  SociDatabaseOptions options;
  options.pool_size = 1;
  database_ = open(options);
  database_->read([&](Transaction& tx) { scope_to_tenant(tx, acme_.id); });
  database_->read([&](Transaction& tx) { EXPECT_TRUE(visible_tenants(tx, "memberships").empty()); });

  database_->read([&](Transaction& tx) {
    const std::size_t all =
        bypass_tenant_scope(tx, [&] { return visible_tenants(tx, "memberships").size(); });
    EXPECT_EQ(all, 3u);
    // The bypass ends when its work returns.
    EXPECT_TRUE(visible_tenants(tx, "memberships").empty());
  });
  database_->read([&](Transaction& tx) { EXPECT_TRUE(visible_tenants(tx, "sessions").empty()); });
}

TEST_P(TenantIsolationTest, BypassEndsWhenItsWorkThrows) {
  database_->read([&](Transaction& tx) {
    EXPECT_THROW(bypass_tenant_scope(tx, [&] { throw AppError(ErrorCode::kInternal, "boom"); }), AppError);
    EXPECT_TRUE(visible_tenants(tx, "memberships").empty());
  });
}

// Row-level security exists only on PostgreSQL.
INSTANTIATE_TEST_SUITE_P(Backends, TenantIsolationTest, ::testing::Values(Backend::kPostgresql),
                         backend_name);

}  // namespace
}  // namespace personae::testing

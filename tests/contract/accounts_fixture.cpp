#include "tests/contract/accounts_fixture.hpp"

#include "adapters/db/sql_migrator.hpp"
#include "tests/support/postgres_server.hpp"

namespace personae::testing {

void AccountsTest::SetUp() {
  // On PostgreSQL an ordinary role owns the database: a superuser would bypass row-level security.
  if (GetParam() == Backend::kPostgresql) {
    url_ = shared_postgres_server().create_application_database(kApplicationRole);
  } else {
    BackendTest::SetUp();
  }
  SociDatabaseOptions options;
  options.pool_size = 4;
  database_ = open(options);
  SqlMigrator(*database_, clock_).migrate(std::nullopt);
}

Tenant AccountsTest::create_tenant(const std::string& name) {
  Tenant tenant{"t-" + name, name, false, clock_.now_unix_ms()};
  database_->write([&](Transaction& tx) { tenants_.create(tx, tenant); });
  return tenant;
}

User AccountsTest::create_user(const std::string& local) {
  User user;
  user.id = "u-" + local;
  user.email = local + "@example.org";
  user.display_name = "User " + local;
  user.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$" + local;
  user.created_at_unix_ms = clock_.now_unix_ms();
  database_->write([&](Transaction& tx) { users_.create(tx, user); });
  return user;
}

Membership AccountsTest::add_member(const Tenant& tenant, const User& user, Role role) {
  Membership membership{tenant.id, user.id, role, {}, clock_.now_unix_ms()};
  database_->write([&](Transaction& tx) { memberships_.add(tx, membership); });
  return membership;
}

Session AccountsTest::make_session(const Tenant& tenant, const User& user, const std::string& id,
                                   const std::string& family_id) const {
  Session session;
  session.id = id;
  session.family_id = family_id;
  session.user_id = user.id;
  session.tenant_id = tenant.id;
  session.token_hash = "hash-" + id;
  session.created_at_unix_ms = clock_.now_unix_ms();
  session.expires_at_unix_ms = session.created_at_unix_ms + 3'600'000;
  session.family_expires_at_unix_ms = session.created_at_unix_ms + 86'400'000;
  session.user_agent = "test-agent/1.0";
  session.ip = "192.0.2.10";
  return session;
}

}  // namespace personae::testing

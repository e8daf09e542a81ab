#include "adapters/db/sql_membership_repository.hpp"

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_account_rows.hpp"
#include "adapters/db/tenant_scope.hpp"

namespace personae {
namespace {

using sql_rows::execute_counting;
using sql_rows::fetch_one;
using sql_rows::fetch_rows;
using sql_rows::require_found;

constexpr const char* kSelectMembership =
    "SELECT tenant_id, user_id, role, scopes, created_at FROM memberships ";
constexpr const char* kNoSuchMembership = "no such membership";

struct MembershipColumns {
  std::string tenant_id;
  std::string user_id;
  std::string role;
  std::string scopes;
  long long created_at = 0;

  void bind(soci::details::prepare_temp_type& prepared) {
    prepared, soci::into(tenant_id), soci::into(user_id), soci::into(role), soci::into(scopes),
        soci::into(created_at);
  }
  Membership value() const {
    return Membership{tenant_id, user_id, sql_rows::role_from_text(role), sql_rows::decode_scopes(scopes),
                      created_at};
  }
};

}  // namespace

void SqlMembershipRepository::add(Transaction& tx, const Membership& membership) {
  scope_to_tenant(tx, membership.tenant_id);
  const std::string role = sql_rows::role_text(membership.role);
  const std::string scopes = sql_rows::encode_scopes(membership.scopes);
  const long long created_at = membership.created_at_unix_ms;
  soci_session(tx) << "INSERT INTO memberships (tenant_id, user_id, role, scopes, created_at) "
                      "VALUES (:tenant_id, :user_id, :role, :scopes, :created_at)",
      soci::use(membership.tenant_id, "tenant_id"), soci::use(membership.user_id, "user_id"),
      soci::use(role, "role"), soci::use(scopes, "scopes"), soci::use(created_at, "created_at");
}

std::optional<Membership> SqlMembershipRepository::find(Transaction& tx, const std::string& tenant_id,
                                                        const std::string& user_id) {
  scope_to_tenant(tx, tenant_id);
  return fetch_one<MembershipColumns>(
      soci_session(tx),
      std::string(kSelectMembership) + "WHERE tenant_id = :tenant_id AND user_id = :user_id",
      [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"), soci::use(user_id, "user_id"); });
}

std::vector<Membership> SqlMembershipRepository::list_by_tenant(Transaction& tx,
                                                                const std::string& tenant_id) {
  scope_to_tenant(tx, tenant_id);
  return fetch_rows<MembershipColumns>(
      soci_session(tx),
      std::string(kSelectMembership) + "WHERE tenant_id = :tenant_id ORDER BY created_at, user_id",
      [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"); });
}

std::vector<Membership> SqlMembershipRepository::list_by_user(Transaction& tx, const std::string& user_id) {
  // At login the user's tenants are what is being looked up: this read spans tenants.
  return bypass_tenant_scope(tx, [&] {
    return fetch_rows<MembershipColumns>(
        soci_session(tx),
        std::string(kSelectMembership) + "WHERE user_id = :user_id ORDER BY created_at, tenant_id",
        [&](auto& prepared) { prepared, soci::use(user_id, "user_id"); });
  });
}

void SqlMembershipRepository::update(Transaction& tx, const std::string& tenant_id,
                                     const std::string& user_id, Role role,
                                     const std::vector<ResourceScope>& scopes) {
  scope_to_tenant(tx, tenant_id);
  const std::string role_value = sql_rows::role_text(role);
  const std::string scopes_value = sql_rows::encode_scopes(scopes);
  require_found(execute_counting(soci_session(tx),
                                 "UPDATE memberships SET role = :role, scopes = :scopes "
                                 "WHERE tenant_id = :tenant_id AND user_id = :user_id",
                                 [&](auto& prepared) {
                                   prepared, soci::use(role_value, "role"), soci::use(scopes_value, "scopes"),
                                       soci::use(tenant_id, "tenant_id"), soci::use(user_id, "user_id");
                                 }),
                kNoSuchMembership);
}

void SqlMembershipRepository::remove(Transaction& tx, const std::string& tenant_id,
                                     const std::string& user_id) {
  scope_to_tenant(tx, tenant_id);
  require_found(
      execute_counting(soci_session(tx),
                       "DELETE FROM memberships WHERE tenant_id = :tenant_id AND user_id = :user_id",
                       [&](auto& prepared) {
                         prepared, soci::use(tenant_id, "tenant_id"), soci::use(user_id, "user_id");
                       }),
      kNoSuchMembership);
}

std::int64_t SqlMembershipRepository::count_owners(Transaction& tx, const std::string& tenant_id) {
  scope_to_tenant(tx, tenant_id);
  // On PostgreSQL the owner rows are locked, so that of two concurrent demotions of different
  // owners the second waits, re-reads, and sees the first. SQLite's kWrite transactions already
  // hold the database's write lock.
  const bool lock = tx.dialect() == Dialect::kPostgresql;
  const auto rows = fetch_rows<MembershipColumns>(
      soci_session(tx),
      std::string(kSelectMembership) + "WHERE tenant_id = :tenant_id AND role = 'owner'" +
          (lock ? " FOR UPDATE" : ""),
      [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"); });
  return static_cast<std::int64_t>(rows.size());
}

}  // namespace personae

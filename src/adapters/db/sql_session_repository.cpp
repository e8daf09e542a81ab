#include "adapters/db/sql_session_repository.hpp"

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_account_rows.hpp"
#include "adapters/db/tenant_scope.hpp"

namespace personae {
namespace {

using sql_rows::execute_counting;
using sql_rows::fetch_one;
using sql_rows::fetch_rows;

constexpr const char* kSelectSession =
    "SELECT id, family_id, tenant_id, user_id, token_hash, created_at, expires_at, family_expires_at, "
    "used_at, "
    "revoked_at, revoke_reason, user_agent, ip FROM sessions ";

struct SessionColumns {
  std::string id;
  std::string family_id;
  std::string tenant_id;
  std::string user_id;
  std::string token_hash;
  long long created_at = 0;
  long long expires_at = 0;
  long long family_expires_at = 0;
  sql_rows::NullableInt64 used_at;
  sql_rows::NullableInt64 revoked_at;
  sql_rows::NullableText revoke_reason;
  std::string user_agent;
  std::string ip;

  void bind(soci::details::prepare_temp_type& prepared) {
    prepared, soci::into(id), soci::into(family_id), soci::into(tenant_id), soci::into(user_id),
        soci::into(token_hash), soci::into(created_at), soci::into(expires_at), soci::into(family_expires_at),
        soci::into(used_at.value, used_at.indicator), soci::into(revoked_at.value, revoked_at.indicator),
        soci::into(revoke_reason.value, revoke_reason.indicator), soci::into(user_agent), soci::into(ip);
  }
  Session value() const {
    Session session;
    session.id = id;
    session.family_id = family_id;
    session.tenant_id = tenant_id;
    session.user_id = user_id;
    session.token_hash = token_hash;
    session.created_at_unix_ms = created_at;
    session.expires_at_unix_ms = expires_at;
    session.family_expires_at_unix_ms = family_expires_at;
    session.used_at_unix_ms = used_at.get();
    session.revoked_at_unix_ms = revoked_at.get();
    session.revoke_reason = revoke_reason.get();
    session.user_agent = user_agent;
    session.ip = ip;
    return session;
  }
};

}  // namespace

void SqlSessionRepository::insert(Transaction& tx, const Session& session) {
  scope_to_tenant(tx, session.tenant_id);
  const long long created_at = session.created_at_unix_ms;
  const long long expires_at = session.expires_at_unix_ms;
  const long long family_expires_at = session.family_expires_at_unix_ms;
  sql_rows::NullableInt64 used_at(session.used_at_unix_ms);
  sql_rows::NullableInt64 revoked_at(session.revoked_at_unix_ms);
  sql_rows::NullableText revoke_reason(session.revoke_reason);
  soci_session(tx) << "INSERT INTO sessions (id, family_id, tenant_id, user_id, token_hash, created_at, "
                      "expires_at, family_expires_at, used_at, revoked_at, revoke_reason, user_agent, ip) "
                      "VALUES (:id, :family_id, :tenant_id, :user_id, :token_hash, :created_at, :expires_at, "
                      ":family_expires_at, :used_at, :revoked_at, :revoke_reason, :user_agent, :ip)",
      soci::use(session.id, "id"), soci::use(session.family_id, "family_id"),
      soci::use(session.tenant_id, "tenant_id"), soci::use(session.user_id, "user_id"),
      soci::use(session.token_hash, "token_hash"), soci::use(created_at, "created_at"),
      soci::use(expires_at, "expires_at"), soci::use(family_expires_at, "family_expires_at"),
      soci::use(used_at.value, used_at.indicator, "used_at"),
      soci::use(revoked_at.value, revoked_at.indicator, "revoked_at"),
      soci::use(revoke_reason.value, revoke_reason.indicator, "revoke_reason"),
      soci::use(session.user_agent, "user_agent"), soci::use(session.ip, "ip");
}

std::optional<Session> SqlSessionRepository::find_by_token_hash(Transaction& tx,
                                                                const std::string& token_hash) {
  // The refresh token is all the caller has: its tenant is learnt from the row.
  return bypass_tenant_scope(tx, [&] {
    return fetch_one<SessionColumns>(soci_session(tx),
                                     std::string(kSelectSession) + "WHERE token_hash = :hash",
                                     [&](auto& prepared) { prepared, soci::use(token_hash, "hash"); });
  });
}

bool SqlSessionRepository::mark_used(Transaction& tx, const std::string& tenant_id,
                                     const std::string& session_id, std::int64_t now_unix_ms) {
  scope_to_tenant(tx, tenant_id);
  // The refresh-rotation race: of concurrent callers, the row lock lets one through and the others
  // re-check `used_at IS NULL` against its committed change.
  const long long now = now_unix_ms;
  return execute_counting(soci_session(tx),
                          "UPDATE sessions SET used_at = :now WHERE tenant_id = :tenant_id AND id = :id "
                          "AND used_at IS NULL",
                          [&](auto& prepared) {
                            prepared, soci::use(now, "now"), soci::use(tenant_id, "tenant_id"),
                                soci::use(session_id, "id");
                          }) == 1;
}

std::int64_t SqlSessionRepository::revoke_family(Transaction& tx, const std::string& tenant_id,
                                                 const std::string& family_id, std::int64_t now_unix_ms,
                                                 const std::string& reason) {
  scope_to_tenant(tx, tenant_id);
  const long long now = now_unix_ms;
  return execute_counting(soci_session(tx),
                          "UPDATE sessions SET revoked_at = :now, revoke_reason = :reason "
                          "WHERE tenant_id = :tenant_id AND family_id = :family_id AND revoked_at IS NULL",
                          [&](auto& prepared) {
                            prepared, soci::use(now, "now"), soci::use(reason, "reason"),
                                soci::use(tenant_id, "tenant_id"), soci::use(family_id, "family_id");
                          });
}

std::int64_t SqlSessionRepository::revoke_all_for_user(Transaction& tx, const std::string& user_id,
                                                       std::int64_t now_unix_ms, const std::string& reason,
                                                       const std::optional<std::string>& except_family_id) {
  // A user's credentials are global, so ending their sessions spans every tenant they belong to.
  const long long now = now_unix_ms;
  const std::string query = std::string(
                                "UPDATE sessions SET revoked_at = :now, revoke_reason = :reason "
                                "WHERE user_id = :user_id AND revoked_at IS NULL") +
                            (except_family_id.has_value() ? " AND family_id <> :except_family_id" : "");
  return bypass_tenant_scope(tx, [&] {
    return execute_counting(soci_session(tx), query, [&](auto& prepared) {
      prepared, soci::use(now, "now"), soci::use(reason, "reason"), soci::use(user_id, "user_id");
      if (except_family_id.has_value()) prepared, soci::use(*except_family_id, "except_family_id");
    });
  });
}

std::vector<Session> SqlSessionRepository::list_active_for_user(Transaction& tx, const std::string& user_id,
                                                                std::int64_t now_unix_ms) {
  // The user's own sessions, whichever tenant each was opened in.
  const long long now = now_unix_ms;
  const long long family_now = now_unix_ms;
  return bypass_tenant_scope(tx, [&] {
    return fetch_rows<SessionColumns>(
        soci_session(tx),
        std::string(kSelectSession) +
            "WHERE user_id = :user_id AND used_at IS NULL AND revoked_at IS NULL AND expires_at > :now "
            "AND family_expires_at > :family_now ORDER BY created_at DESC, id",
        [&](auto& prepared) {
          prepared, soci::use(user_id, "user_id"), soci::use(now, "now"), soci::use(family_now, "family_now");
        });
  });
}

std::int64_t SqlSessionRepository::delete_expired(Transaction& tx, std::int64_t now_unix_ms) {
  // Whole families go at once: a used token of a live family must stay, or replaying it would no
  // longer be recognised as reuse.
  const long long now = now_unix_ms;
  const long long family_now = now_unix_ms;
  return bypass_tenant_scope(tx, [&] {
    return execute_counting(
        soci_session(tx),
        "DELETE FROM sessions WHERE family_id NOT IN (SELECT family_id FROM sessions "
        "WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > :now "
        "AND family_expires_at > :family_now)",
        [&](auto& prepared) { prepared, soci::use(now, "now"), soci::use(family_now, "family_now"); });
  });
}

}  // namespace personae

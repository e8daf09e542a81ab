#include "adapters/db/sql_invitation_repository.hpp"

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_account_rows.hpp"
#include "adapters/db/tenant_scope.hpp"

namespace personae {
namespace {

using sql_rows::execute_counting;
using sql_rows::fetch_one;
using sql_rows::fetch_rows;

constexpr const char* kSelectInvitation =
    "SELECT id, tenant_id, email, role, scopes, token_hash, invited_by, expires_at, accepted_at, revoked_at, "
    "created_at FROM invitations ";

struct InvitationColumns {
  std::string id;
  std::string tenant_id;
  std::string email;
  std::string role;
  std::string scopes;
  std::string token_hash;
  std::string invited_by;
  long long expires_at = 0;
  sql_rows::NullableInt64 accepted_at;
  sql_rows::NullableInt64 revoked_at;
  long long created_at = 0;

  void bind(soci::details::prepare_temp_type& prepared) {
    prepared, soci::into(id), soci::into(tenant_id), soci::into(email), soci::into(role), soci::into(scopes),
        soci::into(token_hash), soci::into(invited_by), soci::into(expires_at),
        soci::into(accepted_at.value, accepted_at.indicator),
        soci::into(revoked_at.value, revoked_at.indicator), soci::into(created_at);
  }
  Invitation value() const {
    Invitation invitation;
    invitation.id = id;
    invitation.tenant_id = tenant_id;
    invitation.email = email;
    invitation.role = sql_rows::role_from_text(role);
    invitation.scopes = sql_rows::decode_scopes(scopes);
    invitation.token_hash = token_hash;
    invitation.invited_by = invited_by;
    invitation.expires_at_unix_ms = expires_at;
    invitation.accepted_at_unix_ms = accepted_at.get();
    invitation.revoked_at_unix_ms = revoked_at.get();
    invitation.created_at_unix_ms = created_at;
    return invitation;
  }
};

}  // namespace

void SqlInvitationRepository::insert(Transaction& tx, const Invitation& invitation) {
  scope_to_tenant(tx, invitation.tenant_id);
  const std::string role = sql_rows::role_text(invitation.role);
  const std::string scopes = sql_rows::encode_scopes(invitation.scopes);
  const long long expires_at = invitation.expires_at_unix_ms;
  sql_rows::NullableInt64 accepted_at(invitation.accepted_at_unix_ms);
  sql_rows::NullableInt64 revoked_at(invitation.revoked_at_unix_ms);
  const long long created_at = invitation.created_at_unix_ms;
  soci_session(tx)
      << "INSERT INTO invitations (id, tenant_id, email, role, scopes, token_hash, invited_by, "
         "expires_at, accepted_at, revoked_at, created_at) VALUES (:id, :tenant_id, :email, :role, "
         ":scopes, :token_hash, :invited_by, :expires_at, :accepted_at, :revoked_at, :created_at)",
      soci::use(invitation.id, "id"), soci::use(invitation.tenant_id, "tenant_id"),
      soci::use(invitation.email, "email"), soci::use(role, "role"), soci::use(scopes, "scopes"),
      soci::use(invitation.token_hash, "token_hash"), soci::use(invitation.invited_by, "invited_by"),
      soci::use(expires_at, "expires_at"), soci::use(accepted_at.value, accepted_at.indicator, "accepted_at"),
      soci::use(revoked_at.value, revoked_at.indicator, "revoked_at"), soci::use(created_at, "created_at");
}

std::optional<Invitation> SqlInvitationRepository::find_by_token_hash(Transaction& tx,
                                                                      const std::string& token_hash) {
  // The invitee holds only the link: the tenant is learnt from the row.
  return bypass_tenant_scope(tx, [&] {
    return fetch_one<InvitationColumns>(soci_session(tx),
                                        std::string(kSelectInvitation) + "WHERE token_hash = :hash",
                                        [&](auto& prepared) { prepared, soci::use(token_hash, "hash"); });
  });
}

bool SqlInvitationRepository::mark_accepted(Transaction& tx, const std::string& tenant_id,
                                            const std::string& invitation_id, std::int64_t now_unix_ms) {
  scope_to_tenant(tx, tenant_id);
  const long long now = now_unix_ms;
  const long long expiry_now = now_unix_ms;
  return execute_counting(
             soci_session(tx),
             "UPDATE invitations SET accepted_at = :now WHERE tenant_id = :tenant_id AND id = :id "
             "AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > :expiry_now",
             [&](auto& prepared) {
               prepared, soci::use(now, "now"), soci::use(tenant_id, "tenant_id"),
                   soci::use(invitation_id, "id"), soci::use(expiry_now, "expiry_now");
             }) == 1;
}

std::vector<Invitation> SqlInvitationRepository::list_pending(Transaction& tx, const std::string& tenant_id,
                                                              std::int64_t now_unix_ms) {
  scope_to_tenant(tx, tenant_id);
  const long long now = now_unix_ms;
  return fetch_rows<InvitationColumns>(
      soci_session(tx),
      std::string(kSelectInvitation) +
          "WHERE tenant_id = :tenant_id AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > :now "
          "ORDER BY created_at DESC, id",
      [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"), soci::use(now, "now"); });
}

void SqlInvitationRepository::revoke(Transaction& tx, const std::string& tenant_id,
                                     const std::string& invitation_id, std::int64_t now_unix_ms) {
  scope_to_tenant(tx, tenant_id);
  const long long now = now_unix_ms;
  sql_rows::require_found(
      execute_counting(soci_session(tx),
                       "UPDATE invitations SET revoked_at = COALESCE(revoked_at, :now) "
                       "WHERE tenant_id = :tenant_id AND id = :id AND accepted_at IS NULL",
                       [&](auto& prepared) {
                         prepared, soci::use(now, "now"), soci::use(tenant_id, "tenant_id"),
                             soci::use(invitation_id, "id");
                       }),
      "no such pending invitation");
}

}  // namespace personae

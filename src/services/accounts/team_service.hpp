#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/accounts/api_key.hpp"
#include "domain/accounts/invitation.hpp"
#include "domain/accounts/membership.hpp"
#include "domain/accounts/tenant.hpp"
#include "domain/authorization/authorization.hpp"
#include "ports/api_key_repository.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"
#include "ports/invitation_repository.hpp"
#include "ports/membership_repository.hpp"
#include "ports/session_repository.hpp"
#include "ports/tenant_repository.hpp"
#include "ports/user_repository.hpp"
#include "security/password_hasher.hpp"
#include "services/accounts/accounts_types.hpp"
#include "services/audit_log_service.hpp"

namespace personae {

/// GET /me.
struct MeView {
  std::string user_id;
  std::string email;
  std::string display_name;
  bool totp_enabled = false;
  Tenant tenant;  ///< the current one
  Role role = Role::kViewer;
  std::vector<ResourceScope> scopes;
  std::vector<Action> allowed_actions;  ///< what the principal can() do, in matrix order
  std::vector<TenantChoice> tenants;    ///< every tenant of the user, for the switcher
  Principal::Kind kind = Principal::Kind::kUser;
};

struct MemberView {
  std::string user_id;
  std::string email;
  std::string display_name;
  Role role = Role::kViewer;
  std::vector<ResourceScope> scopes;
  bool disabled = false;
  bool totp_enabled = false;
  std::int64_t joined_at_unix_ms = 0;
};

struct NewInvitation {
  std::string email;
  Role role = Role::kViewer;
  std::vector<ResourceScope> scopes;
};

/// The token is for the link, shown once to the inviter (until mail delivery exists).
struct CreatedInvitation {
  Invitation invitation;  ///< token_hash included: do not serialise it
  std::string token;
};

/// What accepting an invitation made.
struct AcceptedInvitation {
  std::string user_id;
  Tenant tenant;
  Membership membership;
  bool user_created = false;
};

struct NewApiKey {
  std::string name;                     ///< 1-100 characters
  std::vector<Action> actions;          ///< each must be held by the creator's role
  std::int64_t expires_at_unix_ms = 0;  ///< required; after now, at most api_key_max_lifetime ahead
};

struct CreatedApiKey {
  ApiKey key;          ///< secret_hash included: do not serialise it
  std::string secret;  ///< the full key text "psk_<prefix>_<secret>", shown once
};

/// Members, roles, invitations and API keys of the principal's tenant. Every method first checks
/// principal.can(action) (kPermissionDenied, audited as "authorization.denied"), takes the
/// tenant from the principal only, and answers kNotFound (never kPermissionDenied) for an id that
/// is not in that tenant, changing nothing. Role changes, removals, disables, invitations and key
/// creation/revocation are audited in the tenant's chain.
///
/// Disabling: a tenant admin removes a member from their tenant (remove_member); only an owner may
/// disable a user's account globally (disable_member), and only one who belongs to no other tenant
/// (a user of several tenants is not any one tenant's to switch off: remove them, or ask the
/// operator, SetupService::set_user_disabled). Disabling moves tokens_valid_after and revokes
/// every session at once.
/// Blocking; thread-safe; holds references that must outlive it.
class TeamService {
 public:
  TeamService(Database& database, TenantRepository& tenants, UserRepository& users,
              MembershipRepository& memberships, SessionRepository& sessions,
              InvitationRepository& invitations, ApiKeyRepository& api_keys, AuditLogService& audit,
              security::PasswordHasher& hasher, const Clock& clock, AccountsOptions options = {});

  /// The principal's view of itself. kNotFound if the user or tenant vanished meanwhile.
  Result<MeView> me(const Principal& principal);

  /// kMemberList. Members, oldest first.
  Result<std::vector<MemberView>> list_members(const Principal& principal);

  /// kMemberManage. Replaces role and scopes. kPermissionDenied when may_assign_role refuses (e.g.
  /// an admin granting or removing owner); kFailedPrecondition "the last owner cannot be demoted";
  /// kNotFound for a non-member; kInvalidArgument for a malformed scope.
  Result<MemberView> update_member(const Principal& principal, std::string_view user_id, Role role,
                                   const std::vector<ResourceScope>& scopes, const ClientInfo& client);

  /// kMemberManage. Removes the member from this tenant (their sessions here go too). A non-owner
  /// cannot remove an owner (kPermissionDenied); kFailedPrecondition for the last owner; kNotFound
  /// for a non-member. A member may always leave: removing oneself needs no kMemberManage.
  Result<void> remove_member(const Principal& principal, std::string_view user_id, const ClientInfo& client);

  /// Owner only (role owner and kMemberManage, else kPermissionDenied). Disables the member's
  /// account; kFailedPrecondition when the user belongs to another tenant too, or is the caller;
  /// kNotFound for a non-member.
  Result<void> disable_member(const Principal& principal, std::string_view user_id, const ClientInfo& client);

  /// kMemberInvite. kInvalidArgument for a bad e-mail or scope; kPermissionDenied when the role is
  /// above what may_assign_role lets the inviter grant; kConflict when that user is already a
  /// member.
  Result<CreatedInvitation> create_invitation(const Principal& principal, const NewInvitation& request,
                                              const ClientInfo& client);

  /// kMemberInvite. Pending invitations, newest first.
  Result<std::vector<Invitation>> list_invitations(const Principal& principal);

  /// kMemberInvite. kNotFound when no unaccepted invitation has that id in the tenant.
  Result<void> revoke_invitation(const Principal& principal, std::string_view invitation_id,
                                 const ClientInfo& client);

  /// An existing, signed-in user accepts: `user_id` is the caller's (from any of their
  /// principals); the invitation's e-mail must be theirs. kNotFound "invalid or expired
  /// invitation" for a bad, used, revoked or expired token or another user's invitation;
  /// kConflict when already a member.
  Result<AcceptedInvitation> accept_invitation(std::string_view token, const std::string& user_id,
                                               const ClientInfo& client);

  /// A new user registers through the invitation: creates the user (invitation's e-mail, the
  /// password after the policy) and the membership, and marks the invitation accepted, in ONE
  /// write transaction. kNotFound "invalid or expired invitation"; kConflict "sign in to accept"
  /// when a user with that e-mail exists; kInvalidArgument for the password or display name.
  Result<AcceptedInvitation> accept_invitation_new_user(std::string_view token, std::string_view password,
                                                        std::string_view display_name,
                                                        const ClientInfo& client);

  /// kApiKeyManage, and a user principal (keys do not mint keys: kPermissionDenied).
  /// kInvalidArgument for an empty name, no actions, a missing/past expiry or one beyond
  /// api_key_max_lifetime; kPermissionDenied for an action the creator's role does not hold.
  Result<CreatedApiKey> create_api_key(const Principal& principal, const NewApiKey& request,
                                       const ClientInfo& client);

  /// kApiKeyList. The tenant's keys, revoked included, newest first.
  Result<std::vector<ApiKey>> list_api_keys(const Principal& principal);

  /// kApiKeyManage. kNotFound for an id not in the tenant.
  Result<void> revoke_api_key(const Principal& principal, std::string_view key_id, const ClientInfo& client);

 private:
  Database& database_;
  TenantRepository& tenants_;
  UserRepository& users_;
  MembershipRepository& memberships_;
  SessionRepository& sessions_;
  InvitationRepository& invitations_;
  ApiKeyRepository& api_keys_;
  AuditLogService& audit_;
  security::PasswordHasher& hasher_;
  const Clock& clock_;
  AccountsOptions options_;
};

}  // namespace personae

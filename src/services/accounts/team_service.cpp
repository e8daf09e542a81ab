#include "services/accounts/team_service.hpp"

#include <algorithm>

#include "domain/accounts/email_address.hpp"
#include "domain/accounts/text.hpp"
#include "security/tokens.hpp"
#include "services/accounts/account_support.hpp"

namespace personae {
namespace {

using accounts_detail::audit_entry;
using accounts_detail::guarded;
using accounts_detail::principal_actor;
using accounts_detail::require;
using accounts_detail::user_actor;
using service_support::fail;

constexpr std::string_view kInvalidInvitation = "invalid or expired invitation";

MemberView member_view(const Membership& membership, const User& user) {
  MemberView view;
  view.user_id = user.id;
  view.email = user.email;
  view.display_name = user.display_name;
  view.role = membership.role;
  view.scopes = membership.scopes;
  view.disabled = user.disabled;
  view.totp_enabled = user.totp_enabled;
  view.joined_at_unix_ms = membership.created_at_unix_ms;
  return view;
}

std::string scopes_text(const std::vector<ResourceScope>& scopes) {
  std::string text;
  for (const ResourceScope& scope : scopes) {
    if (!text.empty()) text += ";";
    text += scope.kind + ":" + std::to_string(scope.ids.size());
  }
  return text;
}

}  // namespace

TeamService::TeamService(Database& database, TenantRepository& tenants, UserRepository& users,
                         MembershipRepository& memberships, SessionRepository& sessions,
                         InvitationRepository& invitations, ApiKeyRepository& api_keys,
                         AuditLogService& audit, security::PasswordHasher& hasher, const Clock& clock,
                         AccountsOptions options)
    : database_(database),
      tenants_(tenants),
      users_(users),
      memberships_(memberships),
      sessions_(sessions),
      invitations_(invitations),
      api_keys_(api_keys),
      audit_(audit),
      hasher_(hasher),
      clock_(clock),
      options_(options) {}

Result<MeView> TeamService::me(const Principal& principal) {
  return guarded([&]() -> Result<MeView> {
    std::optional<User> user;
    std::optional<Tenant> tenant;
    std::vector<Tenant> tenants;
    std::vector<Membership> memberships;
    database_.read([&](Transaction& tx) {
      user = users_.find_by_id(tx, principal.user_id);
      tenant = tenants_.find_by_id(tx, principal.tenant_id);
      tenants = tenants_.list_for_user(tx, principal.user_id);
      memberships = memberships_.list_by_user(tx, principal.user_id);
    });
    if (!user || !tenant) return make_error(ErrorCode::kNotFound, "account not found");
    MeView view;
    view.user_id = user->id;
    view.email = user->email;
    view.display_name = user->display_name;
    view.totp_enabled = user->totp_enabled;
    view.tenant = *tenant;
    view.role = principal.role;
    view.scopes = principal.scopes;
    view.kind = principal.kind;
    for (const ActionInfo& info : all_actions()) {
      if (principal.can(info.action)) view.allowed_actions.push_back(info.action);
    }
    for (const Tenant& candidate : tenants) {
      const auto membership = std::find_if(memberships.begin(), memberships.end(),
                                           [&](const Membership& m) { return m.tenant_id == candidate.id; });
      view.tenants.push_back(TenantChoice{
          candidate.id, candidate.name, membership != memberships.end() ? membership->role : Role::kViewer});
    }
    return view;
  });
}

Result<std::vector<MemberView>> TeamService::list_members(const Principal& principal) {
  return guarded([&]() -> Result<std::vector<MemberView>> {
    if (auto allowed = require(principal, Action::kMemberList); !allowed)
      return tl::unexpected(allowed.error());
    return database_.read([&](Transaction& tx) {
      std::vector<MemberView> views;
      for (const Membership& membership : memberships_.list_by_tenant(tx, principal.tenant_id)) {
        if (const std::optional<User> user = users_.find_by_id(tx, membership.user_id)) {
          views.push_back(member_view(membership, *user));
        }
      }
      return views;
    });
  });
}

Result<MemberView> TeamService::update_member(const Principal& principal, std::string_view user_id, Role role,
                                              const std::vector<ResourceScope>& scopes,
                                              const ClientInfo& client) {
  return guarded([&]() -> Result<MemberView> {
    if (auto allowed = require(principal, Action::kMemberManage); !allowed)
      return tl::unexpected(allowed.error());
    if (auto valid = accounts_detail::validate_scopes(scopes); !valid) return tl::unexpected(valid.error());
    return database_.write([&](Transaction& tx) {
      const std::string target_id(user_id);
      const std::optional<Membership> current = memberships_.find(tx, principal.tenant_id, target_id);
      if (!current) fail(ErrorCode::kNotFound, "member not found");
      if (!may_assign_role(principal.role, current->role, role))
        fail(ErrorCode::kPermissionDenied, "not allowed");
      if (current->role == Role::kOwner && role != Role::kOwner &&
          memberships_.count_owners(tx, principal.tenant_id) <= 1) {
        fail(ErrorCode::kFailedPrecondition, "the last owner cannot be demoted");
      }
      memberships_.update(tx, principal.tenant_id, target_id, role, scopes);
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "member.role_changed",
                                    user_actor(target_id), client,
                                    {{"from", to_string(current->role)},
                                     {"to", to_string(role)},
                                     {"scopes", scopes_text(scopes)}}));
      Membership updated = *current;
      updated.role = role;
      updated.scopes = scopes;
      const std::optional<User> user = users_.find_by_id(tx, target_id);
      if (!user) fail(ErrorCode::kNotFound, "member not found");
      return member_view(updated, *user);
    });
  });
}

Result<void> TeamService::remove_member(const Principal& principal, std::string_view user_id,
                                        const ClientInfo& client) {
  return guarded([&]() -> Result<void> {
    const bool leaving = principal.kind == Principal::Kind::kUser && user_id == principal.user_id;
    if (!leaving) {
      if (auto allowed = require(principal, Action::kMemberManage); !allowed)
        return tl::unexpected(allowed.error());
    }
    database_.write([&](Transaction& tx) {
      const std::string target_id(user_id);
      const std::optional<Membership> current = memberships_.find(tx, principal.tenant_id, target_id);
      if (!current) fail(ErrorCode::kNotFound, "member not found");
      if (current->role == Role::kOwner) {
        if (!leaving && principal.role != Role::kOwner) fail(ErrorCode::kPermissionDenied, "not allowed");
        if (memberships_.count_owners(tx, principal.tenant_id) <= 1) {
          fail(ErrorCode::kFailedPrecondition, "the last owner cannot be removed");
        }
      }
      memberships_.remove(tx, principal.tenant_id, target_id);
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal),
                                    leaving ? "member.left" : "member.removed", user_actor(target_id), client,
                                    {{"role", to_string(current->role)}}));
    });
    return {};
  });
}

Result<void> TeamService::disable_member(const Principal& principal, std::string_view user_id,
                                         const ClientInfo& client) {
  return guarded([&]() -> Result<void> {
    if (auto allowed = require(principal, Action::kMemberManage); !allowed)
      return tl::unexpected(allowed.error());
    if (principal.role != Role::kOwner) return make_error(ErrorCode::kPermissionDenied, "not allowed");
    const std::int64_t now = clock_.now_unix_ms();
    database_.write([&](Transaction& tx) {
      const std::string target_id(user_id);
      if (!memberships_.find(tx, principal.tenant_id, target_id))
        fail(ErrorCode::kNotFound, "member not found");
      if (target_id == principal.user_id)
        fail(ErrorCode::kFailedPrecondition, "you cannot disable your own account");
      if (memberships_.list_by_user(tx, target_id).size() > 1) {
        fail(ErrorCode::kFailedPrecondition,
             "the user belongs to other tenants too: remove them from this one instead");
      }
      users_.set_disabled(tx, target_id, true, now);
      const std::int64_t revoked =
          sessions_.revoke_all_for_user(tx, target_id, now, "disabled", std::nullopt);
      audit_.append(
          tx, audit_entry(principal.tenant_id, principal_actor(principal), "user.disabled",
                          user_actor(target_id), client, {{"sessions_revoked", std::to_string(revoked)}}));
    });
    return {};
  });
}

Result<CreatedInvitation> TeamService::create_invitation(const Principal& principal,
                                                         const NewInvitation& request,
                                                         const ClientInfo& client) {
  return guarded([&]() -> Result<CreatedInvitation> {
    if (auto allowed = require(principal, Action::kMemberInvite); !allowed)
      return tl::unexpected(allowed.error());
    auto email = parse_email(request.email);
    if (!email) return tl::unexpected(email.error());
    if (auto valid = accounts_detail::validate_scopes(request.scopes); !valid)
      return tl::unexpected(valid.error());
    // A new member starts from nothing: the lowest role stands for "no role yet".
    if (!may_assign_role(principal.role, Role::kViewer, request.role)) {
      return make_error(ErrorCode::kPermissionDenied, "not allowed to grant that role");
    }
    const std::int64_t now = clock_.now_unix_ms();
    CreatedInvitation created;
    created.token = security::generate_token();
    Invitation& invitation = created.invitation;
    invitation.id = security::generate_id();
    invitation.tenant_id = principal.tenant_id;
    invitation.email = *email;
    invitation.role = request.role;
    invitation.scopes = request.scopes;
    invitation.token_hash = security::hash_token(created.token);
    invitation.invited_by = principal.user_id;
    invitation.expires_at_unix_ms = now + options_.invitation_ttl.count();
    invitation.created_at_unix_ms = now;
    database_.write([&](Transaction& tx) {
      if (const std::optional<User> existing = users_.find_by_email(tx, invitation.email)) {
        if (memberships_.find(tx, principal.tenant_id, existing->id)) {
          fail(ErrorCode::kConflict, "that user is already a member");
        }
      }
      invitations_.insert(tx, invitation);
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "invitation.created",
                                    "invitation:" + invitation.id, client,
                                    {{"email", invitation.email}, {"role", to_string(invitation.role)}}));
    });
    return created;
  });
}

Result<std::vector<Invitation>> TeamService::list_invitations(const Principal& principal) {
  return guarded([&]() -> Result<std::vector<Invitation>> {
    if (auto allowed = require(principal, Action::kMemberInvite); !allowed)
      return tl::unexpected(allowed.error());
    const std::int64_t now = clock_.now_unix_ms();
    return database_.read(
        [&](Transaction& tx) { return invitations_.list_pending(tx, principal.tenant_id, now); });
  });
}

Result<void> TeamService::revoke_invitation(const Principal& principal, std::string_view invitation_id,
                                            const ClientInfo& client) {
  return guarded([&]() -> Result<void> {
    if (auto allowed = require(principal, Action::kMemberInvite); !allowed)
      return tl::unexpected(allowed.error());
    database_.write([&](Transaction& tx) {
      invitations_.revoke(tx, principal.tenant_id, std::string(invitation_id), clock_.now_unix_ms());
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "invitation.revoked",
                                    "invitation:" + std::string(invitation_id), client));
    });
    return {};
  });
}

Result<AcceptedInvitation> TeamService::accept_invitation(std::string_view token, const std::string& user_id,
                                                          const ClientInfo& client) {
  return guarded([&]() -> Result<AcceptedInvitation> {
    if (token.empty() || token.size() > 256)
      return make_error(ErrorCode::kNotFound, std::string(kInvalidInvitation));
    const std::string token_hash = security::hash_token(token);
    const std::int64_t now = clock_.now_unix_ms();
    return database_.write([&](Transaction& tx) {
      const std::optional<Invitation> invitation = invitations_.find_by_token_hash(tx, token_hash);
      if (!invitation || !invitation->pending_at(now))
        fail(ErrorCode::kNotFound, std::string(kInvalidInvitation));
      const std::optional<User> user = users_.find_by_id(tx, user_id);
      if (!user || user->disabled) fail(ErrorCode::kUnauthenticated, "invalid access token");
      if (user->email != invitation->email) fail(ErrorCode::kNotFound, std::string(kInvalidInvitation));
      if (memberships_.find(tx, invitation->tenant_id, user->id)) {
        fail(ErrorCode::kConflict, "already a member of this tenant");
      }
      if (!invitations_.mark_accepted(tx, invitation->tenant_id, invitation->id, now)) {
        fail(ErrorCode::kNotFound, std::string(kInvalidInvitation));
      }
      AcceptedInvitation accepted;
      accepted.user_id = user->id;
      accepted.membership =
          Membership{invitation->tenant_id, user->id, invitation->role, invitation->scopes, now};
      memberships_.add(tx, accepted.membership);
      const std::optional<Tenant> tenant = tenants_.find_by_id(tx, invitation->tenant_id);
      if (!tenant) fail(ErrorCode::kNotFound, std::string(kInvalidInvitation));
      accepted.tenant = *tenant;
      audit_.append(tx, audit_entry(invitation->tenant_id, user_actor(user->id), "invitation.accepted",
                                    "invitation:" + invitation->id, client,
                                    {{"role", to_string(invitation->role)}, {"user_created", "false"}}));
      return accepted;
    });
  });
}

Result<AcceptedInvitation> TeamService::accept_invitation_new_user(std::string_view token,
                                                                   std::string_view password,
                                                                   std::string_view display_name,
                                                                   const ClientInfo& client) {
  return guarded([&]() -> Result<AcceptedInvitation> {
    if (token.empty() || token.size() > 256)
      return make_error(ErrorCode::kNotFound, std::string(kInvalidInvitation));
    const std::string token_hash = security::hash_token(token);
    // Look the invitation up before spending a hash on the password.
    std::optional<Invitation> invitation =
        database_.read([&](Transaction& tx) { return invitations_.find_by_token_hash(tx, token_hash); });
    if (!invitation || !invitation->pending_at(clock_.now_unix_ms())) {
      return make_error(ErrorCode::kNotFound, std::string(kInvalidInvitation));
    }
    auto display = accounts_detail::parse_display_name(display_name);
    if (!display) return tl::unexpected(display.error());
    auto hashed = accounts_detail::hash_new_password(hasher_, options_, password, invitation->email);
    if (!hashed) return tl::unexpected(hashed.error());
    const std::int64_t now = clock_.now_unix_ms();
    return database_.write([&](Transaction& tx) {
      if (users_.find_by_email(tx, invitation->email)) fail(ErrorCode::kConflict, "sign in to accept");
      if (!invitations_.mark_accepted(tx, invitation->tenant_id, invitation->id, now)) {
        fail(ErrorCode::kNotFound, std::string(kInvalidInvitation));
      }
      User user;
      user.id = security::generate_id();
      user.email = invitation->email;
      user.display_name = *display;
      user.password_hash = *hashed;
      user.created_at_unix_ms = now;
      users_.create(tx, user);
      AcceptedInvitation accepted;
      accepted.user_id = user.id;
      accepted.user_created = true;
      accepted.membership =
          Membership{invitation->tenant_id, user.id, invitation->role, invitation->scopes, now};
      memberships_.add(tx, accepted.membership);
      const std::optional<Tenant> tenant = tenants_.find_by_id(tx, invitation->tenant_id);
      if (!tenant) fail(ErrorCode::kNotFound, std::string(kInvalidInvitation));
      accepted.tenant = *tenant;
      audit_.append(tx, audit_entry(invitation->tenant_id, user_actor(user.id), "invitation.accepted",
                                    "invitation:" + invitation->id, client,
                                    {{"role", to_string(invitation->role)}, {"user_created", "true"}}));
      return accepted;
    });
  });
}

Result<CreatedApiKey> TeamService::create_api_key(const Principal& principal, const NewApiKey& request,
                                                  const ClientInfo& client) {
  return guarded([&]() -> Result<CreatedApiKey> {
    if (auto allowed = require(principal, Action::kApiKeyManage); !allowed)
      return tl::unexpected(allowed.error());
    if (auto allowed = accounts_detail::require_user(principal); !allowed)
      return tl::unexpected(allowed.error());
    const std::string_view name = trim_ascii_whitespace(request.name);
    const std::optional<std::size_t> name_length = utf8_code_points(name);
    if (!name_length || *name_length == 0 || *name_length > 100 || has_control_character(name)) {
      return make_error(ErrorCode::kInvalidArgument, "name must be 1 to 100 characters of text");
    }
    if (request.actions.empty())
      return make_error(ErrorCode::kInvalidArgument, "a key needs at least one action");
    std::vector<std::string> scopes;
    for (const Action action : request.actions) {
      // A key can never do more than its creator's role.
      if (!role_allows(principal.role, action)) {
        return make_error(ErrorCode::kPermissionDenied,
                          "your role does not hold action " + std::string(to_string(action)));
      }
      const std::string scope(to_string(action));
      if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) scopes.push_back(scope);
    }
    const std::int64_t now = clock_.now_unix_ms();
    if (request.expires_at_unix_ms <= now ||
        request.expires_at_unix_ms > now + options_.api_key_max_lifetime.count()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "expiry must lie in the future, within the maximum key lifetime");
    }
    const security::ApiKey generated = security::generate_api_key();
    CreatedApiKey created;
    created.secret = generated.text();
    ApiKey& key = created.key;
    key.id = security::generate_id();
    key.tenant_id = principal.tenant_id;
    key.created_by = principal.user_id;
    key.name = std::string(name);
    key.prefix = generated.prefix;
    key.secret_hash = security::hash_token(generated.secret);
    key.scopes = std::move(scopes);
    key.expires_at_unix_ms = request.expires_at_unix_ms;
    key.created_at_unix_ms = now;
    std::string scope_list;
    for (const std::string& scope : key.scopes) scope_list += (scope_list.empty() ? "" : ",") + scope;
    database_.write([&](Transaction& tx) {
      api_keys_.insert(tx, key);
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "api_key.created",
                                    "api_key:" + key.id, client,
                                    {{"name", key.name}, {"prefix", key.prefix}, {"actions", scope_list}}));
    });
    return created;
  });
}

Result<std::vector<ApiKey>> TeamService::list_api_keys(const Principal& principal) {
  return guarded([&]() -> Result<std::vector<ApiKey>> {
    if (auto allowed = require(principal, Action::kApiKeyList); !allowed)
      return tl::unexpected(allowed.error());
    return database_.read([&](Transaction& tx) { return api_keys_.list_by_tenant(tx, principal.tenant_id); });
  });
}

Result<void> TeamService::revoke_api_key(const Principal& principal, std::string_view key_id,
                                         const ClientInfo& client) {
  return guarded([&]() -> Result<void> {
    if (auto allowed = require(principal, Action::kApiKeyManage); !allowed)
      return tl::unexpected(allowed.error());
    database_.write([&](Transaction& tx) {
      api_keys_.revoke(tx, principal.tenant_id, std::string(key_id), clock_.now_unix_ms());
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "api_key.revoked",
                                    "api_key:" + std::string(key_id), client));
    });
    return {};
  });
}

}  // namespace personae

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/contract/accounts_service/accounts_service_fixture.hpp"

namespace personae::testing {
namespace {

using ::testing::Contains;

class TeamServiceTest : public AccountsServiceTest {
 protected:
  /// A principal built as the authenticator would, without spending a password hash.
  Principal as_member(const Tenant& tenant, const User& user, Role role) {
    Principal principal;
    principal.user_id = user.id;
    principal.tenant_id = tenant.id;
    principal.role = role;
    return principal;
  }
  Role role_of(const Tenant& tenant, const User& user) {
    return database_->read([&](Transaction& tx) { return memberships_.find(tx, tenant.id, user.id); })->role;
  }
  NewApiKey key_request(std::vector<Action> actions) {
    return NewApiKey{"automation", std::move(actions), clock_.now_unix_ms() + 24 * 3'600'000};
  }
};

TEST_P(TeamServiceTest, MeShowsRoleActionsAndTenants) {
  const Tenant first = create_tenant("first");
  const Tenant second = create_tenant("second");
  const User ann = make_member(first, "ann", Role::kAdmin);
  add_member(second, ann, Role::kViewer);
  auto me = team_->me(as_member(first, ann, Role::kAdmin));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->tenant.id, first.id);
  EXPECT_EQ(me->role, Role::kAdmin);
  EXPECT_EQ(me->tenants.size(), 2u);
  EXPECT_THAT(me->allowed_actions, Contains(Action::kMemberInvite));
  EXPECT_THAT(me->allowed_actions, ::testing::Not(Contains(Action::kTenantManageSecurity)));
}

TEST_P(TeamServiceTest, RoleChangesFollowTheRulesAndTheLastOwnerStays) {
  const Tenant tenant = create_tenant("agency");
  const User owner = make_member(tenant, "owner", Role::kOwner);
  const User admin = make_member(tenant, "admin", Role::kAdmin);
  const User viewer = make_member(tenant, "viewer", Role::kViewer);
  const Principal as_owner = as_member(tenant, owner, Role::kOwner);
  const Principal as_admin = as_member(tenant, admin, Role::kAdmin);

  EXPECT_EQ(
      team_->update_member(as_member(tenant, viewer, Role::kViewer), admin.id, Role::kViewer, {}, client_)
          .error()
          .code,
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(team_->update_member(as_admin, viewer.id, Role::kOwner, {}, client_).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(team_->update_member(as_admin, owner.id, Role::kViewer, {}, client_).error().code,
            ErrorCode::kPermissionDenied);
  auto scoped =
      team_->update_member(as_admin, viewer.id, Role::kChatter, {{"persona", {"p1", "p2"}}}, client_);
  ASSERT_TRUE(scoped);
  EXPECT_EQ(scoped->role, Role::kChatter);

  EXPECT_EQ(team_->update_member(as_owner, owner.id, Role::kAdmin, {}, client_).error().code,
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(team_->remove_member(as_owner, owner.id, client_).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(role_of(tenant, owner), Role::kOwner);

  ASSERT_TRUE(team_->update_member(as_owner, admin.id, Role::kOwner, {}, client_));
  EXPECT_TRUE(team_->update_member(as_owner, owner.id, Role::kAdmin, {}, client_));
  EXPECT_EQ(role_of(tenant, owner), Role::kAdmin);
  EXPECT_THAT(audit_actions(tenant.id), Contains("member.role_changed"));

  ASSERT_TRUE(team_->remove_member(as_member(tenant, admin, Role::kOwner), viewer.id, client_));
  EXPECT_THAT(audit_actions(tenant.id), Contains("member.removed"));
  EXPECT_EQ(team_->list_members(as_owner).value().size(), 2u);
}

TEST_P(TeamServiceTest, AnotherTenantsIdsAreNotFoundAndUnchanged) {
  const Tenant mine = create_tenant("mine");
  const Tenant theirs = create_tenant("theirs");
  const User owner = make_member(mine, "owner", Role::kOwner);
  const User stranger = make_member(theirs, "stranger", Role::kViewer);
  make_member(theirs, "their-owner", Role::kOwner);
  const Principal as_owner = as_member(mine, owner, Role::kOwner);
  User their_owner;
  their_owner.id = "u-their-owner";
  const Principal as_their_owner = as_member(theirs, their_owner, Role::kOwner);
  auto invitation =
      team_->create_invitation(as_their_owner, NewInvitation{"new@example.org", Role::kViewer, {}}, client_);
  ASSERT_TRUE(invitation);
  auto key = team_->create_api_key(as_their_owner, key_request({Action::kMemberList}), client_);
  ASSERT_TRUE(key);

  EXPECT_EQ(team_->update_member(as_owner, stranger.id, Role::kAdmin, {}, client_).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(team_->remove_member(as_owner, stranger.id, client_).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(team_->disable_member(as_owner, stranger.id, client_).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(team_->revoke_invitation(as_owner, invitation->invitation.id, client_).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(team_->revoke_api_key(as_owner, key->key.id, client_).error().code, ErrorCode::kNotFound);

  EXPECT_EQ(role_of(theirs, stranger), Role::kViewer);
  EXPECT_FALSE(
      database_->read([&](Transaction& tx) { return users_.find_by_id(tx, stranger.id); })->disabled);
  EXPECT_EQ(team_->list_invitations(as_their_owner).value().size(), 1u);
  EXPECT_TRUE(authenticator_->authenticate_api_key(key->secret));
  EXPECT_TRUE(team_->list_api_keys(as_owner).value().empty());
}

TEST_P(TeamServiceTest, DisabledUsersAreRefusedEverywhere) {
  const Tenant tenant = create_tenant("agency");
  const Tenant other = create_tenant("other");
  const User owner = make_member(tenant, "owner", Role::kOwner);
  const User admin = make_member(tenant, "admin", Role::kAdmin);
  const User shared = make_member(tenant, "shared", Role::kViewer);
  add_member(other, shared, Role::kViewer);
  const TokenPair tokens = sign_in("admin@example.org");
  auto key = team_->create_api_key(principal_of(tokens), key_request({Action::kMemberList}), client_);
  ASSERT_TRUE(key);

  EXPECT_EQ(team_->disable_member(as_member(tenant, admin, Role::kAdmin), owner.id, client_).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(team_->disable_member(as_member(tenant, owner, Role::kOwner), shared.id, client_).error().code,
            ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(team_->disable_member(as_member(tenant, owner, Role::kOwner), admin.id, client_));
  EXPECT_THAT(audit_actions(tenant.id), Contains("user.disabled"));

  EXPECT_EQ(authenticator_->authenticate_access_token(tokens.access_token).error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(auth_->refresh(tokens.refresh_token, client_).error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(authenticator_->authenticate_api_key(key->secret).error().code, ErrorCode::kUnauthenticated);
  auto login = auth_->login(LoginRequest{"admin@example.org", kPassword, {}, {}, {}}, client_);
  ASSERT_FALSE(login);
  EXPECT_EQ(login.error().message, "invalid e-mail or password");

  // The operator's switch works the same way and can undo it.
  ASSERT_TRUE(setup_->set_user_disabled("admin@example.org", false));
  EXPECT_TRUE(authenticator_->authenticate_api_key(key->secret));
}

TEST_P(TeamServiceTest, ApiKeysAreLimitedByRoleAndGrantAndExpire) {
  const Tenant tenant = create_tenant("agency");
  const User admin = make_member(tenant, "admin", Role::kAdmin);
  const User viewer = make_member(tenant, "viewer", Role::kViewer);
  const Principal as_admin = as_member(tenant, admin, Role::kAdmin);

  EXPECT_EQ(team_
                ->create_api_key(as_member(tenant, viewer, Role::kViewer), key_request({Action::kMemberList}),
                                 client_)
                .error()
                .code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(
      team_->create_api_key(as_admin, key_request({Action::kTenantManageSecurity}), client_).error().code,
      ErrorCode::kPermissionDenied);
  NewApiKey forever = key_request({Action::kMemberList});
  forever.expires_at_unix_ms = clock_.now_unix_ms() + options_.api_key_max_lifetime.count() + 1;
  EXPECT_EQ(team_->create_api_key(as_admin, forever, client_).error().code, ErrorCode::kInvalidArgument);
  NewApiKey no_expiry = key_request({Action::kMemberList});
  no_expiry.expires_at_unix_ms = 0;
  EXPECT_EQ(team_->create_api_key(as_admin, no_expiry, client_).error().code, ErrorCode::kInvalidArgument);

  auto key =
      team_->create_api_key(as_admin, key_request({Action::kMemberList, Action::kApiKeyList}), client_);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_THAT(audit_actions(tenant.id), Contains("api_key.created"));
  auto principal = authenticator_->authenticate_api_key(key->secret);
  ASSERT_TRUE(principal) << principal.error().detail;
  EXPECT_EQ(principal->kind, Principal::Kind::kApiKey);
  EXPECT_TRUE(principal->can(Action::kMemberList));
  EXPECT_FALSE(principal->can(Action::kMemberInvite));  // the role holds it, the key was not granted it
  EXPECT_EQ(team_->create_invitation(*principal, NewInvitation{"x@example.org", Role::kViewer, {}}, client_)
                .error()
                .code,
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(team_->list_members(*principal));

  // Demoting the creator shrinks the key too: role and grant must both allow.
  database_->write([&](Transaction& tx) { memberships_.update(tx, tenant.id, admin.id, Role::kViewer, {}); });
  EXPECT_FALSE(authenticator_->authenticate_api_key(key->secret)->can(Action::kApiKeyList));
  database_->write([&](Transaction& tx) { memberships_.update(tx, tenant.id, admin.id, Role::kAdmin, {}); });

  std::string tampered = key->secret;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(authenticator_->authenticate_api_key(tampered).error().code, ErrorCode::kUnauthenticated);

  auto revoked = team_->create_api_key(as_admin, key_request({Action::kMemberList}), client_);
  ASSERT_TRUE(team_->revoke_api_key(as_admin, revoked->key.id, client_));
  EXPECT_EQ(authenticator_->authenticate_api_key(revoked->secret).error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(audit_actions(tenant.id), Contains("api_key.revoked"));

  clock_.advance(std::chrono::hours(24));
  EXPECT_EQ(authenticator_->authenticate_api_key(key->secret).error().code, ErrorCode::kUnauthenticated);
}

TEST_P(TeamServiceTest, InvitationsAreSingleUseAndExpire) {
  const Tenant tenant = create_tenant("agency");
  const User admin = make_member(tenant, "admin", Role::kAdmin);
  const User existing = make_member(create_tenant("elsewhere"), "existing", Role::kOwner);
  const Principal as_admin = as_member(tenant, admin, Role::kAdmin);

  EXPECT_EQ(team_->create_invitation(as_admin, NewInvitation{"boss@example.org", Role::kOwner, {}}, client_)
                .error()
                .code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(team_->create_invitation(as_admin, NewInvitation{"admin@example.org", Role::kViewer, {}}, client_)
                .error()
                .code,
            ErrorCode::kConflict);

  auto invitation = team_->create_invitation(
      as_admin, NewInvitation{"New@Example.org", Role::kChatter, {{"persona", {"p1"}}}}, client_);
  ASSERT_TRUE(invitation);
  EXPECT_THAT(audit_actions(tenant.id), Contains("invitation.created"));
  EXPECT_EQ(team_->list_invitations(as_admin).value().size(), 1u);
  EXPECT_EQ(team_->accept_invitation(invitation->token, existing.id, client_).error().code,
            ErrorCode::kNotFound);
  auto accepted =
      team_->accept_invitation_new_user(invitation->token, "a long new passphrase", "Newcomer", client_);
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_TRUE(accepted->user_created);
  EXPECT_EQ(accepted->membership.role, Role::kChatter);
  EXPECT_EQ(team_->accept_invitation_new_user(invitation->token, "a long new passphrase", "Again", client_)
                .error()
                .code,
            ErrorCode::kNotFound);
  EXPECT_TRUE(team_->list_invitations(as_admin).value().empty());

  auto for_existing =
      team_->create_invitation(as_admin, NewInvitation{"existing@example.org", Role::kViewer, {}}, client_);
  ASSERT_TRUE(for_existing);
  EXPECT_EQ(team_->accept_invitation_new_user(for_existing->token, "a long new passphrase", "X", client_)
                .error()
                .code,
            ErrorCode::kConflict);
  auto joined = team_->accept_invitation(for_existing->token, existing.id, client_);
  ASSERT_TRUE(joined) << joined.error().message;
  EXPECT_FALSE(joined->user_created);
  EXPECT_EQ(team_->accept_invitation(for_existing->token, existing.id, client_).error().code,
            ErrorCode::kNotFound);

  auto revoked =
      team_->create_invitation(as_admin, NewInvitation{"gone@example.org", Role::kViewer, {}}, client_);
  ASSERT_TRUE(team_->revoke_invitation(as_admin, revoked->invitation.id, client_));
  EXPECT_EQ(
      team_->accept_invitation_new_user(revoked->token, "a long new passphrase", "X", client_).error().code,
      ErrorCode::kNotFound);
  auto expiring =
      team_->create_invitation(as_admin, NewInvitation{"late@example.org", Role::kViewer, {}}, client_);
  clock_.advance(options_.invitation_ttl);
  EXPECT_EQ(
      team_->accept_invitation_new_user(expiring->token, "a long new passphrase", "X", client_).error().code,
      ErrorCode::kNotFound);
}

TEST_P(TeamServiceTest, PermissionsAreCheckedFirst) {
  const Tenant tenant = create_tenant("agency");
  const User viewer = make_member(tenant, "viewer", Role::kViewer);
  const Principal as_viewer = as_member(tenant, viewer, Role::kViewer);
  EXPECT_EQ(team_->update_member(as_viewer, "u-nobody", Role::kViewer, {}, client_).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(team_->list_invitations(as_viewer).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(team_->list_api_keys(as_viewer).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(team_->revoke_api_key(as_viewer, "k", client_).error().code, ErrorCode::kPermissionDenied);
  EXPECT_TRUE(team_->list_members(as_viewer));
}

INSTANTIATE_TEST_SUITE_P(Backends, TeamServiceTest, ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         backend_name);

}  // namespace
}  // namespace personae::testing

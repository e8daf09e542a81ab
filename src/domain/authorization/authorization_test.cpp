#include "domain/authorization/authorization.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

namespace personae {
namespace {

TEST(AuthorizationMatrix, EveryActionHasAUniqueNameThatRoundTrips) {
  std::set<std::string_view> names;
  for (const auto& info : all_actions()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_EQ(parse_action(info.name), info.action);
    EXPECT_EQ(to_string(info.action), info.name);
  }
  EXPECT_FALSE(parse_action("members.INVITE").has_value());
  EXPECT_FALSE(parse_action("").has_value());
}

TEST(AuthorizationMatrix, OwnerHoldsEverythingAndViewerOnlyReads) {
  for (const auto& info : all_actions()) EXPECT_TRUE(role_allows(Role::kOwner, info.action)) << info.name;
  EXPECT_TRUE(role_allows(Role::kViewer, Action::kTenantRead));
  EXPECT_FALSE(role_allows(Role::kViewer, Action::kMemberInvite));
  EXPECT_FALSE(role_allows(Role::kChatter, Action::kApiKeyManage));
  EXPECT_FALSE(role_allows(Role::kManager, Action::kMemberManage));
  EXPECT_TRUE(role_allows(Role::kAdmin, Action::kMemberManage));
  EXPECT_FALSE(role_allows(Role::kAdmin, Action::kTenantManageSecurity));
}

TEST(RoleAssignment, OnlyOwnersTouchTheOwnerRoleAndNobodyGrantsAbove) {
  EXPECT_TRUE(may_assign_role(Role::kOwner, Role::kViewer, Role::kOwner));
  EXPECT_FALSE(may_assign_role(Role::kAdmin, Role::kViewer, Role::kOwner));
  EXPECT_FALSE(may_assign_role(Role::kAdmin, Role::kOwner, Role::kViewer));
  EXPECT_TRUE(may_assign_role(Role::kAdmin, Role::kChatter, Role::kAdmin));
  EXPECT_FALSE(may_assign_role(Role::kManager, Role::kChatter, Role::kAdmin));
}

TEST(PrincipalCan, AnApiKeyNeedsBothTheRoleAndTheGrant) {
  Principal key;
  key.kind = Principal::Kind::kApiKey;
  key.role = Role::kAdmin;
  key.api_key_actions = {Action::kMemberList, Action::kTenantManageSecurity};
  EXPECT_TRUE(key.can(Action::kMemberList));
  EXPECT_FALSE(key.can(Action::kMemberInvite));          // not granted
  EXPECT_FALSE(key.can(Action::kTenantManageSecurity));  // granted, but the role lacks it
}

TEST(PrincipalReaches, ScopesLimitOnlyTheirKind) {
  Principal chatter;
  chatter.role = Role::kChatter;
  chatter.scopes = {{"persona", {"p1", "p2"}}};
  EXPECT_TRUE(chatter.reaches("persona", "p1"));
  EXPECT_FALSE(chatter.reaches("persona", "p3"));
  EXPECT_TRUE(chatter.reaches("media", "m1"));
  Principal whole;
  EXPECT_TRUE(whole.reaches("persona", "anything"));
  EXPECT_EQ(chatter.limited_ids(kPersonaResource), (std::vector<std::string>{"p1", "p2"}));
  EXPECT_FALSE(whole.limited_ids(kPersonaResource));
}

TEST(AuthorizationMatrix, RendersOneRowPerAction) {
  const auto table = render_authorization_matrix();
  EXPECT_NE(table.find("| `members.invite` |"), std::string::npos);
  EXPECT_NE(table.find("| owner | admin | manager | chatter | viewer |"), std::string::npos);
}

TEST(AuthorizationMatrix, TheDocumentedTableIsUpToDate) {
  std::ifstream in(PERSONAE_SOURCE_DIR "/docs/authorization.md");
  const std::string documented((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(documented.find(render_authorization_matrix()), std::string::npos)
      << "regenerate the table in docs/authorization.md from render_authorization_matrix()";
}

}  // namespace
}  // namespace personae

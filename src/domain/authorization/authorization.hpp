#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/accounts/membership.hpp"
#include "domain/accounts/role.hpp"

namespace personae {

/// Everything a member or an API key can be allowed to do. Every HTTP operation maps to exactly
/// one action (or is public); the matrix below says which roles hold it. Later capabilities add
/// their actions here, and a test fails for any route without one.
enum class Action {
  kTenantRead,            ///< see the tenant's name and settings
  kTenantManageSecurity,  ///< require 2FA for every member
  kMemberList,
  kMemberInvite,
  kMemberManage,  ///< change roles and persona scopes, remove members
  kApiKeyList,
  kApiKeyManage,  ///< create and revoke API keys
  kAuditRead,
  kPersonaRead,            ///< see personas (a member limited to some personas sees only those)
  kPersonaManage,          ///< create, edit, import, export and delete personas
  kPersonaActivate,        ///< activate and deactivate personas; record or withdraw consent
  kMediaRead,              ///< see the vault and download its files
  kMediaManage,            ///< upload, edit and delete vault items; manage the vault's categories
  kCaptionRead,            ///< see captions and their safety decisions
  kCaptionWrite,           ///< order caption generation; edit captions (the safety engine decides again)
  kCaptionApprove,         ///< approve a caption that needs review (human control)
  kContentSettingsRead,    ///< see the tenant's safety lists, preferred hashtags and templates
  kContentSettingsManage,  ///< change them
  kJobRead,                ///< see the tenant's background jobs and queues
  kJobManage,              ///< retry, cancel and replay the tenant's jobs
  kLlmRead,                ///< see the configured language-model providers, their models and health
};

struct ActionInfo {
  Action action;
  std::string_view name;  ///< the wire and API-key scope spelling, e.g. "members.invite"
  std::string_view description;
};

/// Every action, in declaration order.
std::span<const ActionInfo> all_actions();
std::string_view to_string(Action action);
std::optional<Action> parse_action(std::string_view name);

/// The authorization matrix: does `role` hold `action`? The one place that answers.
bool role_allows(Role role, Action action);

/// Role changes are limited beyond the matrix: only an owner may grant or take away the owner
/// role, and nobody may grant a role above their own.
bool may_assign_role(Role actor, Role current, Role requested);

/// The resource kind of persona scopes ({"kind": "persona", "ids": [...]}).
inline constexpr std::string_view kPersonaResource = "persona";

/// Who is acting, in exactly one tenant. Built by authentication (a user's access token or an API
/// key); services check it for every operation and take the tenant from it, never from input.
struct Principal {
  enum class Kind { kUser, kApiKey };

  Kind kind = Kind::kUser;
  std::string user_id;  ///< for an API key: the member who created it
  std::string tenant_id;
  Role role = Role::kViewer;
  std::vector<ResourceScope> scopes;  ///< the membership's resource scopes (empty: whole tenant)
  std::optional<std::string> api_key_id;
  std::vector<Action> api_key_actions;  ///< for kApiKey: what the key was granted
  std::string session_id;               ///< for kUser: the sign-in (refresh-token family) of the access token

  /// The role allows it and, for an API key, the key was granted it.
  bool can(Action action) const;
  /// Whether the member reaches the resource `kind`/`id` (persona scopes for chatters).
  bool reaches(std::string_view kind, std::string_view id) const;
  /// The ids of `kind` the member is limited to, or nullopt when it reaches them all.
  std::optional<std::vector<std::string>> limited_ids(std::string_view kind) const;
};

/// The matrix as a Markdown table (docs/authorization.md is generated from it).
std::string render_authorization_matrix();

}  // namespace personae

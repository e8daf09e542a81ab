#include "domain/authorization/authorization.hpp"

#include <algorithm>
#include <array>

namespace personae {
namespace {

constexpr std::array kActions = {
    ActionInfo{Action::kTenantRead, "tenant.read", "See the tenant's name and security settings."},
    ActionInfo{Action::kTenantManageSecurity, "tenant.manage_security",
               "Require two-factor sign-in for every member."},
    ActionInfo{Action::kMemberList, "members.list", "List members, their roles and persona scopes."},
    ActionInfo{Action::kMemberInvite, "members.invite", "Invite someone by e-mail with a role."},
    ActionInfo{Action::kMemberManage, "members.manage",
               "Change a member's role or persona scope; remove a member."},
    ActionInfo{Action::kApiKeyList, "api_keys.list", "List the tenant's API keys (never their secrets)."},
    ActionInfo{Action::kApiKeyManage, "api_keys.manage", "Create and revoke API keys."},
    ActionInfo{Action::kAuditRead, "audit.read", "Read and verify the tenant's audit log."},
    ActionInfo{Action::kPersonaRead, "personas.read",
               "See personas (a member limited to some personas sees only those)."},
    ActionInfo{Action::kPersonaManage, "personas.manage",
               "Create, edit, import, export and delete personas."},
    ActionInfo{Action::kPersonaActivate, "personas.activate",
               "Activate and deactivate personas; record or withdraw a real person's consent."},
    ActionInfo{Action::kMediaRead, "media.read", "See the media vault and download its files."},
    ActionInfo{Action::kMediaManage, "media.manage",
               "Upload, edit and delete vault items; manage the vault's categories."},
    ActionInfo{Action::kCaptionRead, "captions.read", "See captions and their safety decisions."},
    ActionInfo{Action::kCaptionWrite, "captions.write",
               "Generate captions; edit them (the safety engine checks every edit)."},
    ActionInfo{Action::kCaptionApprove, "captions.approve", "Approve a caption that needs a human review."},
    ActionInfo{Action::kContentSettingsRead, "content_settings.read",
               "See the tenant's banned terms, real-person names, hashtag lists and caption templates."},
    ActionInfo{Action::kContentSettingsManage, "content_settings.manage",
               "Change the tenant's banned terms, real-person names, hashtag lists and caption templates."},
    ActionInfo{Action::kJobRead, "jobs.read", "See the tenant's background jobs, their attempts and queues."},
    ActionInfo{Action::kJobManage, "jobs.manage", "Retry, cancel and replay the tenant's background jobs."},
    ActionInfo{Action::kLlmRead, "llm.read", "See the language-model providers, their models and health."},
};

constexpr std::array kRoles = {Role::kOwner, Role::kAdmin, Role::kManager, Role::kChatter, Role::kViewer};

// Higher is more powerful; used for "nobody grants a role above their own".
int rank(Role role) {
  switch (role) {
    case Role::kOwner: return 4;
    case Role::kAdmin: return 3;
    case Role::kManager: return 2;
    case Role::kChatter: return 1;
    case Role::kViewer: return 0;
  }
  return 0;
}

}  // namespace

std::span<const ActionInfo> all_actions() {
  return kActions;
}

std::string_view to_string(Action action) {
  for (const auto& info : kActions) {
    if (info.action == action) return info.name;
  }
  return "unknown";
}

std::optional<Action> parse_action(std::string_view name) {
  for (const auto& info : kActions) {
    if (info.name == name) return info.action;
  }
  return std::nullopt;
}

bool role_allows(Role role, Action action) {
  switch (action) {
    case Action::kTenantRead:
    case Action::kMemberList:
    case Action::kPersonaRead:
    case Action::kMediaRead:
    case Action::kCaptionRead:
    case Action::kJobRead: return true;
    case Action::kPersonaManage:
    case Action::kMediaManage:
    case Action::kCaptionWrite:
    case Action::kCaptionApprove:
    case Action::kContentSettingsRead:
    case Action::kJobManage:
    case Action::kLlmRead: return role == Role::kOwner || role == Role::kAdmin || role == Role::kManager;
    case Action::kTenantManageSecurity: return role == Role::kOwner;
    case Action::kMemberInvite:
    case Action::kMemberManage:
    case Action::kApiKeyList:
    case Action::kApiKeyManage:
    case Action::kAuditRead:
    case Action::kPersonaActivate:
    case Action::kContentSettingsManage: return role == Role::kOwner || role == Role::kAdmin;
  }
  return false;  // fail closed for an action added without a row
}

bool may_assign_role(Role actor, Role current, Role requested) {
  if (current == Role::kOwner || requested == Role::kOwner) return actor == Role::kOwner;
  return rank(actor) >= rank(requested) && rank(actor) >= rank(current);
}

bool Principal::can(Action action) const {
  if (!role_allows(role, action)) return false;
  if (kind == Kind::kApiKey) {
    return std::find(api_key_actions.begin(), api_key_actions.end(), action) != api_key_actions.end();
  }
  return true;
}

bool Principal::reaches(std::string_view kind, std::string_view id) const {
  for (const auto& scope : scopes) {
    if (scope.kind == kind) return std::find(scope.ids.begin(), scope.ids.end(), id) != scope.ids.end();
  }
  return true;  // kinds not listed are not limited
}

std::optional<std::vector<std::string>> Principal::limited_ids(std::string_view kind) const {
  for (const auto& scope : scopes) {
    if (scope.kind == kind) return scope.ids;
  }
  return std::nullopt;
}

std::string render_authorization_matrix() {
  std::string out = "| action | description |";
  for (const auto role : kRoles) out.append(" ").append(to_string(role)).append(" |");
  out += "\n|---|---|";
  for (std::size_t i = 0; i < kRoles.size(); ++i) out += ":-:|";
  out += "\n";
  for (const auto& info : kActions) {
    out.append("| `").append(info.name).append("` | ").append(info.description).append(" |");
    for (const auto role : kRoles) out += role_allows(role, info.action) ? " yes |" : " no |";
    out += "\n";
  }
  return out;
}

}  // namespace personae

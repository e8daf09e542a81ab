// The generated authorization test (SECURITY.md API1/API3/API5, AUTHZ-BOLA and AUTHZ-BFLA): every
// operation of api/openapi.yaml x every role x two tenants, through the real route table and the
// real services (SQLite here; PostgreSQL in personae_app_postgres_test), driven in-process through
// HttpService.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/routes.hpp"
#include "app/routes_test_fixture.hpp"
#include "domain/authorization/authorization.hpp"

namespace personae {
namespace {

using http::Method;
using route_testing::bearer;
using route_testing::RouteHarness;
using route_testing::SignedIn;
using route_testing::TestUser;

constexpr std::array kRoles = {Role::kOwner, Role::kAdmin, Role::kManager, Role::kChatter, Role::kViewer};

/// Which real id fills an operation's path parameter.
enum class IdKind {
  kNone,             ///< no path parameter
  kMember,           ///< the tenant's extra (viewer) member
  kFreshMember,      ///< a member made for this call (the call removes it)
  kFreshInvitation,  ///< an invitation made for this call (the call revokes it)
  kFreshApiKey,      ///< an API key made for this call (the call revokes it)
  kOwnSession,       ///< the caller's own session (the call ends it)
  kPersona,          ///< the tenant's draft persona
  kFreshPersona,     ///< a persona made for this call (the call deletes it)
  kMedia,            ///< the tenant's vault image (with {tenant_id} and a fixed variant)
  kFreshMedia,       ///< a vault image made for this call (the call deletes it)
  kFreshCategory,    ///< a vault category made for this call (the call deletes it)
  kCaption,          ///< the tenant's queued caption (a template-only draft of its active persona)
  kJob,              ///< that caption's generation job (queued: no runner in these tests)
  kFreshJob,         ///< a caption job made for this call (the call cancels it)
};

/// How to call an operation. `body` may use {email}, {password} (the caller's), {n} (a unique
/// number) and {future_ms} (a day from now).
struct Sample {
  Sample(std::string body_text, IdKind id_kind, int expected_status, bool ends = false,
         std::string address = {}, std::string type = {})
      : body(std::move(body_text)),
        id(id_kind),
        status(expected_status),
        ends_sessions(ends),
        remote(std::move(address)),
        content_type(std::move(type)) {}

  std::string body;
  IdKind id = IdKind::kNone;
  /// The status an authorized call (or a public one) answers with these inputs; the point is
  /// authorization, so several are 400s for a body the guard never looks at.
  int status = 0;
  /// The call ends the caller's sessions: sign in again afterwards.
  bool ends_sessions = false;
  /// The client address (/metrics without metrics.token answers loopback only).
  std::string remote;
  /// The body's Content-Type when it is not JSON.
  std::string content_type;
};

// A multipart upload without its file part: authorized callers get the 400 that names it.
constexpr const char* kUploadWithoutFile =
    "--sample\r\nContent-Disposition: form-data; name=\"rating\"\r\n\r\nsfw\r\n--sample--\r\n";

/// One entry per operation of api/openapi.yaml, keyed "METHOD path". An operation without an
/// entry fails the tests below, so a new route cannot slip past them.
const std::map<std::string, Sample>& samples() {
  static const std::map<std::string, Sample> table = {
      {"GET /health", {"", IdKind::kNone, 200}},
      {"GET /ready", {"", IdKind::kNone, 200}},
      {"GET /metrics", {"", IdKind::kNone, 200, false, "127.0.0.1"}},
      {"GET /api/v1/version", {"", IdKind::kNone, 200}},
      {"GET /api/v1/openapi.yaml", {"", IdKind::kNone, 200}},
      {"GET /api/v1/audit/head", {"", IdKind::kNone, 200}},
      {"POST /api/v1/auth/login", {R"({"email":"{email}","password":"{password}"})", IdKind::kNone, 200}},
      // The ticket is the credential: a malformed one is refused by the body check (400).
      {"POST /api/v1/auth/mfa-enrolment", {R"({"enrolment_ticket":7})", IdKind::kNone, 400}},
      {"POST /api/v1/auth/mfa-enrolment/confirm",
       {R"({"enrolment_ticket":7,"code":"123456"})", IdKind::kNone, 400}},
      {"POST /api/v1/auth/refresh", {R"({"refresh_token":7})", IdKind::kNone, 400}},
      {"POST /api/v1/auth/logout", {R"({"refresh_token":"not-a-refresh-token"})", IdKind::kNone, 204}},
      {"POST /api/v1/auth/logout-all", {"", IdKind::kNone, 200, true}},
      {"GET /api/v1/me", {"", IdKind::kNone, 200}},
      // A new password the policy refuses: authorized, validated, nothing changed.
      {"POST /api/v1/me/password",
       {R"({"current_password":"{password}","new_password":"short"})", IdKind::kNone, 400}},
      {"GET /api/v1/sessions", {"", IdKind::kNone, 200}},
      {"DELETE /api/v1/sessions/{id}", {"", IdKind::kOwnSession, 204, true}},
      {"POST /api/v1/me/totp", {R"({"password":"{password}"})", IdKind::kNone, 200}},
      {"DELETE /api/v1/me/totp", {R"({"password":"{password}","code":"000000"})", IdKind::kNone, 409}},
      {"POST /api/v1/me/totp/confirm", {R"({"code":123456})", IdKind::kNone, 400}},
      {"POST /api/v1/me/recovery-codes", {R"({"password":"{password}"})", IdKind::kNone, 409}},
      {"PATCH /api/v1/tenant", {R"({"require_mfa":false,"password":"{password}"})", IdKind::kNone, 200}},
      {"GET /api/v1/members", {"", IdKind::kNone, 200}},
      {"PATCH /api/v1/members/{user_id}", {R"({"role":"viewer"})", IdKind::kMember, 200}},
      {"DELETE /api/v1/members/{user_id}", {"", IdKind::kFreshMember, 204}},
      {"GET /api/v1/invitations", {"", IdKind::kNone, 200}},
      {"POST /api/v1/invitations",
       {R"({"email":"invitee-{n}@example.com","role":"viewer"})", IdKind::kNone, 201}},
      {"DELETE /api/v1/invitations/{id}", {"", IdKind::kFreshInvitation, 204}},
      {"POST /api/v1/invitations/accept", {R"({"token":"not-an-invitation"})", IdKind::kNone, 404}},
      {"POST /api/v1/invitations/register",
       {R"({"token":"not-an-invitation","password":"Quiet-Lantern-Orbit-77"})", IdKind::kNone, 404}},
      {"GET /api/v1/api-keys", {"", IdKind::kNone, 200}},
      {"POST /api/v1/api-keys",
       {R"({"name":"key-{n}","actions":["members.list"],"expires_at_unix_ms":{future_ms}})", IdKind::kNone,
        201}},
      {"DELETE /api/v1/api-keys/{id}", {"", IdKind::kFreshApiKey, 204}},
      {"GET /api/v1/personas", {"", IdKind::kNone, 200}},
      {"POST /api/v1/personas", {R"({"display_name":"Persona {n}"})", IdKind::kNone, 201}},
      // A V1 card missing its name: authorized, then refused by the card rules.
      {"POST /api/v1/personas/import", {R"({"description":"no name"})", IdKind::kNone, 400}},
      {"GET /api/v1/personas/{id}/card", {"", IdKind::kPersona, 200}},
      {"GET /api/v1/personas/{id}", {"", IdKind::kPersona, 200}},
      {"PATCH /api/v1/personas/{id}", {R"({"bio":"Edited {n}"})", IdKind::kPersona, 200}},
      {"DELETE /api/v1/personas/{id}", {"", IdKind::kFreshPersona, 204}},
      // Without the attestation a fictional draft cannot go live: authorized, refused by the rules.
      {"POST /api/v1/personas/{id}/activate", {"{}", IdKind::kPersona, 409}},
      {"POST /api/v1/personas/{id}/deactivate", {"", IdKind::kPersona, 200}},
      {"PUT /api/v1/personas/{id}/consent",
       {R"({"subject_name":"Jane","signed_at_unix_ms":1000,"scope":"images","document_media_id":"nope"})",
        IdKind::kPersona, 400}},
      {"DELETE /api/v1/personas/{id}/consent", {"", IdKind::kPersona, 200}},
      {"POST /api/v1/media",
       {kUploadWithoutFile, IdKind::kNone, 400, false, {}, "multipart/form-data; boundary=sample"}},
      {"GET /api/v1/media", {"", IdKind::kNone, 200}},
      {"GET /api/v1/media/folders", {"", IdKind::kNone, 200}},
      {"GET /api/v1/media/categories", {"", IdKind::kNone, 200}},
      {"POST /api/v1/media/categories",
       {R"({"name":"category_{n}","label":"Category {n}"})", IdKind::kNone, 201}},
      {"DELETE /api/v1/media/categories/{name}", {"", IdKind::kFreshCategory, 204}},
      {"GET /api/v1/media/{id}", {"", IdKind::kMedia, 200}},
      {"PATCH /api/v1/media/{id}", {R"({"description":"Edited {n}"})", IdKind::kMedia, 200}},
      {"DELETE /api/v1/media/{id}", {"", IdKind::kFreshMedia, 204}},
      {"GET /api/v1/media/{id}/variants/{variant}", {"", IdKind::kMedia, 200}},
      {"POST /api/v1/media/{id}/links", {R"({"variant":"thumbnail"})", IdKind::kMedia, 201}},
      // Public: without a valid signature any link is a 404.
      {"GET /api/v1/media/files/{tenant_id}/{id}/{variant}", {"", IdKind::kMedia, 404}},
      // An unknown platform: authorized callers get the 400 that names it, nothing is queued.
      {"POST /api/v1/captions", {R"({"persona_id":"none","platform":"mars"})", IdKind::kNone, 400}},
      {"GET /api/v1/captions", {"", IdKind::kNone, 200}},
      {"GET /api/v1/captions/{id}", {"", IdKind::kCaption, 200}},
      // The caption is still queued: there is no text to edit or approve yet.
      {"PATCH /api/v1/captions/{id}", {R"({"text":"Edited {n}"})", IdKind::kCaption, 409}},
      {"POST /api/v1/captions/{id}/approve", {"", IdKind::kCaption, 409}},
      {"GET /api/v1/content-settings", {"", IdKind::kNone, 200}},
      {"PUT /api/v1/content-settings", {R"({"banned_terms":["term-{n}"]})", IdKind::kNone, 200}},
      {"GET /api/v1/jobs", {"", IdKind::kNone, 200}},
      {"GET /api/v1/jobs/queues", {"", IdKind::kNone, 200}},
      {"GET /api/v1/jobs/{id}", {"", IdKind::kJob, 200}},
      {"POST /api/v1/jobs/{id}/retry", {"", IdKind::kJob, 200}},
      {"POST /api/v1/jobs/{id}/cancel", {"", IdKind::kFreshJob, 200}},
      // Only a dead or cancelled job can be replayed.
      {"POST /api/v1/jobs/{id}/replay", {"", IdKind::kJob, 409}},
      {"GET /api/v1/llm/models", {"", IdKind::kNone, 200}},
      {"GET /api/v1/setup", {"", IdKind::kNone, 200}},
      // The one-time token is the credential: a malformed one is refused by the body check.
      {"POST /api/v1/setup",
       {R"({"token":7,"tenant_name":"x","email":"x@example.com","password":"Quiet-Lantern-Orbit-77"})",
        IdKind::kNone, 400}},
  };
  return table;
}

struct Operation {
  Method method = Method::kGet;
  std::string method_name;  ///< upper case
  std::string path;
  std::string access;  ///< "public", "authenticated", an action name, or "" when undocumented

  std::string key() const { return method_name + " " + path; }
  bool takes_id() const { return path.find('{') != std::string::npos; }
  bool is_public() const { return access == "public"; }
};

/// Every operation of the compiled-in api/openapi.yaml.
std::vector<Operation> operations() {
  const YAML::Node document = YAML::Load(std::string(openapi_document()));
  std::vector<Operation> out;
  for (const auto& path : document["paths"]) {
    for (const auto& entry : path.second) {
      const auto method = entry.first.as<std::string>();
      Operation operation;
      if (method == "get") {
        operation.method = Method::kGet;
      } else if (method == "post") {
        operation.method = Method::kPost;
      } else if (method == "put") {
        operation.method = Method::kPut;
      } else if (method == "patch") {
        operation.method = Method::kPatch;
      } else if (method == "delete") {
        operation.method = Method::kDelete;
      } else {
        continue;  // parameters, summary, ...
      }
      operation.method_name = std::string(http::to_string(operation.method));
      operation.path = path.first.as<std::string>();
      const auto access = entry.second["x-personae-action"];
      if (access.IsDefined() && access.IsScalar()) operation.access = access.as<std::string>();
      out.push_back(std::move(operation));
    }
  }
  return out;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

/// The path with `{tenant_id}` set to `tenant_id`, the first other parameter to `id`, and a
/// variant name (the only third parameter) to "thumbnail".
std::string fill_path(std::string pattern, const std::string& id, const std::string& tenant_id) {
  pattern = replace_all(pattern, "{tenant_id}", tenant_id);
  pattern = replace_all(pattern, "{variant}", "thumbnail");
  const auto open = pattern.find('{');
  if (open == std::string::npos) return pattern;
  const auto close = pattern.find('}', open);
  return pattern.substr(0, open) + id + pattern.substr(close + 1);
}

struct TenantFixture {
  std::string name;
  std::string id;
  std::map<Role, TestUser> users;
  std::map<Role, SignedIn> sessions;
  TestUser extra;  ///< a second viewer, the target of member routes
  std::string invitation_id;
  std::string invitation_token;
  std::string api_key_id;
  std::string persona_id;
  std::string media_id;
  std::string category;  ///< a category only this tenant has
  std::string active_persona_id;
  std::string caption_id;
  std::string job_id;
};

class AccessControlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ = std::make_unique<RouteHarness>();
    build_tenant("Agency A", "a", tenant_a_);
    build_tenant("Agency B", "b", tenant_b_);
  }

  static void TearDownTestSuite() {
    tenant_a_ = {};
    tenant_b_ = {};
    harness_.reset();
  }

  static void build_tenant(const std::string& name, const std::string& tag, TenantFixture& tenant) {
    tenant.name = name;
    tenant.id = harness_->create_tenant(name).id;
    for (const Role role : kRoles) {
      const std::string email = std::string(to_string(role)) + "@" + tag + ".example.com";
      tenant.users[role] = harness_->create_user(name, email, role);
      tenant.sessions[role] = harness_->login(tenant.users[role]);
    }
    tenant.extra = harness_->create_user(name, "extra@" + tag + ".example.com", Role::kViewer);
    const auto invitation = harness_->accounts().team->create_invitation(
        owner(tenant), NewInvitation{"invitee@" + tag + ".example.com", Role::kChatter, {}}, client());
    ASSERT_TRUE(invitation) << invitation.error().message;
    tenant.invitation_id = invitation->invitation.id;
    tenant.invitation_token = invitation->token;
    tenant.api_key_id = make_api_key(tenant);
    tenant.persona_id = make_persona(tenant);
    tenant.media_id = make_media(tenant);
    tenant.active_persona_id = make_persona(tenant);
    const auto active =
        harness_->vault().personas->activate(owner(tenant), tenant.active_persona_id, true, client());
    ASSERT_TRUE(active) << active.error().message;
    const auto caption = make_caption(tenant);
    tenant.caption_id = caption.id;
    tenant.job_id = std::to_string(caption.job_id.value_or(0));
    tenant.category = "only_" + tag;
    ASSERT_TRUE(
        harness_->vault().media->add_category(owner(tenant), tenant.category, "Only " + tag, client()));
  }

  static std::string make_persona(const TenantFixture& tenant) {
    const auto created = harness_->vault().personas->create(
        owner(tenant),
        [](Persona& persona) { persona.display_name = "Fixture " + std::to_string(++counter_); }, client());
    EXPECT_TRUE(created) << created.error().message;
    return created ? created->persona.id : std::string();
  }

  static std::string make_media(const TenantFixture& tenant) {
    NewMedia media;
    media.file = PERSONAE_SOURCE_DIR "/tests/fixtures/media/portrait.png";
    media.original_name = "portrait.png";
    media.rating = Rating::kSfw;
    const auto added = harness_->vault().media->add(owner(tenant), media, client());
    EXPECT_TRUE(added) << added.error().message;
    return added ? added->item.id : std::string();
  }

  static captions::Caption make_caption(const TenantFixture& tenant) {
    CaptionOrder order;
    order.persona_id = tenant.active_persona_id;
    order.platform = Platform::kInstagram;
    order.brief = "A quiet morning";
    order.template_only = true;
    const auto ordered = harness_->content().caption_service->order(owner(tenant), order, client());
    EXPECT_TRUE(ordered) << ordered.error().message;
    return ordered ? *ordered : captions::Caption{};
  }

  static std::string make_category(const TenantFixture& tenant) {
    const std::string name = "fresh_" + std::to_string(++counter_);
    EXPECT_TRUE(harness_->vault().media->add_category(owner(tenant), name, "Fresh", client()));
    return name;
  }

  static Principal owner(const TenantFixture& tenant) {
    return RouteHarness::principal_of(tenant.users.at(Role::kOwner));
  }
  static ClientInfo client() { return ClientInfo{"192.0.2.1", "access-control-test", "fixture"}; }
  static std::int64_t future_ms() { return harness_->clock().now_unix_ms() + 86'400'000; }

  static std::string make_api_key(const TenantFixture& tenant) {
    NewApiKey key{"automation-" + std::to_string(++counter_), {Action::kMemberList}, future_ms()};
    const auto created = harness_->accounts().team->create_api_key(owner(tenant), key, client());
    EXPECT_TRUE(created) << created.error().message;
    return created ? created->key.id : std::string();
  }

  static std::string make_invitation(const TenantFixture& tenant) {
    const auto created = harness_->accounts().team->create_invitation(
        owner(tenant),
        NewInvitation{"fresh-" + std::to_string(++counter_) + "@example.com", Role::kViewer, {}}, client());
    EXPECT_TRUE(created) << created.error().message;
    return created ? created->invitation.id : std::string();
  }

  static std::string make_member(const TenantFixture& tenant) {
    return harness_
        ->create_user(tenant.name, "victim-" + std::to_string(++counter_) + "@example.com", Role::kViewer)
        .id;
  }

  /// Whether `role` may call an operation with this access; nullopt for an unknown action.
  static std::optional<bool> allowed(const std::string& access, Role role) {
    if (access == "public" || access == "authenticated") return true;
    const auto action = parse_action(access);
    if (!action) return std::nullopt;
    return role_allows(role, *action);
  }

  /// The id an authorized (`will_pass`) or refused call of `sample` uses in tenant A.
  static std::string id_in_a(IdKind kind, Role caller, bool will_pass) {
    switch (kind) {
      case IdKind::kNone: return {};
      case IdKind::kMember: return tenant_a_.extra.id;
      // A refused call gets an existing id: if the guard failed open, the object would go.
      case IdKind::kFreshMember: return will_pass ? make_member(tenant_a_) : tenant_a_.extra.id;
      case IdKind::kFreshInvitation: return will_pass ? make_invitation(tenant_a_) : tenant_a_.invitation_id;
      case IdKind::kFreshApiKey: return will_pass ? make_api_key(tenant_a_) : tenant_a_.api_key_id;
      case IdKind::kOwnSession: return tenant_a_.sessions.at(caller).session_id;
      case IdKind::kPersona: return tenant_a_.persona_id;
      case IdKind::kFreshPersona: return will_pass ? make_persona(tenant_a_) : tenant_a_.persona_id;
      case IdKind::kMedia: return tenant_a_.media_id;
      case IdKind::kFreshMedia: return will_pass ? make_media(tenant_a_) : tenant_a_.media_id;
      case IdKind::kFreshCategory: return will_pass ? make_category(tenant_a_) : tenant_a_.category;
      case IdKind::kCaption: return tenant_a_.caption_id;
      case IdKind::kJob: return tenant_a_.job_id;
      case IdKind::kFreshJob:
        return will_pass ? std::to_string(make_caption(tenant_a_).job_id.value_or(0)) : tenant_a_.job_id;
    }
    return {};
  }

  /// Every id of `kind` in tenant B.
  static std::vector<std::string> ids_in_b(IdKind kind) {
    std::vector<std::string> ids;
    switch (kind) {
      case IdKind::kNone: break;
      case IdKind::kMember:
      case IdKind::kFreshMember:
        for (const auto& [role, user] : tenant_b_.users) ids.push_back(user.id);
        ids.push_back(tenant_b_.extra.id);
        break;
      case IdKind::kFreshInvitation: ids.push_back(tenant_b_.invitation_id); break;
      case IdKind::kFreshApiKey: ids.push_back(tenant_b_.api_key_id); break;
      case IdKind::kOwnSession:
        for (const auto& [role, session] : tenant_b_.sessions) ids.push_back(session.session_id);
        break;
      case IdKind::kPersona:
      case IdKind::kFreshPersona: ids.push_back(tenant_b_.persona_id); break;
      case IdKind::kMedia:
      case IdKind::kFreshMedia: ids.push_back(tenant_b_.media_id); break;
      case IdKind::kFreshCategory: ids.push_back(tenant_b_.category); break;
      case IdKind::kCaption: ids.push_back(tenant_b_.caption_id); break;
      case IdKind::kJob:
      case IdKind::kFreshJob: ids.push_back(tenant_b_.job_id); break;
    }
    return ids;
  }

  static std::string body_for(const Sample& sample, const TestUser& caller) {
    std::string body = replace_all(sample.body, "{email}", caller.email);
    body = replace_all(body, "{password}", caller.password);
    body = replace_all(body, "{n}", std::to_string(++counter_));
    return replace_all(body, "{future_ms}", std::to_string(future_ms()));
  }

  /// Calls `operation` as `caller` (with `token`, or none) on the object `id`.
  static http::Response call(const Operation& operation, const Sample& sample, const TestUser& caller,
                             const std::optional<std::string>& token, const std::string& id,
                             http::Headers headers = {}, const std::string& tenant_id = {}) {
    if (token) headers.set("Authorization", "Bearer " + *token);
    if (!sample.content_type.empty()) headers.set("Content-Type", sample.content_type);
    return harness_->send(operation.method,
                          fill_path(operation.path, id, tenant_id.empty() ? tenant_a_.id : tenant_id),
                          body_for(sample, caller), std::move(headers), sample.remote);
  }

  static std::string token(Role role) { return tenant_a_.sessions.at(role).access_token; }
  static void sign_in_again(Role role) {
    tenant_a_.sessions[role] = harness_->login(tenant_a_.users.at(role));
  }

  /// Tenant B's members, invitations, API keys, sessions and settings, read through the services
  /// as B's owner, as one comparable text.
  static std::string snapshot(const TenantFixture& tenant) {
    auto& team = *harness_->accounts().team;
    std::ostringstream out;
    const auto members = team.list_members(owner(tenant));
    EXPECT_TRUE(members);
    for (const auto& member : members.value_or(std::vector<MemberView>{})) {
      out << "member " << member.user_id << " " << member.email << " " << to_string(member.role)
          << " scopes=" << member.scopes.size() << " disabled=" << member.disabled
          << " totp=" << member.totp_enabled << "\n";
    }
    const auto invitations = team.list_invitations(owner(tenant));
    EXPECT_TRUE(invitations);
    for (const auto& invitation : invitations.value_or(std::vector<Invitation>{})) {
      out << "invitation " << invitation.id << " " << to_string(invitation.role)
          << " accepted=" << invitation.accepted_at_unix_ms.has_value()
          << " revoked=" << invitation.revoked_at_unix_ms.has_value() << "\n";
    }
    const auto keys = team.list_api_keys(owner(tenant));
    EXPECT_TRUE(keys);
    for (const auto& key : keys.value_or(std::vector<ApiKey>{})) {
      out << "api_key " << key.id << " " << key.name << " revoked=" << key.revoked_at_unix_ms.has_value()
          << "\n";
    }
    for (const auto& [role, user] : tenant.users) {
      const auto sessions =
          harness_->accounts().auth->list_sessions(RouteHarness::principal_of(user), std::nullopt);
      EXPECT_TRUE(sessions);
      for (const auto& session : sessions.value_or(std::vector<SessionInfo>{})) {
        out << "session " << user.email << " " << session.session_id << " " << session.expires_at_unix_ms
            << "\n";
      }
    }
    auto& vault = harness_->vault();
    const auto personas = vault.personas->list(owner(tenant));
    EXPECT_TRUE(personas);
    for (const auto& view : personas.value_or(std::vector<PersonaView>{})) {
      out << "persona " << view.persona.id << " " << view.persona.display_name
          << " rev=" << view.persona.revision << " " << to_string(view.persona.status)
          << " consent=" << view.persona.consent.has_value() << "\n";
    }
    MediaFilter filter;
    filter.limit = 200;
    const auto media = vault.media->list(owner(tenant), filter);
    EXPECT_TRUE(media);
    for (const auto& item : media.value_or(MediaPage{}).items) {
      out << "media " << item.id << " " << item.description << " " << to_string(item.rating)
          << " updated=" << item.updated_at_unix_ms << " variants=" << item.variants.size() << "\n";
    }
    const auto categories = vault.media->categories(owner(tenant));
    EXPECT_TRUE(categories);
    for (const auto& category : categories.value_or(std::vector<MediaCategory>{})) {
      out << "category " << category.name << " " << category.label << "\n";
    }
    auto& content = harness_->content();
    CaptionListQuery caption_query;
    caption_query.limit = 200;
    const auto captions = content.caption_service->list(owner(tenant), caption_query);
    EXPECT_TRUE(captions);
    for (const auto& caption : captions.value_or(CaptionPage{}).items) {
      out << "caption " << caption.id << " " << to_string(caption.status) << " rev=" << caption.revision
          << " " << caption.text << "\n";
    }
    JobListQuery job_query;
    job_query.limit = 200;
    const auto jobs = content.job_service->list(owner(tenant), job_query);
    EXPECT_TRUE(jobs);
    for (const auto& job : jobs.value_or(JobPage{}).jobs) {
      out << "job " << job.id << " " << to_string(job.state) << " attempts=" << job.attempts
          << " run_at=" << job.run_at_unix_ms << " cancel=" << job.cancel_requested << "\n";
    }
    const auto settings = content.caption_service->settings(owner(tenant));
    EXPECT_TRUE(settings);
    if (settings) out << "content_settings rev=" << settings->revision << "\n";
    const auto me = team.me(owner(tenant));
    EXPECT_TRUE(me);
    if (me) out << "tenant " << me->tenant.name << " require_mfa=" << me->tenant.require_mfa << "\n";
    return out.str();
  }

  static inline std::unique_ptr<RouteHarness> harness_;
  static inline TenantFixture tenant_a_;
  static inline TenantFixture tenant_b_;
  static inline int counter_ = 0;
};

bool is_auth_refusal(int status) {
  return status == 401 || status == 403;
}

/// The test table itself: every documented operation has an access and a sample call, and every
/// sample belongs to a documented operation.
TEST_F(AccessControlTest, EveryDocumentedOperationHasAnAccessAndASampleCall) {
  const auto documented = operations();
  ASSERT_GE(documented.size(), 30u);
  std::set<std::string> keys;
  for (const auto& operation : documented) {
    keys.insert(operation.key());
    EXPECT_FALSE(operation.access.empty()) << operation.key() << " has no x-personae-action";
    if (!operation.access.empty()) {
      EXPECT_TRUE(allowed(operation.access, Role::kOwner).has_value())
          << operation.key() << ": x-personae-action '" << operation.access << "' is not an action";
    }
    const auto sample = samples().find(operation.key());
    ASSERT_NE(sample, samples().end()) << operation.key() << " has no sample call in access_control_test.cpp";
    EXPECT_EQ(operation.takes_id(), sample->second.id != IdKind::kNone) << operation.key();
  }
  for (const auto& [key, sample] : samples()) {
    EXPECT_TRUE(keys.contains(key)) << key << " is in the sample table but not in api/openapi.yaml";
  }
}

/// API5 / AUTHZ-BFLA: every operation x every role of tenant A answers 403 exactly where the
/// matrix refuses, and never 401/403 where it allows.
TEST_F(AccessControlTest, EveryOperationAnswersEveryRoleAsTheMatrixSays) {
  int checked = 0;
  for (const auto& operation : operations()) {
    SCOPED_TRACE(operation.key() + " (" + operation.access + ")");
    const auto sample = samples().find(operation.key());
    ASSERT_NE(sample, samples().end()) << "no sample call";
    ASSERT_FALSE(operation.access.empty()) << "no x-personae-action";
    const Sample& call_sample = sample->second;

    if (operation.is_public()) {
      // The public caller's body uses the viewer's credentials (the login signs in).
      const auto& viewer = tenant_a_.users.at(Role::kViewer);
      const auto response = call(operation, call_sample, viewer, std::nullopt, "");
      EXPECT_FALSE(is_auth_refusal(response.status)) << response.status << " " << response.body;
      EXPECT_EQ(response.status, call_sample.status) << response.body;
      ++checked;
      continue;
    }

    for (const Role role : kRoles) {
      SCOPED_TRACE(std::string("role ") + std::string(to_string(role)));
      const auto may = allowed(operation.access, role);
      ASSERT_TRUE(may.has_value()) << "unknown action " << operation.access;
      const auto& caller = tenant_a_.users.at(role);
      const auto response =
          call(operation, call_sample, caller, token(role), id_in_a(call_sample.id, role, *may));
      if (*may) {
        EXPECT_FALSE(is_auth_refusal(response.status)) << response.status << " " << response.body;
        EXPECT_EQ(response.status, call_sample.status) << response.body;
        if (call_sample.ends_sessions) sign_in_again(role);
      } else {
        EXPECT_EQ(response.status, 403) << response.body;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
}

/// API1 / AUTHZ-BOLA: every ID-taking operation, by every role of tenant A allowed to call it,
/// with every id of tenant B: 404, and tenant B unchanged. Ids nested in bodies too.
TEST_F(AccessControlTest, AnotherTenantsIdsAnswer404AndChangeNothing) {
  const std::string before = snapshot(tenant_b_);
  int attempts = 0;
  for (const auto& operation : operations()) {
    if (!operation.takes_id()) continue;
    SCOPED_TRACE(operation.key());
    const auto sample = samples().find(operation.key());
    ASSERT_NE(sample, samples().end()) << "no sample call";
    const auto ids = ids_in_b(sample->second.id);
    ASSERT_FALSE(ids.empty()) << "no tenant B ids for this operation";
    for (const Role role : kRoles) {
      const auto may = allowed(operation.access, role);
      ASSERT_TRUE(may.has_value()) << "unknown action " << operation.access;
      if (!*may) continue;
      for (const auto& id : ids) {
        const auto response =
            call(operation, sample->second, tenant_a_.users.at(role), token(role), id, {}, tenant_b_.id);
        EXPECT_EQ(response.status, 404) << to_string(role) << " on " << id << ": " << response.body;
        ++attempts;
      }
    }
  }
  EXPECT_GE(attempts, 20);

  // Nested ids: signing in to tenant B as a user of A, accepting B's invitation as a user of A.
  const auto& a_owner = tenant_a_.users.at(Role::kOwner);
  const auto login = harness_->send(
      Method::kPost, "/api/v1/auth/login",
      nlohmann::json{{"email", a_owner.email}, {"password", a_owner.password}, {"tenant", tenant_b_.id}}
          .dump());
  EXPECT_EQ(login.status, 404) << login.body;
  for (const Role role : kRoles) {
    const auto accept =
        harness_->send(Method::kPost, "/api/v1/invitations/accept",
                       nlohmann::json{{"token", tenant_b_.invitation_token}}.dump(), bearer(token(role)));
    EXPECT_EQ(accept.status, 404) << to_string(role) << ": " << accept.body;
  }

  EXPECT_EQ(snapshot(tenant_b_), before);
}

/// Every non-public operation without a credential: 401 with a bare Bearer challenge.
TEST_F(AccessControlTest, EveryNonPublicOperationAnswers401WithAChallengeWithoutAToken) {
  for (const auto& operation : operations()) {
    if (operation.is_public()) continue;
    SCOPED_TRACE(operation.key());
    const auto sample = samples().find(operation.key());
    ASSERT_NE(sample, samples().end());
    const auto response = call(operation, sample->second, tenant_a_.users.at(Role::kOwner), std::nullopt,
                               id_in_a(sample->second.id, Role::kOwner, false));
    EXPECT_EQ(response.status, 401) << response.body;
    EXPECT_EQ(response.headers.get("WWW-Authenticate").value_or(""), R"(Bearer realm="personae")");
  }
}

/// A token that is no token (a random string, a forged API key, a JWT-looking string): 401 with
/// error="invalid_token", on every non-public operation.
TEST_F(AccessControlTest, EveryNonPublicOperationAnswers401InvalidTokenForAGarbageToken) {
  const std::array garbage = {std::string("not-a-real-token"), std::string("psk_abcdefgh_0123456789abcdef"),
                              std::string("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")};
  for (const auto& operation : operations()) {
    if (operation.is_public()) continue;
    SCOPED_TRACE(operation.key());
    const auto sample = samples().find(operation.key());
    ASSERT_NE(sample, samples().end());
    for (const auto& bad : garbage) {
      const auto response = call(operation, sample->second, tenant_a_.users.at(Role::kOwner), bad,
                                 id_in_a(sample->second.id, Role::kOwner, false));
      EXPECT_EQ(response.status, 401) << bad << ": " << response.body;
      const auto challenge = std::string(response.headers.get("WWW-Authenticate").value_or(""));
      EXPECT_NE(challenge.find(R"(error="invalid_token")"), std::string::npos) << bad << ": " << challenge;
    }
  }
}

/// Public operations ignore an Authorization header altogether (a bad token does not turn them
/// into 401s, nor a good one into something else).
TEST_F(AccessControlTest, PublicOperationsIgnoreBearerTokens) {
  for (const auto& operation : operations()) {
    if (!operation.is_public()) continue;
    SCOPED_TRACE(operation.key());
    const auto sample = samples().find(operation.key());
    ASSERT_NE(sample, samples().end());
    const auto& viewer = tenant_a_.users.at(Role::kViewer);
    const auto response = call(operation, sample->second, viewer, std::string("not-a-real-token"), "");
    EXPECT_EQ(response.status, sample->second.status) << response.body;
  }
}

/// API5: method override headers change nothing. A GET stays a GET (same answer as without the
/// header), a GET on a DELETE-only path stays a 405, and tenant A is unchanged.
TEST_F(AccessControlTest, MethodOverrideHeadersChangeNothing) {
  const std::string before = snapshot(tenant_a_);
  const std::array override_headers = {"X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"};
  for (const auto& operation : operations()) {
    if (operation.method != Method::kGet) continue;
    SCOPED_TRACE(operation.key());
    const auto sample = samples().find(operation.key());
    ASSERT_NE(sample, samples().end());
    for (const Role role : {Role::kOwner, Role::kViewer}) {
      const auto& caller = tenant_a_.users.at(role);
      const auto plain = call(operation, sample->second, caller, token(role), "");
      for (const auto* name : override_headers) {
        http::Headers headers;
        headers.set(name, "DELETE");
        const auto overridden = call(operation, sample->second, caller, token(role), "", std::move(headers));
        EXPECT_EQ(overridden.status, plain.status) << name << " as " << to_string(role);
      }
    }
  }
  // GET on paths that only have DELETE (and PATCH), asking for DELETE through the headers.
  const std::array targets = {"/api/v1/members/" + tenant_a_.extra.id,
                              "/api/v1/invitations/" + tenant_a_.invitation_id,
                              "/api/v1/api-keys/" + tenant_a_.api_key_id,
                              "/api/v1/sessions/" + tenant_a_.sessions.at(Role::kViewer).session_id};
  for (const auto& target : targets) {
    for (const auto* name : override_headers) {
      auto headers = bearer(token(Role::kOwner));
      headers.set(name, "DELETE");
      const auto response = harness_->send(Method::kGet, target, "", std::move(headers));
      EXPECT_EQ(response.status, 405) << target << " with " << name;
    }
    // POST with an override to DELETE is not a DELETE either.
    auto headers = bearer(token(Role::kOwner));
    headers.set("X-HTTP-Method-Override", "DELETE");
    const auto response = harness_->send(Method::kPost, target, "{}", std::move(headers));
    EXPECT_EQ(response.status, 405) << "POST " << target;
  }
  EXPECT_EQ(snapshot(tenant_a_), before);
}

/// API5 path tricks: case changes, trailing slashes and dot segments never reach an owner/admin
/// route as a viewer (or at all).
TEST_F(AccessControlTest, PathVariantsDoNotBypassTheMatrix) {
  const std::array variants = {"/api/v1/api-keys/",  "/API/V1/API-KEYS",    "/api/v1/Api-Keys",
                               "/api/v1//api-keys",  "/api/v1/./api-keys",  "/api/v1/me/../api-keys",
                               "/api/v1/api-keys;/", "/api/v1/api-keys%2F", "/api/v1/members/..;/api-keys"};
  for (const auto* target : variants) {
    const auto response = harness_->send(Method::kGet, target, "", bearer(token(Role::kViewer)));
    EXPECT_TRUE(response.status == 400 || response.status == 403 || response.status == 404 ||
                response.status == 405)
        << target << " answered " << response.status << ": " << response.body;
  }
}

}  // namespace
}  // namespace personae

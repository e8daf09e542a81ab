#include "http/handlers/account_handlers.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/handlers/handler_support.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "security/tokens.hpp"
#include "services/accounts/auth_service.hpp"
#include "services/accounts/second_factor_service.hpp"
#include "services/accounts/setup_service.hpp"
#include "services/accounts/team_service.hpp"

namespace personae::http::handlers {
namespace {

using auth::CookieSettings;
using auth::PrincipalHandler;

nlohmann::json scopes_json(const std::vector<ResourceScope>& scopes) {
  auto out = nlohmann::json::array();
  for (const auto& scope : scopes) out.push_back({{"kind", scope.kind}, {"ids", scope.ids}});
  return out;
}

std::vector<ResourceScope> read_scopes(const nlohmann::json& value) {
  std::vector<ResourceScope> scopes;
  const auto invalid = [] { throw AppError(invalid_fields({{"scopes", "must be a list of {kind, ids}"}})); };
  if (!value.is_array()) invalid();
  for (const auto& item : value) {
    if (!item.is_object() || item.size() != 2 || !item.contains("kind") || !item.contains("ids") ||
        !item["kind"].is_string() || !item["ids"].is_array()) {
      invalid();
    }
    ResourceScope scope{item["kind"].get<std::string>(), {}};
    for (const auto& id : item["ids"]) {
      if (!id.is_string()) invalid();
      scope.ids.push_back(id.get<std::string>());
    }
    scopes.push_back(std::move(scope));
  }
  return scopes;
}

Role read_role(const std::string& text) {
  const auto role = parse_role(text);
  if (!role)
    throw AppError(invalid_fields({{"role", "must be one of owner, admin, manager, chatter, viewer"}}));
  return *role;
}

nlohmann::json tenants_json(const std::vector<TenantChoice>& tenants) {
  auto out = nlohmann::json::array();
  for (const auto& tenant : tenants) {
    out.push_back(
        {{"id", tenant.tenant_id}, {"name", tenant.name}, {"role", std::string(to_string(tenant.role))}});
  }
  return out;
}

std::string cookie(std::string_view name, std::string_view value, std::string_view path, std::int64_t max_age,
                   bool http_only, bool secure) {
  std::string out = std::string(name) + "=" + std::string(value) + "; Path=" + std::string(path) +
                    "; Max-Age=" + std::to_string(std::max<std::int64_t>(0, max_age)) + "; SameSite=Strict";
  if (http_only) out += "; HttpOnly";
  if (secure) out += "; Secure";
  return out;
}

// Cookie mode: the tokens go into cookies, the body carries none of them (only what a script
// may know: lifetimes, ids and the CSRF token it must echo).
Response signed_in_with_cookies(const TokenPair& tokens, const CookieSettings& cookies, std::int64_t now_ms) {
  const std::string csrf = security::generate_token();
  // Without a refresh token (a password change) the CSRF cookie lives as long as the new access
  // cookie: refresh_expires_at_unix_ms is 0 then, which would delete it (Max-Age=0).
  const auto refresh_age = tokens.refresh_token.empty() ? tokens.expires_in.count()
                                                        : (tokens.refresh_expires_at_unix_ms - now_ms) / 1000;
  Response response = Response::json(200, {{"token_type", "cookie"},
                                           {"expires_in", tokens.expires_in.count()},
                                           {"session_id", tokens.session_id},
                                           {"user_id", tokens.user_id},
                                           {"tenant_id", tokens.tenant_id},
                                           {"csrf_token", csrf}});
  response.headers.add("Set-Cookie", cookie(cookies.access_name(), tokens.access_token, "/",
                                            tokens.expires_in.count(), true, cookies.secure));
  if (!tokens.refresh_token.empty()) {
    response.headers.add("Set-Cookie", cookie(cookies.refresh_name(), tokens.refresh_token,
                                              cookies.refresh_path, refresh_age, true, cookies.secure));
  }
  response.headers.add("Set-Cookie",
                       cookie(cookies.csrf_name(), csrf, "/", refresh_age, false, cookies.secure));
  return response;
}

Response signed_in_with_bearer(const TokenPair& tokens) {
  nlohmann::json body = {{"access_token", tokens.access_token},
                         {"token_type", tokens.token_type},
                         {"expires_in", tokens.expires_in.count()},
                         {"session_id", tokens.session_id},
                         {"user_id", tokens.user_id},
                         {"tenant_id", tokens.tenant_id}};
  if (!tokens.refresh_token.empty()) body["refresh_token"] = tokens.refresh_token;
  Response response = Response::json(200, body);
  // RFC 6749 5.1: token responses are never cached (no-store is the default here too).
  response.headers.set("Pragma", "no-cache");
  return response;
}

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Response signed_in(const TokenPair& tokens, bool cookie_mode, const CookieSettings& cookies) {
  return cookie_mode ? signed_in_with_cookies(tokens, cookies, now_unix_ms()) : signed_in_with_bearer(tokens);
}

bool read_cookie_mode(JsonReader& body) {
  const auto mode = body.optional<std::string>("mode");
  if (!mode || *mode == "bearer") return false;
  if (*mode == "cookie") return true;
  throw AppError(invalid_fields({{"mode", "must be \"bearer\" or \"cookie\""}}));
}

void clear_cookies(Response& response, const CookieSettings& cookies) {
  response.headers.add("Set-Cookie", cookie(cookies.access_name(), "", "/", 0, true, cookies.secure));
  response.headers.add("Set-Cookie",
                       cookie(cookies.refresh_name(), "", cookies.refresh_path, 0, true, cookies.secure));
  response.headers.add("Set-Cookie", cookie(cookies.csrf_name(), "", "/", 0, false, cookies.secure));
}

// The refresh token of a refresh or logout request: from the body in bearer mode, else from the
// refresh cookie, which (being a cookie) needs the CSRF double submit.
std::optional<std::string> presented_refresh_token(const Request& request, const CookieSettings& cookies) {
  if (!request.body.empty()) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    auto token = body.required<std::string>("refresh_token");
    body.finish();
    return token;
  }
  auto token = auth::cookie_value(request, cookies.refresh_name());
  if (!token || token->empty()) return std::nullopt;
  auth::require_csrf(request, cookies);
  return token;
}

// The caller's own refresh token, when it sent one (cookie mode), to mark or keep its session.
std::optional<std::string> own_refresh_cookie(const Request& request, const CookieSettings& cookies) {
  if (request.headers.contains("Authorization")) return std::nullopt;
  return auth::cookie_value(request, cookies.refresh_name());
}

std::optional<std::string_view> as_view(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return std::string_view(*text);
}

nlohmann::json member_json(const MemberView& member) {
  return {{"user_id", member.user_id},
          {"email", member.email},
          {"display_name", member.display_name},
          {"role", std::string(to_string(member.role))},
          {"scopes", scopes_json(member.scopes)},
          {"disabled", member.disabled},
          {"totp_enabled", member.totp_enabled},
          {"joined_at_unix_ms", member.joined_at_unix_ms}};
}

nlohmann::json invitation_json(const Invitation& invitation) {
  return {{"id", invitation.id},
          {"email", invitation.email},
          {"role", std::string(to_string(invitation.role))},
          {"scopes", scopes_json(invitation.scopes)},
          {"invited_by", invitation.invited_by},
          {"expires_at_unix_ms", invitation.expires_at_unix_ms},
          {"created_at_unix_ms", invitation.created_at_unix_ms}};
}

nlohmann::json optional_json(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json api_key_json(const ApiKey& key) {
  return {{"id", key.id},
          {"name", key.name},
          {"prefix", key.prefix},
          {"actions", key.scopes},
          {"created_by", key.created_by},
          {"expires_at_unix_ms", optional_json(key.expires_at_unix_ms)},
          {"revoked_at_unix_ms", optional_json(key.revoked_at_unix_ms)},
          {"last_used_at_unix_ms", optional_json(key.last_used_at_unix_ms)},
          {"created_at_unix_ms", key.created_at_unix_ms}};
}

nlohmann::json accepted_json(const AcceptedInvitation& accepted) {
  return {{"user_id", accepted.user_id},
          {"tenant", {{"id", accepted.tenant.id}, {"name", accepted.tenant.name}}},
          {"role", std::string(to_string(accepted.membership.role))},
          {"user_created", accepted.user_created}};
}

}  // namespace

Handler login(AuthService& auth, const CookieSettings& cookies) {
  return [&auth, &cookies](const Request& request) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    LoginRequest login;
    login.email = body.required<std::string>("email");
    login.password = body.required<std::string>("password");
    login.totp = body.optional<std::string>("totp");
    login.recovery_code = body.optional<std::string>("recovery_code");
    login.tenant = body.optional<std::string>("tenant");
    const bool cookie_mode = read_cookie_mode(body);
    body.finish();

    const LoginResult result = value_or_fail(auth.login(login, client_of(request)));
    switch (result.status) {
      case LoginStatus::kSignedIn: return signed_in(*result.tokens, cookie_mode, cookies);
      case LoginStatus::kTenantChoiceRequired: {
        Problem problem{
            409, "https://personae.dev/problems/tenant-choice-required", "Choose a tenant",
            "The account belongs to several tenants: sign in again with one of them as `tenant`."};
        problem.extensions["tenants"] = tenants_json(result.tenants);
        throw HttpError(std::move(problem));
      }
      case LoginStatus::kSecondFactorRequired: {
        Problem problem = unauthorized("Sign in again with `totp` or `recovery_code`.", false);
        problem.type = "https://personae.dev/problems/mfa-required";
        problem.title = "Second factor required";
        throw HttpError(std::move(problem));
      }
      case LoginStatus::kMfaEnrolmentRequired: {
        Problem problem{403, "https://personae.dev/problems/mfa-enrolment-required", "Enrol a second factor",
                        "This tenant requires two-factor sign-in: enrol with the ticket at "
                        "/api/v1/auth/mfa-enrolment."};
        problem.extensions["enrolment_ticket"] = result.enrolment_ticket.value_or("");
        problem.extensions["enrolment_ticket_expires_at_unix_ms"] =
            result.enrolment_ticket_expires_at_unix_ms;
        throw HttpError(std::move(problem));
      }
    }
    throw HttpError(500, "Internal Server Error");
  };
}

Handler begin_required_enrolment(AuthService& auth) {
  return [&auth](const Request& request) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto ticket = body.required<std::string>("enrolment_ticket");
    body.finish();
    const auto enrolment = value_or_fail(auth.begin_required_enrolment(ticket, client_of(request)));
    return Response::json(
        200, {{"otpauth_uri", enrolment.otpauth_uri}, {"secret_base32", enrolment.secret_base32}});
  };
}

Handler complete_required_enrolment(AuthService& auth, const CookieSettings& cookies) {
  return [&auth, &cookies](const Request& request) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto ticket = body.required<std::string>("enrolment_ticket");
    const auto code = body.required<std::string>("code");
    const bool cookie_mode = read_cookie_mode(body);
    body.finish();
    const auto enrolled = value_or_fail(auth.complete_required_enrolment(ticket, code, client_of(request)));
    Response response = signed_in(enrolled.tokens, cookie_mode, cookies);
    auto out = nlohmann::json::parse(response.body);
    out["recovery_codes"] = enrolled.recovery_codes;
    response.body = out.dump();
    return response;
  };
}

Handler refresh(AuthService& auth, const CookieSettings& cookies) {
  return [&auth, &cookies](const Request& request) {
    const bool cookie_mode = request.body.empty();
    const auto token = presented_refresh_token(request, cookies);
    if (!token) throw HttpError(unauthorized("Send `refresh_token`, or the refresh cookie.", false));
    const auto tokens = value_or_fail(auth.refresh(*token, client_of(request)));
    return signed_in(tokens, cookie_mode, cookies);
  };
}

Handler logout(AuthService& auth, const CookieSettings& cookies) {
  return [&auth, &cookies](const Request& request) {
    if (const auto token = presented_refresh_token(request, cookies)) {
      check_or_fail(auth.logout(*token, client_of(request)));
    }
    Response response = Response::no_content();
    clear_cookies(response, cookies);
    return response;
  };
}

PrincipalHandler logout_all_as(AuthService& auth, const CookieSettings& cookies) {
  return [&auth, &cookies](const Request& request, const Principal& principal) {
    const auto revoked = value_or_fail(auth.logout_everywhere(principal, client_of(request)));
    Response response = Response::json(200, {{"sessions_revoked", revoked}});
    clear_cookies(response, cookies);
    return response;
  };
}

PrincipalHandler list_sessions_as(AuthService& auth, const CookieSettings& cookies) {
  return [&auth, &cookies](const Request& request, const Principal& principal) {
    const auto own = own_refresh_cookie(request, cookies);
    const auto sessions = value_or_fail(auth.list_sessions(principal, as_view(own)));
    auto items = nlohmann::json::array();
    for (const auto& session : sessions) {
      items.push_back({{"id", session.session_id},
                       {"tenant_id", session.tenant_id},
                       {"created_at_unix_ms", session.created_at_unix_ms},
                       {"last_used_at_unix_ms", session.last_used_at_unix_ms},
                       {"expires_at_unix_ms", session.expires_at_unix_ms},
                       {"ip", session.ip},
                       {"user_agent", session.user_agent},
                       {"current", session.current}});
    }
    return Response::json(200, {{"items", items}});
  };
}

PrincipalHandler revoke_session_as(AuthService& auth) {
  return [&auth](const Request& request, const Principal& principal) {
    check_or_fail(auth.revoke_session(principal, request.path_param("id"), client_of(request)));
    return Response::no_content();
  };
}

PrincipalHandler change_password_as(AuthService& auth, const CookieSettings& cookies) {
  return [&auth, &cookies](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto current = body.required<std::string>("current_password");
    const auto next = body.required<std::string>("new_password");
    body.finish();
    const auto own = own_refresh_cookie(request, cookies);
    const auto tokens =
        value_or_fail(auth.change_password(principal, current, next, as_view(own), client_of(request)));
    // Cookie callers get the new access cookie; bearer callers the new access token. A cookie
    // caller is one authenticated by the access cookie: the refresh cookie (Path=/api/v1/auth)
    // never reaches this route from a browser, so it cannot tell the modes apart.
    const bool cookie_mode = !request.headers.contains("Authorization") &&
                             auth::cookie_value(request, cookies.access_name()).has_value();
    return signed_in(tokens, cookie_mode, cookies);
  };
}

PrincipalHandler me_as(TeamService& team) {
  return [&team](const Request&, const Principal& principal) {
    const auto me = value_or_fail(team.me(principal));
    auto actions = nlohmann::json::array();
    for (const auto action : me.allowed_actions) actions.push_back(std::string(to_string(action)));
    return Response::json(
        200,
        {{"user_id", me.user_id},
         {"email", me.email},
         {"display_name", me.display_name},
         {"totp_enabled", me.totp_enabled},
         {"kind", me.kind == Principal::Kind::kApiKey ? "api_key" : "user"},
         {"tenant", {{"id", me.tenant.id}, {"name", me.tenant.name}, {"require_mfa", me.tenant.require_mfa}}},
         {"role", std::string(to_string(me.role))},
         {"scopes", scopes_json(me.scopes)},
         {"actions", actions},
         {"tenants", tenants_json(me.tenants)}});
  };
}

PrincipalHandler list_members_as(TeamService& team) {
  return [&team](const Request&, const Principal& principal) {
    auto items = nlohmann::json::array();
    for (const auto& member : value_or_fail(team.list_members(principal)))
      items.push_back(member_json(member));
    return Response::json(200, {{"items", items}});
  };
}

PrincipalHandler update_member_as(TeamService& team) {
  return [&team](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto role_text = body.required<std::string>("role");
    const auto scopes_value = body.optional<nlohmann::json>("scopes");
    body.finish();
    const Role role = read_role(role_text);
    const auto scopes = scopes_value ? read_scopes(*scopes_value) : std::vector<ResourceScope>{};
    const auto member = value_or_fail(
        team.update_member(principal, request.path_param("user_id"), role, scopes, client_of(request)));
    return Response::json(200, member_json(member));
  };
}

PrincipalHandler remove_member_as(TeamService& team) {
  return [&team](const Request& request, const Principal& principal) {
    check_or_fail(team.remove_member(principal, request.path_param("user_id"), client_of(request)));
    return Response::no_content();
  };
}

PrincipalHandler list_invitations_as(TeamService& team) {
  return [&team](const Request&, const Principal& principal) {
    auto items = nlohmann::json::array();
    for (const auto& invitation : value_or_fail(team.list_invitations(principal))) {
      items.push_back(invitation_json(invitation));
    }
    return Response::json(200, {{"items", items}});
  };
}

PrincipalHandler create_invitation_as(TeamService& team) {
  return [&team](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    NewInvitation invitation;
    invitation.email = body.required<std::string>("email");
    const auto role_text = body.required<std::string>("role");
    const auto scopes_value = body.optional<nlohmann::json>("scopes");
    body.finish();
    invitation.role = read_role(role_text);
    if (scopes_value) invitation.scopes = read_scopes(*scopes_value);
    const auto created = value_or_fail(team.create_invitation(principal, invitation, client_of(request)));
    auto out = invitation_json(created.invitation);
    out["token"] = created.token;
    Response response = Response::json(201, out);
    response.headers.set("Location", "/api/v1/invitations/" + created.invitation.id);
    return response;
  };
}

PrincipalHandler revoke_invitation_as(TeamService& team) {
  return [&team](const Request& request, const Principal& principal) {
    check_or_fail(team.revoke_invitation(principal, request.path_param("id"), client_of(request)));
    return Response::no_content();
  };
}

PrincipalHandler accept_invitation_as(TeamService& team) {
  return [&team](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto token = body.required<std::string>("token");
    body.finish();
    return Response::json(
        200,
        accepted_json(value_or_fail(team.accept_invitation(token, principal.user_id, client_of(request)))));
  };
}

Handler register_with_invitation(TeamService& team) {
  return [&team](const Request& request) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto token = body.required<std::string>("token");
    const auto password = body.required<std::string>("password");
    const auto display_name = body.optional<std::string>("display_name").value_or("");
    body.finish();
    return Response::json(201, accepted_json(value_or_fail(team.accept_invitation_new_user(
                                   token, password, display_name, client_of(request)))));
  };
}

PrincipalHandler list_api_keys_as(TeamService& team) {
  return [&team](const Request&, const Principal& principal) {
    auto items = nlohmann::json::array();
    for (const auto& key : value_or_fail(team.list_api_keys(principal))) items.push_back(api_key_json(key));
    return Response::json(200, {{"items", items}});
  };
}

PrincipalHandler create_api_key_as(TeamService& team) {
  return [&team](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    NewApiKey key;
    key.name = body.required<std::string>("name");
    const auto actions = body.required<std::vector<std::string>>("actions");
    key.expires_at_unix_ms = body.required<std::int64_t>("expires_at_unix_ms");
    body.finish();
    for (const auto& name : actions) {
      const auto action = parse_action(name);
      if (!action) {
        throw AppError(invalid_fields({{"actions", "unknown action '" + name + "'"}}));
      }
      key.actions.push_back(*action);
    }
    const auto created = value_or_fail(team.create_api_key(principal, key, client_of(request)));
    auto out = api_key_json(created.key);
    out["key"] = created.secret;
    Response response = Response::json(201, out);
    response.headers.set("Location", "/api/v1/api-keys/" + created.key.id);
    return response;
  };
}

PrincipalHandler revoke_api_key_as(TeamService& team) {
  return [&team](const Request& request, const Principal& principal) {
    check_or_fail(team.revoke_api_key(principal, request.path_param("id"), client_of(request)));
    return Response::no_content();
  };
}

PrincipalHandler begin_totp_as(SecondFactorService& second_factor) {
  return [&second_factor](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto password = body.required<std::string>("password");
    body.finish();
    const auto enrolment =
        value_or_fail(second_factor.begin_enrolment(principal, password, client_of(request)));
    return Response::json(
        200, {{"otpauth_uri", enrolment.otpauth_uri}, {"secret_base32", enrolment.secret_base32}});
  };
}

PrincipalHandler confirm_totp_as(SecondFactorService& second_factor) {
  return [&second_factor](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto code = body.required<std::string>("code");
    body.finish();
    return Response::json(200, {{"recovery_codes", value_or_fail(second_factor.confirm_enrolment(
                                                       principal, code, client_of(request)))}});
  };
}

PrincipalHandler disable_totp_as(SecondFactorService& second_factor) {
  return [&second_factor](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto password = body.required<std::string>("password");
    const auto code = body.required<std::string>("code");
    body.finish();
    check_or_fail(second_factor.disable(principal, password, code, client_of(request)));
    return Response::no_content();
  };
}

PrincipalHandler regenerate_recovery_codes_as(SecondFactorService& second_factor) {
  return [&second_factor](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto password = body.required<std::string>("password");
    body.finish();
    return Response::json(200, {{"recovery_codes", value_or_fail(second_factor.regenerate_recovery_codes(
                                                       principal, password, client_of(request)))}});
  };
}

PrincipalHandler update_tenant_as(SecondFactorService& second_factor) {
  return [&second_factor](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto require_mfa = body.required<bool>("require_mfa");
    const auto password = body.required<std::string>("password");
    body.finish();
    check_or_fail(second_factor.set_tenant_require_mfa(principal, require_mfa, password, client_of(request)));
    return Response::json(200, {{"id", principal.tenant_id}, {"require_mfa", require_mfa}});
  };
}

Handler setup_status(SetupService& setup) {
  return [&setup](const Request&) {
    return Response::json(200, {{"required", value_or_fail(setup.setup_required())}});
  };
}

Handler complete_setup(SetupService& setup) {
  return [&setup](const Request& request) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto token = body.required<std::string>("token");
    const auto tenant_name = body.required<std::string>("tenant_name");
    const auto email = body.required<std::string>("email");
    const auto password = body.required<std::string>("password");
    const auto display_name = body.optional<std::string>("display_name").value_or("");
    body.finish();
    const auto created =
        value_or_fail(setup.complete_setup(token, tenant_name, email, password, display_name));
    return Response::json(201, {{"tenant", {{"id", created.tenant.id}, {"name", created.tenant.name}}},
                                {"user_id", created.user.id},
                                {"email", created.user.email},
                                {"role", std::string(to_string(created.membership.role))}});
  };
}

}  // namespace personae::http::handlers

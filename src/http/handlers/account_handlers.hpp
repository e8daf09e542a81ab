#pragma once

#include <cstddef>

#include "http/auth/request_authenticator.hpp"
#include "http/router.hpp"

namespace personae {
class AuthService;
class SecondFactorService;
class SetupService;
class TeamService;
}  // namespace personae

/// Handlers for accounts and access control: sign-in (bearer and cookie modes), sessions, the
/// current user, TOTP, the tenant's security switch, members, invitations, API keys and first-run
/// setup. Every body is parsed strictly (unknown fields are a 400 naming them) and every failure
/// is a problem. Handlers named `..._as` are PrincipalHandlers: register them through
/// auth::guard(). All are blocking (they call services that hash or query the database).
namespace personae::http::handlers {

/// The largest body the account routes accept (a login is a few hundred bytes); the route table
/// gives it to each route as its BodyPolicy, so a larger body is refused before it is read.
inline constexpr std::size_t kMaxCredentialBodyBytes = std::size_t{4} * 1024;

/// POST /api/v1/auth/login (public). Bearer mode: an OAuth 2.0-style token response. Cookie mode
/// (`"mode": "cookie"`): sets the access, refresh and CSRF cookies and returns no token.
/// Tenant choice: 409 problem `tenant-choice-required` with `tenants`; second factor: 401 problem
/// `mfa-required`; tenant requires MFA and none enrolled: 403 problem `mfa-enrolment-required`
/// with `enrolment_ticket`.
Handler login(AuthService& auth, const auth::CookieSettings& cookies);
/// POST /api/v1/auth/mfa-enrolment (public; the ticket is the credential).
Handler begin_required_enrolment(AuthService& auth);
/// POST /api/v1/auth/mfa-enrolment/confirm (public; the ticket is the credential): signs in.
Handler complete_required_enrolment(AuthService& auth, const auth::CookieSettings& cookies);
/// POST /api/v1/auth/refresh (public; the refresh token is the credential): `{refresh_token}`
/// in bearer mode, or the refresh cookie (with the CSRF header) and an empty body.
Handler refresh(AuthService& auth, const auth::CookieSettings& cookies);
/// POST /api/v1/auth/logout (public; the refresh token is the credential): ends its session and
/// clears the cookies. 204 whether or not the token was known.
Handler logout(AuthService& auth, const auth::CookieSettings& cookies);

/// POST /api/v1/auth/logout-all (authenticated).
auth::PrincipalHandler logout_all_as(AuthService& auth, const auth::CookieSettings& cookies);
/// GET /api/v1/sessions (authenticated).
auth::PrincipalHandler list_sessions_as(AuthService& auth, const auth::CookieSettings& cookies);
/// DELETE /api/v1/sessions/{id} (authenticated).
auth::PrincipalHandler revoke_session_as(AuthService& auth);
/// POST /api/v1/me/password (authenticated).
auth::PrincipalHandler change_password_as(AuthService& auth, const auth::CookieSettings& cookies);

/// GET /api/v1/me (authenticated).
auth::PrincipalHandler me_as(TeamService& team);
/// GET /api/v1/members (members.list).
auth::PrincipalHandler list_members_as(TeamService& team);
/// PATCH /api/v1/members/{user_id} (members.manage): `{role, scopes?}`.
auth::PrincipalHandler update_member_as(TeamService& team);
/// DELETE /api/v1/members/{user_id} (members.manage).
auth::PrincipalHandler remove_member_as(TeamService& team);
/// GET /api/v1/invitations (members.invite).
auth::PrincipalHandler list_invitations_as(TeamService& team);
/// POST /api/v1/invitations (members.invite): returns the single-use token once.
auth::PrincipalHandler create_invitation_as(TeamService& team);
/// DELETE /api/v1/invitations/{id} (members.invite).
auth::PrincipalHandler revoke_invitation_as(TeamService& team);
/// POST /api/v1/invitations/accept (authenticated): a signed-in user accepts `{token}`.
auth::PrincipalHandler accept_invitation_as(TeamService& team);
/// POST /api/v1/invitations/register (public): a new user accepts `{token, password,
/// display_name?}`.
Handler register_with_invitation(TeamService& team);
/// GET /api/v1/api-keys (api_keys.list).
auth::PrincipalHandler list_api_keys_as(TeamService& team);
/// POST /api/v1/api-keys (api_keys.manage): returns the key text once.
auth::PrincipalHandler create_api_key_as(TeamService& team);
/// DELETE /api/v1/api-keys/{id} (api_keys.manage).
auth::PrincipalHandler revoke_api_key_as(TeamService& team);

/// POST /api/v1/me/totp (authenticated): `{password}` -> the secret to enrol.
auth::PrincipalHandler begin_totp_as(SecondFactorService& second_factor);
/// POST /api/v1/me/totp/confirm (authenticated): `{code}` -> recovery codes.
auth::PrincipalHandler confirm_totp_as(SecondFactorService& second_factor);
/// DELETE /api/v1/me/totp (authenticated): `{password, code}`.
auth::PrincipalHandler disable_totp_as(SecondFactorService& second_factor);
/// POST /api/v1/me/recovery-codes (authenticated): `{password}` -> new recovery codes.
auth::PrincipalHandler regenerate_recovery_codes_as(SecondFactorService& second_factor);
/// PATCH /api/v1/tenant (tenant.manage_security): `{require_mfa, password}`.
auth::PrincipalHandler update_tenant_as(SecondFactorService& second_factor);

/// GET /api/v1/setup (public): `{required}`.
Handler setup_status(SetupService& setup);
/// POST /api/v1/setup (public; the one-time token is the credential): `{token, tenant_name,
/// email, password, display_name?}`.
Handler complete_setup(SetupService& setup);

}  // namespace personae::http::handlers

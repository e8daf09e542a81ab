#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/accounts/session.hpp"
#include "domain/accounts/user.hpp"
#include "domain/authorization/authorization.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"
#include "ports/membership_repository.hpp"
#include "ports/rate_limiter.hpp"
#include "ports/recovery_code_repository.hpp"
#include "ports/session_repository.hpp"
#include "ports/tenant_repository.hpp"
#include "ports/user_repository.hpp"
#include "security/jwt.hpp"
#include "security/password_hasher.hpp"
#include "security/secret_box.hpp"
#include "services/accounts/accounts_types.hpp"
#include "services/audit_log_service.hpp"

namespace personae {

struct LoginRequest {
  std::string email;  ///< as typed; normalised here
  std::string password;
  std::optional<std::string> totp;           ///< six digits
  std::optional<std::string> recovery_code;  ///< instead of totp
  std::optional<std::string> tenant;         ///< tenant id or exact name
};

enum class LoginStatus {
  kSignedIn,              ///< `tokens` is set
  kTenantChoiceRequired,  ///< several tenants, none requested: `tenants` lists them; ask again
  kSecondFactorRequired,  ///< ask again with `totp` or `recovery_code`
  kMfaEnrolmentRequired,  ///< the tenant requires MFA and the user has none: `enrolment_ticket`
};

struct LoginResult {
  LoginStatus status = LoginStatus::kSignedIn;
  std::optional<TokenPair> tokens;
  std::vector<TenantChoice> tenants;
  /// For kMfaEnrolmentRequired: an opaque ticket (sealed by the SecretBox, bound to the user, the
  /// tenant and the user's tokens_valid_after) that only begin_required_enrolment() and
  /// complete_required_enrolment() accept, for enrolment_ticket_ttl (10 min).
  std::optional<std::string> enrolment_ticket;
  std::int64_t enrolment_ticket_expires_at_unix_ms = 0;
};

/// Tokens plus the recovery codes of a just-confirmed enrolment (shown once).
struct EnrolledLogin {
  TokenPair tokens;
  std::vector<std::string> recovery_codes;
};

/// One live session (refresh-token family) of the user.
struct SessionInfo {
  std::string session_id;  ///< the family id
  std::string tenant_id;
  std::int64_t created_at_unix_ms = 0;    ///< when the login happened
  std::int64_t last_used_at_unix_ms = 0;  ///< last login or refresh
  std::int64_t expires_at_unix_ms = 0;    ///< idle expiry of its current token
  std::string ip;
  std::string user_agent;
  bool current = false;  ///< the session of the refresh token given to list_sessions()
};

/// Sessions: login, refresh-token rotation, logout, session listing, password change.
///
/// Order of a login: rate limits (per IP, then per account; before any hashing) -> password
/// (unknown e-mail, wrong password and disabled user are one kUnauthenticated "invalid e-mail or
/// password", with a dummy hash for unknown e-mails) -> tenant (the requested one, or the only
/// one; several and none requested -> kTenantChoiceRequired, listing them only to a caller who
/// knew the password; a code sent along is not consumed then) -> second factor (the user's TOTP
/// if enabled, or the tenant requires MFA) -> a new session family. Every attempt is audited, in
/// the tenant's chain when known, otherwise the system chain, with a reason category.
///
/// Same-second revocation: JWT `iat` has whole seconds (floored), tokens_valid_after has
/// milliseconds. An access token is valid only if iat * 1000 > tokens_valid_after, so every token
/// issued in the second of a revocation (or earlier) dies with it; tokens this service issues
/// afterwards are stamped at max(now, the first whole second after tokens_valid_after's second),
/// so they live (their nbf may lie up to 1 s ahead, well inside the verifier's leeway).
///
/// Blocking (Argon2 and the database): call from worker threads. Thread-safe. Holds references:
/// everything passed in must outlive it.
class AuthService {
 public:
  AuthService(Database& database, TenantRepository& tenants, UserRepository& users,
              MembershipRepository& memberships, SessionRepository& sessions,
              RecoveryCodeRepository& recovery_codes, AuditLogService& audit,
              security::PasswordHasher& hasher, const security::JwtIssuer& issuer,
              const security::SecretBox& secret_box, RateLimiter& rate_limiter, const Clock& clock,
              AccountsOptions options = {});

  /// See the class comment. Errors: kResourceExhausted (rate limit, retry_after_seconds()),
  /// kUnauthenticated "invalid e-mail or password" (unknown, wrong, disabled, malformed e-mail),
  /// kUnauthenticated "invalid second factor" (wrong or replayed code, used recovery code),
  /// kNotFound "tenant not found" (requested tenant unknown or not the user's), kUnavailable
  /// (hasher busy / database down).
  Result<LoginResult> login(const LoginRequest& request, const ClientInfo& client);

  /// For kMfaEnrolmentRequired: generates and stores (not yet enabled) a TOTP secret for the
  /// ticket's user. kUnauthenticated for a bad, expired or outdated ticket or a disabled user;
  /// kFailedPrecondition if TOTP is already enabled.
  Result<TotpEnrolment> begin_required_enrolment(std::string_view enrolment_ticket, const ClientInfo& client);

  /// Confirms the enrolment begun above with a current code, enables TOTP, stores 10 new recovery
  /// codes and signs in to the ticket's tenant. kUnauthenticated for a bad ticket or a wrong or
  /// replayed code; kFailedPrecondition when no enrolment was begun or TOTP is already enabled.
  Result<EnrolledLogin> complete_required_enrolment(std::string_view enrolment_ticket, std::string_view code,
                                                    const ClientInfo& client);

  /// Rotates a refresh token: the new pair, in the same family. kUnauthenticated "invalid refresh
  /// token" for an unknown, expired, revoked or used token, a disabled user or a lost membership;
  /// presenting a used token again revokes its whole family (audited "refresh_token.reused"); of
  /// two concurrent refreshes with one token exactly one wins and the other gets kUnauthenticated.
  Result<TokenPair> refresh(std::string_view refresh_token, const ClientInfo& client);

  /// Revokes the family of `refresh_token` (reason "logout"). Succeeds also for an unknown or
  /// already ended token, so it reveals nothing.
  Result<void> logout(std::string_view refresh_token, const ClientInfo& client);

  /// Revokes all of the user's sessions in every tenant and moves tokens_valid_after to now, so
  /// outstanding access tokens die too. Returns the number of refresh tokens revoked.
  Result<std::int64_t> logout_everywhere(const Principal& principal, const ClientInfo& client);

  /// The user's live sessions in every tenant, newest first; `current` marks the family of
  /// `current_refresh_token` when given. kPermissionDenied for an API-key principal.
  Result<std::vector<SessionInfo>> list_sessions(const Principal& principal,
                                                 std::optional<std::string_view> current_refresh_token);

  /// Revokes one of the user's own sessions (a family id from list_sessions). kNotFound when the
  /// user has no live session with that id (someone else's included); kPermissionDenied for an
  /// API-key principal.
  Result<void> revoke_session(const Principal& principal, std::string_view session_id,
                              const ClientInfo& client);

  /// Changes the password: the current one must match (kUnauthenticated "current password is
  /// wrong"), the new one passes the policy (kInvalidArgument). Ends every other session (all but
  /// the family of `current_refresh_token`, when given and the user's) and moves
  /// tokens_valid_after, then returns a fresh access token for the principal's tenant (the
  /// refresh token is left empty: keep the current one). kPermissionDenied for an API-key
  /// principal; kResourceExhausted under the per-account rate limit.
  Result<TokenPair> change_password(const Principal& principal, std::string_view current_password,
                                    std::string_view new_password,
                                    std::optional<std::string_view> current_refresh_token,
                                    const ClientInfo& client);

 private:
  struct EnrolmentTicket {
    std::string user_id;
    std::string tenant_id;
  };
  struct NewSession {
    Session session;
    std::string raw_token;
  };

  NewSession make_session(const std::string& user_id, const std::string& tenant_id,
                          const std::string& family_id, std::int64_t family_expires_at_unix_ms,
                          const ClientInfo& client, std::int64_t now_unix_ms) const;
  Result<TokenPair> make_tokens(const NewSession& created, std::int64_t tokens_valid_after_unix_ms,
                                std::int64_t now_unix_ms) const;
  std::string seal_ticket(const User& user, const std::string& tenant_id,
                          std::int64_t expires_at_unix_ms) const;
  Result<EnrolmentTicket> open_ticket(std::string_view ticket, const User* user_for_check) const;
  Result<User> ticket_user(std::string_view ticket, EnrolmentTicket& opened);
  void audit_login(const std::optional<std::string>& tenant_id, const std::string& actor,
                   const std::string& target, std::string_view outcome, std::string_view reason,
                   const ClientInfo& client);
  Database& database_;
  TenantRepository& tenants_;
  UserRepository& users_;
  MembershipRepository& memberships_;
  SessionRepository& sessions_;
  RecoveryCodeRepository& recovery_codes_;
  AuditLogService& audit_;
  security::PasswordHasher& hasher_;
  const security::JwtIssuer& issuer_;
  const security::SecretBox& secret_box_;
  RateLimiter& rate_limiter_;
  const Clock& clock_;
  AccountsOptions options_;
};

}  // namespace personae

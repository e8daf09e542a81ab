#include "services/accounts/auth_service.hpp"

#include <algorithm>
#include <charconv>

#include "core/crypto.hpp"
#include "domain/accounts/email_address.hpp"
#include "security/encoding.hpp"
#include "security/tokens.hpp"
#include "security/totp.hpp"
#include "services/accounts/account_support.hpp"

namespace personae {
namespace {

using accounts_detail::audit_entry;
using accounts_detail::guarded;
using accounts_detail::user_actor;

constexpr std::string_view kInvalidCredentials = "invalid e-mail or password";
constexpr std::string_view kInvalidSecondFactor = "invalid second factor";
constexpr std::string_view kInvalidRefreshToken = "invalid refresh token";
constexpr std::string_view kInvalidTicket = "invalid or expired enrolment ticket";
constexpr std::string_view kTicketAad = "mfa-enrolment-ticket";

tl::unexpected<Error> unauthenticated(std::string_view message, std::string detail = {}) {
  return make_error(ErrorCode::kUnauthenticated, std::string(message), std::move(detail));
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(separator, start);
    if (at == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
}

}  // namespace

AuthService::AuthService(Database& database, TenantRepository& tenants, UserRepository& users,
                         MembershipRepository& memberships, SessionRepository& sessions,
                         RecoveryCodeRepository& recovery_codes, AuditLogService& audit,
                         security::PasswordHasher& hasher, const security::JwtIssuer& issuer,
                         const security::SecretBox& secret_box, RateLimiter& rate_limiter, const Clock& clock,
                         AccountsOptions options)
    : database_(database),
      tenants_(tenants),
      users_(users),
      memberships_(memberships),
      sessions_(sessions),
      recovery_codes_(recovery_codes),
      audit_(audit),
      hasher_(hasher),
      issuer_(issuer),
      secret_box_(secret_box),
      rate_limiter_(rate_limiter),
      clock_(clock),
      options_(options) {}

AuthService::NewSession AuthService::make_session(const std::string& user_id, const std::string& tenant_id,
                                                  const std::string& family_id,
                                                  std::int64_t family_expires_at_unix_ms,
                                                  const ClientInfo& client, std::int64_t now_unix_ms) const {
  NewSession created;
  created.raw_token = security::generate_token();
  Session& session = created.session;
  session.id = security::generate_id();
  session.family_id = family_id;
  session.user_id = user_id;
  session.tenant_id = tenant_id;
  session.token_hash = security::hash_token(created.raw_token);
  session.created_at_unix_ms = now_unix_ms;
  session.family_expires_at_unix_ms = family_expires_at_unix_ms;
  session.expires_at_unix_ms =
      std::min(now_unix_ms + options_.refresh_idle_ttl.count(), family_expires_at_unix_ms);
  session.ip = client.ip;
  session.user_agent = client.user_agent;
  return created;
}

Result<TokenPair> AuthService::make_tokens(const NewSession& created, std::int64_t tokens_valid_after_unix_ms,
                                           std::int64_t now_unix_ms) const {
  const Session& session = created.session;
  auto access =
      issuer_.issue(session.user_id, session.tenant_id,
                    accounts_detail::issue_time(now_unix_ms, tokens_valid_after_unix_ms), session.family_id);
  if (!access) return tl::unexpected<Error>(access.error());
  TokenPair pair;
  pair.access_token = std::move(access->token);
  pair.expires_in = access->expires_in;
  pair.refresh_token = created.raw_token;
  pair.refresh_expires_at_unix_ms = session.expires_at_unix_ms;
  pair.session_id = session.family_id;
  pair.user_id = session.user_id;
  pair.tenant_id = session.tenant_id;
  return pair;
}

std::string AuthService::seal_ticket(const User& user, const std::string& tenant_id,
                                     std::int64_t expires_at_unix_ms) const {
  // Stateless: the SecretBox authenticates it; binding tokens_valid_after makes a password change,
  // a disable or "log out everywhere" void it.
  const std::string plain = "v1|" + user.id + "|" + tenant_id + "|" + std::to_string(expires_at_unix_ms) +
                            "|" + std::to_string(user.tokens_valid_after_unix_ms);
  return secret_box_.seal(plain, kTicketAad);
}

Result<AuthService::EnrolmentTicket> AuthService::open_ticket(std::string_view ticket,
                                                              const User* user_for_check) const {
  if (ticket.empty() || ticket.size() > 1024) return unauthenticated(kInvalidTicket, "malformed ticket");
  auto plain = secret_box_.open(ticket, kTicketAad);
  if (!plain) return unauthenticated(kInvalidTicket, "ticket does not open");
  const std::vector<std::string_view> parts = split(*plain, '|');
  if (parts.size() != 5 || parts[0] != "v1") return unauthenticated(kInvalidTicket, "malformed ticket");
  const std::optional<std::int64_t> expires = parse_int(parts[3]);
  const std::optional<std::int64_t> valid_after = parse_int(parts[4]);
  if (!expires || !valid_after) return unauthenticated(kInvalidTicket, "malformed ticket");
  if (clock_.now_unix_ms() >= *expires) return unauthenticated(kInvalidTicket, "ticket expired");
  if (user_for_check != nullptr && user_for_check->tokens_valid_after_unix_ms != *valid_after) {
    return unauthenticated(kInvalidTicket, "ticket predates a credential change");
  }
  return EnrolmentTicket{std::string(parts[1]), std::string(parts[2])};
}

Result<User> AuthService::ticket_user(std::string_view ticket, EnrolmentTicket& opened) {
  auto first = open_ticket(ticket, nullptr);
  if (!first) return tl::unexpected<Error>(first.error());
  std::optional<User> user;
  bool member = false;
  database_.read([&](Transaction& tx) {
    user = users_.find_by_id(tx, first->user_id);
    member = memberships_.find(tx, first->tenant_id, first->user_id).has_value();
  });
  if (!user || user->disabled || !member)
    return unauthenticated(kInvalidTicket, "user gone, disabled or not a member");
  auto checked = open_ticket(ticket, &*user);
  if (!checked) return tl::unexpected<Error>(checked.error());
  opened = *checked;
  return *user;
}

void AuthService::audit_login(const std::optional<std::string>& tenant_id, const std::string& actor,
                              const std::string& target, std::string_view outcome, std::string_view reason,
                              const ClientInfo& client) {
  audit_.append(audit_entry(tenant_id, actor, "auth.login", target, client,
                            {{"outcome", outcome}, {"reason", reason}, {"user_agent", client.user_agent}}));
}

Result<LoginResult> AuthService::login(const LoginRequest& request, const ClientInfo& client) {
  return guarded([&]() -> Result<LoginResult> {
    const std::string email = normalize_email(request.email);
    const std::string account_key = accounts_detail::account_rate_key(email);
    // Anonymous attempts are recorded under a hash of the address, never the address itself.
    const std::string anonymous_target = "account:" + sha256_hex(email).substr(0, 16);

    // Throttle before any hashing, per IP first so one client cannot drain other accounts' budgets
    // without being limited itself.
    if (auto allowed = accounts_detail::take_rate(rate_limiter_, accounts_detail::ip_rate_key(client.ip),
                                                  options_.login_per_ip);
        !allowed) {
      audit_login(std::nullopt, "anonymous", anonymous_target, "failure", "throttled_ip", client);
      return tl::unexpected<Error>(allowed.error());
    }
    if (auto allowed = accounts_detail::take_rate(rate_limiter_, account_key, options_.login_per_account);
        !allowed) {
      audit_login(std::nullopt, "anonymous", anonymous_target, "failure", "throttled_account", client);
      return tl::unexpected<Error>(allowed.error());
    }

    std::optional<User> user;
    if (is_valid_email(email)) {
      user = database_.read([&](Transaction& tx) { return users_.find_by_email(tx, email); });
    }
    if (!user) {
      // Equal work: an unknown address costs one hash like a known one.
      if (auto spent = hasher_.dummy_verify(request.password); !spent)
        return tl::unexpected<Error>(spent.error());
      audit_login(std::nullopt, "anonymous", anonymous_target, "failure", "unknown_account", client);
      return unauthenticated(kInvalidCredentials);
    }
    auto matches = accounts_detail::check_password(hasher_, *user, request.password);
    if (!matches) return tl::unexpected<Error>(matches.error());
    const std::string actor = user_actor(user->id);
    if (!*matches) {
      audit_login(std::nullopt, actor, actor, "failure", "bad_password", client);
      return unauthenticated(kInvalidCredentials);
    }
    if (user->disabled) {
      audit_login(std::nullopt, actor, actor, "failure", "disabled", client);
      return unauthenticated(kInvalidCredentials);
    }

    // The tenant: the requested one, or the only one.
    std::vector<Tenant> tenants;
    std::vector<Membership> memberships;
    database_.read([&](Transaction& tx) {
      tenants = tenants_.list_for_user(tx, user->id);
      memberships = memberships_.list_by_user(tx, user->id);
    });
    const auto role_in = [&](const std::string& tenant_id) {
      for (const Membership& membership : memberships) {
        if (membership.tenant_id == tenant_id) return membership.role;
      }
      return Role::kViewer;
    };
    const Tenant* tenant = nullptr;
    if (request.tenant && !request.tenant->empty()) {
      for (const Tenant& candidate : tenants) {
        if (candidate.id == *request.tenant || candidate.name == *request.tenant) tenant = &candidate;
      }
      if (tenant == nullptr) {
        audit_login(std::nullopt, actor, actor, "failure", "tenant_not_member", client);
        return make_error(ErrorCode::kNotFound, "tenant not found");
      }
    } else if (tenants.size() == 1) {
      tenant = &tenants.front();
    } else if (tenants.empty()) {
      audit_login(std::nullopt, actor, actor, "failure", "no_tenant", client);
      return make_error(ErrorCode::kPermissionDenied, "this account is not a member of any tenant");
    } else {
      LoginResult result;
      result.status = LoginStatus::kTenantChoiceRequired;
      for (const Tenant& candidate : tenants) {
        result.tenants.push_back(TenantChoice{candidate.id, candidate.name, role_in(candidate.id)});
      }
      audit_login(std::nullopt, actor, actor, "pending", "tenant_choice_required", client);
      return result;
    }
    const std::optional<std::string> tenant_id = tenant->id;
    const std::int64_t now = clock_.now_unix_ms();

    // The second factor.
    if (tenant->require_mfa && !user->totp_enabled) {
      LoginResult result;
      result.status = LoginStatus::kMfaEnrolmentRequired;
      result.enrolment_ticket_expires_at_unix_ms = now + options_.enrolment_ticket_ttl.count();
      result.enrolment_ticket = seal_ticket(*user, tenant->id, result.enrolment_ticket_expires_at_unix_ms);
      audit_login(tenant_id, actor, actor, "pending", "mfa_enrolment_required", client);
      return result;
    }
    const bool has_totp = request.totp && !request.totp->empty();
    const bool has_recovery = request.recovery_code && !request.recovery_code->empty();
    std::optional<std::string> secret;
    if (user->totp_enabled) {
      if (!has_totp && !has_recovery) {
        LoginResult result;
        result.status = LoginStatus::kSecondFactorRequired;
        audit_login(tenant_id, actor, actor, "pending", "second_factor_required", client);
        return result;
      }
      if (has_totp) {
        auto opened = accounts_detail::open_totp_secret(secret_box_, *user);
        if (!opened) return tl::unexpected<Error>(opened.error());
        secret = std::move(*opened);
      }
    }

    std::optional<std::string> rehashed;
    if (hasher_.needs_rehash(user->password_hash)) {
      // Best effort: a busy hasher must not fail a login that already succeeded.
      if (auto hashed = hasher_.hash(request.password)) rehashed = std::move(*hashed);
    }

    const std::int64_t family_expires = now + options_.session_absolute_lifetime.count();
    NewSession created =
        make_session(user->id, tenant->id, security::generate_id(), family_expires, client, now);
    const char* failure = nullptr;
    database_.write([&](Transaction& tx) {
      if (user->totp_enabled) {
        const bool accepted = has_totp ? accounts_detail::accept_and_record_totp(tx, users_, *user, *secret,
                                                                                 *request.totp, clock_.now())
                                       : accounts_detail::consume_recovery_code(tx, recovery_codes_, user->id,
                                                                                *request.recovery_code, now);
        if (!accepted) {
          failure = has_totp ? "bad_totp" : "bad_recovery_code";
          audit_.append(tx, audit_entry(tenant_id, actor, "auth.login", actor, client,
                                        {{"outcome", "failure"}, {"reason", failure}}));
          return;
        }
      }
      if (rehashed) users_.update_password(tx, user->id, *rehashed, user->tokens_valid_after_unix_ms);
      sessions_.insert(tx, created.session);
      audit_.append(tx, audit_entry(tenant_id, actor, "auth.login", actor, client,
                                    {{"outcome", "success"},
                                     {"method", !user->totp_enabled ? "password"
                                                : has_totp          ? "password+totp"
                                                                    : "password+recovery_code"},
                                     {"session", created.session.family_id},
                                     {"user_agent", client.user_agent}}));
    });
    if (failure != nullptr) return unauthenticated(kInvalidSecondFactor, failure);

    rate_limiter_.reset(account_key);
    auto tokens = make_tokens(created, user->tokens_valid_after_unix_ms, now);
    if (!tokens) return tl::unexpected<Error>(tokens.error());
    LoginResult result;
    result.status = LoginStatus::kSignedIn;
    result.tokens = std::move(*tokens);
    return result;
  });
}

Result<TotpEnrolment> AuthService::begin_required_enrolment(std::string_view enrolment_ticket,
                                                            const ClientInfo& client) {
  return guarded([&]() -> Result<TotpEnrolment> {
    EnrolmentTicket ticket;
    auto user = ticket_user(enrolment_ticket, ticket);
    if (!user) return tl::unexpected<Error>(user.error());
    return accounts_detail::start_totp_enrolment(database_, users_, audit_, secret_box_, *user,
                                                 ticket.tenant_id, client, {{"via", "required_enrolment"}});
  });
}

Result<EnrolledLogin> AuthService::complete_required_enrolment(std::string_view enrolment_ticket,
                                                               std::string_view code,
                                                               const ClientInfo& client) {
  return guarded([&]() -> Result<EnrolledLogin> {
    EnrolmentTicket ticket;
    auto user = ticket_user(enrolment_ticket, ticket);
    if (!user) return tl::unexpected<Error>(user.error());
    if (user->totp_enabled) {
      return make_error(ErrorCode::kFailedPrecondition, "two-factor authentication is already enabled");
    }
    auto secret = accounts_detail::open_totp_secret(secret_box_, *user);
    if (!secret) return tl::unexpected<Error>(secret.error());
    const std::int64_t now = clock_.now_unix_ms();
    accounts_detail::RecoveryCodes codes = accounts_detail::make_recovery_codes();
    NewSession created = make_session(user->id, ticket.tenant_id, security::generate_id(),
                                      now + options_.session_absolute_lifetime.count(), client, now);
    const std::string actor = user_actor(user->id);
    bool accepted = false;
    database_.write([&](Transaction& tx) {
      accepted = accounts_detail::accept_and_record_totp(tx, users_, *user, *secret, code, clock_.now());
      if (!accepted) {
        audit_.append(tx, audit_entry(ticket.tenant_id, actor, "auth.login", actor, client,
                                      {{"outcome", "failure"}, {"reason", "bad_totp_enrolment"}}));
        return;
      }
      users_.set_totp(tx, user->id, *user->totp_secret_sealed, true);
      recovery_codes_.replace_all(tx, user->id, codes.hashes, now);
      sessions_.insert(tx, created.session);
      audit_.append(tx, audit_entry(ticket.tenant_id, actor, "totp.enabled", actor, client));
      audit_.append(tx, audit_entry(ticket.tenant_id, actor, "auth.login", actor, client,
                                    {{"outcome", "success"},
                                     {"method", "password+totp_enrolment"},
                                     {"session", created.session.family_id}}));
    });
    if (!accepted) return unauthenticated("invalid code");
    auto tokens = make_tokens(created, user->tokens_valid_after_unix_ms, now);
    if (!tokens) return tl::unexpected<Error>(tokens.error());
    return EnrolledLogin{std::move(*tokens), std::move(codes.codes)};
  });
}

Result<TokenPair> AuthService::refresh(std::string_view refresh_token, const ClientInfo& client) {
  return guarded([&]() -> Result<TokenPair> {
    if (refresh_token.empty() || refresh_token.size() > 256)
      return unauthenticated(kInvalidRefreshToken, "malformed");
    const std::string token_hash = security::hash_token(refresh_token);
    const std::int64_t now = clock_.now_unix_ms();
    std::string refused;  // the reason, for the log detail; empty on success
    std::optional<NewSession> created;
    std::int64_t tokens_valid_after = 0;
    database_.write([&](Transaction& tx) {
      const std::optional<Session> session = sessions_.find_by_token_hash(tx, token_hash);
      if (!session) {
        refused = "unknown";
        return;
      }
      if (session->used_at_unix_ms) {
        if (session->revoked_at_unix_ms) {
          refused = "used_and_revoked";
        } else if (now - *session->used_at_unix_ms < options_.refresh_reuse_grace.count()) {
          refused = "concurrent";
        } else {
          refused = "reused";
          sessions_.revoke_family(tx, session->tenant_id, session->family_id, now, "reuse");
          audit_.append(
              tx, audit_entry(session->tenant_id, user_actor(session->user_id), "refresh_token.reused",
                              "session:" + session->family_id, client, {{"user_agent", client.user_agent}}));
        }
        return;
      }
      if (!session->active_at(now)) {
        refused = "inactive";
        return;
      }
      const std::optional<User> user = users_.find_by_id(tx, session->user_id);
      if (!user || user->disabled) {
        refused = "user_disabled";
        return;
      }
      if (!memberships_.find(tx, session->tenant_id, session->user_id)) {
        refused = "not_a_member";
        return;
      }
      if (!sessions_.mark_used(tx, session->tenant_id, session->id, now)) {
        refused = "concurrent";
        return;
      }
      created = make_session(session->user_id, session->tenant_id, session->family_id,
                             session->family_expires_at_unix_ms, client, now);
      sessions_.insert(tx, created->session);
      tokens_valid_after = user->tokens_valid_after_unix_ms;
    });
    if (!created) return unauthenticated(kInvalidRefreshToken, refused);
    return make_tokens(*created, tokens_valid_after, now);
  });
}

Result<void> AuthService::logout(std::string_view refresh_token, const ClientInfo& client) {
  return guarded([&]() -> Result<void> {
    if (refresh_token.empty() || refresh_token.size() > 256) return {};
    const std::string token_hash = security::hash_token(refresh_token);
    const std::int64_t now = clock_.now_unix_ms();
    database_.write([&](Transaction& tx) {
      const std::optional<Session> session = sessions_.find_by_token_hash(tx, token_hash);
      if (!session) return;
      if (sessions_.revoke_family(tx, session->tenant_id, session->family_id, now, "logout") > 0) {
        audit_.append(tx, audit_entry(session->tenant_id, user_actor(session->user_id), "auth.logout",
                                      "session:" + session->family_id, client));
      }
    });
    return {};
  });
}

Result<std::int64_t> AuthService::logout_everywhere(const Principal& principal, const ClientInfo& client) {
  return guarded([&]() -> Result<std::int64_t> {
    if (auto allowed = accounts_detail::require_user(principal); !allowed)
      return tl::unexpected(allowed.error());
    const std::int64_t now = clock_.now_unix_ms();
    return database_.write([&](Transaction& tx) -> std::int64_t {
      const std::optional<User> user = users_.find_by_id(tx, principal.user_id);
      if (!user) throw AppError(ErrorCode::kUnauthenticated, "invalid access token");
      // Re-use set_disabled with the unchanged flag: it is the port's way to move the cutoff alone.
      users_.set_disabled(tx, user->id, user->disabled, now);
      const std::int64_t revoked =
          sessions_.revoke_all_for_user(tx, user->id, now, "logout_everywhere", std::nullopt);
      audit_.append(tx, audit_entry(principal.tenant_id, user_actor(user->id), "auth.logout_everywhere",
                                    user_actor(user->id), client, {{"revoked", std::to_string(revoked)}}));
      return revoked;
    });
  });
}

Result<std::vector<SessionInfo>> AuthService::list_sessions(
    const Principal& principal, std::optional<std::string_view> current_refresh_token) {
  return guarded([&]() -> Result<std::vector<SessionInfo>> {
    if (auto allowed = accounts_detail::require_user(principal); !allowed)
      return tl::unexpected(allowed.error());
    const std::int64_t now = clock_.now_unix_ms();
    const std::optional<std::string> current_hash =
        current_refresh_token ? std::optional(security::hash_token(*current_refresh_token)) : std::nullopt;
    const std::vector<Session> sessions = database_.read(
        [&](Transaction& tx) { return sessions_.list_active_for_user(tx, principal.user_id, now); });
    std::vector<SessionInfo> result;
    for (const Session& session : sessions) {
      SessionInfo info;
      info.session_id = session.family_id;
      info.tenant_id = session.tenant_id;
      info.created_at_unix_ms =
          session.family_expires_at_unix_ms - options_.session_absolute_lifetime.count();
      info.last_used_at_unix_ms = session.created_at_unix_ms;
      info.expires_at_unix_ms = session.expires_at_unix_ms;
      info.ip = session.ip;
      info.user_agent = session.user_agent;
      // The refresh token names the current session; without one (the dashboard's cookies do not
      // reach this route), the access token's sign-in does.
      info.current = current_hash
                         ? *current_hash == session.token_hash
                         : !principal.session_id.empty() && principal.session_id == session.family_id;
      result.push_back(std::move(info));
    }
    return result;
  });
}

Result<void> AuthService::revoke_session(const Principal& principal, std::string_view session_id,
                                         const ClientInfo& client) {
  return guarded([&]() -> Result<void> {
    if (auto allowed = accounts_detail::require_user(principal); !allowed)
      return tl::unexpected(allowed.error());
    const std::int64_t now = clock_.now_unix_ms();
    const bool revoked = database_.write([&](Transaction& tx) {
      // Only the user's own live sessions are candidates, so another user's id is simply not found.
      for (const Session& session : sessions_.list_active_for_user(tx, principal.user_id, now)) {
        if (session.family_id != session_id) continue;
        sessions_.revoke_family(tx, session.tenant_id, session.family_id, now, "revoked_by_user");
        audit_.append(tx, audit_entry(session.tenant_id, user_actor(principal.user_id), "session.revoked",
                                      "session:" + session.family_id, client));
        return true;
      }
      return false;
    });
    if (!revoked) return make_error(ErrorCode::kNotFound, "session not found");
    return {};
  });
}

Result<TokenPair> AuthService::change_password(const Principal& principal, std::string_view current_password,
                                               std::string_view new_password,
                                               std::optional<std::string_view> current_refresh_token,
                                               const ClientInfo& client) {
  return guarded([&]() -> Result<TokenPair> {
    if (auto allowed = accounts_detail::require_user(principal); !allowed)
      return tl::unexpected(allowed.error());
    std::optional<User> user =
        database_.read([&](Transaction& tx) { return users_.find_by_id(tx, principal.user_id); });
    if (!user || user->disabled) return unauthenticated("invalid access token");
    const std::string account_key = accounts_detail::account_rate_key(user->email);
    if (auto allowed = accounts_detail::take_rate(rate_limiter_, account_key, options_.login_per_account);
        !allowed) {
      return tl::unexpected<Error>(allowed.error());
    }
    auto matches = accounts_detail::check_password(hasher_, *user, current_password);
    if (!matches) return tl::unexpected<Error>(matches.error());
    const std::string actor = user_actor(user->id);
    if (!*matches) {
      audit_.append(audit_entry(principal.tenant_id, actor, "password.change_failed", actor, client,
                                {{"reason", "bad_password"}}));
      return unauthenticated("current password is wrong");
    }
    auto hashed = accounts_detail::hash_new_password(hasher_, options_, new_password, user->email);
    if (!hashed) return tl::unexpected<Error>(hashed.error());
    const std::int64_t now = clock_.now_unix_ms();
    std::optional<std::string> keep_family;
    database_.write([&](Transaction& tx) {
      if (current_refresh_token) {
        const std::optional<Session> current =
            sessions_.find_by_token_hash(tx, security::hash_token(*current_refresh_token));
        if (current && current->user_id == user->id && current->active_at(now))
          keep_family = current->family_id;
      } else if (!principal.session_id.empty()) {
        keep_family = principal.session_id;  // signed by us: the caller's own sign-in
      }
      users_.update_password(tx, user->id, *hashed, now);
      const std::int64_t revoked =
          sessions_.revoke_all_for_user(tx, user->id, now, "password_changed", keep_family);
      audit_.append(tx, audit_entry(principal.tenant_id, actor, "password.changed", actor, client,
                                    {{"sessions_revoked", std::to_string(revoked)}}));
    });
    rate_limiter_.reset(account_key);
    auto access = issuer_.issue(user->id, principal.tenant_id, accounts_detail::issue_time(now, now),
                                keep_family.value_or(""));
    if (!access) return tl::unexpected<Error>(access.error());
    TokenPair pair;
    pair.access_token = std::move(access->token);
    pair.expires_in = access->expires_in;
    pair.session_id = keep_family.value_or("");
    pair.user_id = user->id;
    pair.tenant_id = principal.tenant_id;
    return pair;
  });
}

}  // namespace personae

#include "services/accounts/second_factor_service.hpp"

#include "security/encoding.hpp"
#include "security/totp.hpp"
#include "services/accounts/account_support.hpp"

namespace personae {
namespace {

using accounts_detail::audit_entry;
using accounts_detail::guarded;
using accounts_detail::user_actor;

}  // namespace

SecondFactorService::SecondFactorService(Database& database, TenantRepository& tenants, UserRepository& users,
                                         RecoveryCodeRepository& recovery_codes, AuditLogService& audit,
                                         security::PasswordHasher& hasher,
                                         const security::SecretBox& secret_box, RateLimiter& rate_limiter,
                                         const Clock& clock, AccountsOptions options)
    : database_(database),
      tenants_(tenants),
      users_(users),
      recovery_codes_(recovery_codes),
      audit_(audit),
      hasher_(hasher),
      secret_box_(secret_box),
      rate_limiter_(rate_limiter),
      clock_(clock),
      options_(options) {}

namespace {

/// Loads the principal's user and re-authenticates it with `password` (ASVS 7.5.1).
Result<User> reauthenticate(Database& database, UserRepository& users, security::PasswordHasher& hasher,
                            RateLimiter& limiter, const AccountsOptions& options, AuditLogService& audit,
                            const Principal& principal, std::string_view password, const ClientInfo& client) {
  if (auto allowed = accounts_detail::require_user(principal); !allowed)
    return tl::unexpected(allowed.error());
  const std::optional<User> user =
      database.read([&](Transaction& tx) { return users.find_by_id(tx, principal.user_id); });
  if (!user || user->disabled) return make_error(ErrorCode::kUnauthenticated, "invalid access token");
  const std::string key = accounts_detail::account_rate_key(user->email);
  if (auto allowed = accounts_detail::take_rate(limiter, key, options.login_per_account); !allowed) {
    return tl::unexpected<Error>(allowed.error());
  }
  auto matches = accounts_detail::check_password(hasher, *user, password);
  if (!matches) return tl::unexpected<Error>(matches.error());
  if (!*matches) {
    audit.append(audit_entry(principal.tenant_id, user_actor(user->id), "auth.reauthentication_failed",
                             user_actor(user->id), client));
    return make_error(ErrorCode::kUnauthenticated, "password is wrong");
  }
  limiter.reset(key);
  return *user;
}

}  // namespace

Result<TotpEnrolment> SecondFactorService::begin_enrolment(const Principal& principal,
                                                           std::string_view password,
                                                           const ClientInfo& client) {
  return guarded([&]() -> Result<TotpEnrolment> {
    auto user = reauthenticate(database_, users_, hasher_, rate_limiter_, options_, audit_, principal,
                               password, client);
    if (!user) return tl::unexpected<Error>(user.error());
    return accounts_detail::start_totp_enrolment(database_, users_, audit_, secret_box_, *user,
                                                 principal.tenant_id, client);
  });
}

Result<std::vector<std::string>> SecondFactorService::confirm_enrolment(const Principal& principal,
                                                                        std::string_view code,
                                                                        const ClientInfo& client) {
  return guarded([&]() -> Result<std::vector<std::string>> {
    if (auto allowed = accounts_detail::require_user(principal); !allowed)
      return tl::unexpected(allowed.error());
    const std::optional<User> user =
        database_.read([&](Transaction& tx) { return users_.find_by_id(tx, principal.user_id); });
    if (!user || user->disabled) return make_error(ErrorCode::kUnauthenticated, "invalid access token");
    if (user->totp_enabled) {
      return make_error(ErrorCode::kFailedPrecondition, "two-factor authentication is already enabled");
    }
    auto secret = accounts_detail::open_totp_secret(secret_box_, *user);
    if (!secret) return tl::unexpected<Error>(secret.error());
    accounts_detail::RecoveryCodes codes = accounts_detail::make_recovery_codes();
    const std::int64_t now = clock_.now_unix_ms();
    bool accepted = false;
    database_.write([&](Transaction& tx) {
      accepted = accounts_detail::accept_and_record_totp(tx, users_, *user, *secret, code, clock_.now());
      if (!accepted) return;
      users_.set_totp(tx, user->id, *user->totp_secret_sealed, true);
      recovery_codes_.replace_all(tx, user->id, codes.hashes, now);
      audit_.append(tx, audit_entry(principal.tenant_id, user_actor(user->id), "totp.enabled",
                                    user_actor(user->id), client));
    });
    if (!accepted) return make_error(ErrorCode::kUnauthenticated, "invalid code");
    return std::move(codes.codes);
  });
}

Result<void> SecondFactorService::disable(const Principal& principal, std::string_view password,
                                          std::string_view code, const ClientInfo& client) {
  return guarded([&]() -> Result<void> {
    auto user = reauthenticate(database_, users_, hasher_, rate_limiter_, options_, audit_, principal,
                               password, client);
    if (!user) return tl::unexpected<Error>(user.error());
    if (!user->totp_enabled)
      return make_error(ErrorCode::kFailedPrecondition, "two-factor authentication is not enabled");
    bool required = false;
    database_.read([&](Transaction& tx) {
      for (const Tenant& tenant : tenants_.list_for_user(tx, user->id))
        required = required || tenant.require_mfa;
    });
    if (required) {
      return make_error(ErrorCode::kFailedPrecondition,
                        "a tenant of this account requires two-factor authentication");
    }
    auto secret = accounts_detail::open_totp_secret(secret_box_, *user);
    if (!secret) return tl::unexpected<Error>(secret.error());
    const std::int64_t now = clock_.now_unix_ms();
    bool accepted = false;
    database_.write([&](Transaction& tx) {
      accepted = accounts_detail::accept_and_record_totp(tx, users_, *user, *secret, code, clock_.now()) ||
                 accounts_detail::consume_recovery_code(tx, recovery_codes_, user->id, code, now);
      if (!accepted) return;
      users_.clear_totp(tx, user->id);
      recovery_codes_.replace_all(tx, user->id, {}, now);
      audit_.append(tx, audit_entry(principal.tenant_id, user_actor(user->id), "totp.disabled",
                                    user_actor(user->id), client));
    });
    if (!accepted) return make_error(ErrorCode::kUnauthenticated, "invalid code");
    return {};
  });
}

Result<std::vector<std::string>> SecondFactorService::regenerate_recovery_codes(const Principal& principal,
                                                                                std::string_view password,
                                                                                const ClientInfo& client) {
  return guarded([&]() -> Result<std::vector<std::string>> {
    auto user = reauthenticate(database_, users_, hasher_, rate_limiter_, options_, audit_, principal,
                               password, client);
    if (!user) return tl::unexpected<Error>(user.error());
    if (!user->totp_enabled)
      return make_error(ErrorCode::kFailedPrecondition, "two-factor authentication is not enabled");
    accounts_detail::RecoveryCodes codes = accounts_detail::make_recovery_codes();
    database_.write([&](Transaction& tx) {
      recovery_codes_.replace_all(tx, user->id, codes.hashes, clock_.now_unix_ms());
      audit_.append(tx, audit_entry(principal.tenant_id, user_actor(user->id),
                                    "totp.recovery_codes_regenerated", user_actor(user->id), client));
    });
    return std::move(codes.codes);
  });
}

Result<std::int64_t> SecondFactorService::recovery_codes_remaining(const Principal& principal) {
  return guarded([&]() -> Result<std::int64_t> {
    if (auto allowed = accounts_detail::require_user(principal); !allowed)
      return tl::unexpected(allowed.error());
    return database_.read(
        [&](Transaction& tx) { return recovery_codes_.count_remaining(tx, principal.user_id); });
  });
}

Result<void> SecondFactorService::set_tenant_require_mfa(const Principal& principal, bool require_mfa,
                                                         std::string_view password,
                                                         const ClientInfo& client) {
  return guarded([&]() -> Result<void> {
    if (auto allowed = accounts_detail::require(principal, Action::kTenantManageSecurity); !allowed) {
      return tl::unexpected(allowed.error());
    }
    auto user = reauthenticate(database_, users_, hasher_, rate_limiter_, options_, audit_, principal,
                               password, client);
    if (!user) return tl::unexpected<Error>(user.error());
    database_.write([&](Transaction& tx) {
      tenants_.set_require_mfa(tx, principal.tenant_id, require_mfa);
      audit_.append(tx, audit_entry(principal.tenant_id, user_actor(user->id), "tenant.require_mfa_changed",
                                    "tenant:" + principal.tenant_id, client,
                                    {{"require_mfa", require_mfa ? "true" : "false"}}));
    });
    return {};
  });
}

}  // namespace personae

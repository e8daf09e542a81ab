#include "services/accounts/setup_service.hpp"

#include "domain/accounts/email_address.hpp"
#include "security/tokens.hpp"
#include "services/accounts/account_support.hpp"

namespace personae {
namespace {

using accounts_detail::guarded;

constexpr std::string_view kInvalidSetupLink = "invalid or expired setup link";

}  // namespace

SetupService::SetupService(Database& database, TenantRepository& tenants, UserRepository& users,
                           MembershipRepository& memberships, SessionRepository& sessions,
                           SetupTokenRepository& setup_tokens, AuditLogService& audit,
                           security::PasswordHasher& hasher, const Clock& clock, AccountsOptions options)
    : database_(database),
      tenants_(tenants),
      users_(users),
      memberships_(memberships),
      sessions_(sessions),
      setup_tokens_(setup_tokens),
      audit_(audit),
      hasher_(hasher),
      clock_(clock),
      options_(options) {}

Result<bool> SetupService::setup_required() {
  return guarded([&]() -> Result<bool> {
    return database_.read([&](Transaction& tx) { return users_.count(tx) == 0; });
  });
}

Result<std::string> SetupService::issue_setup_token() {
  return guarded([&]() -> Result<std::string> {
    const std::string token = security::generate_token();
    const std::int64_t now = clock_.now_unix_ms();
    const bool issued = database_.write([&](Transaction& tx) {
      if (users_.count(tx) != 0) return false;
      setup_tokens_.insert(tx, SetupToken{security::hash_token(token), now,
                                          now + options_.setup_token_ttl.count(), std::nullopt});
      audit_.append(tx, NewAuditEntry{std::nullopt, "system", "setup.token_issued", "setup",
                                      accounts_detail::json_details({})});
      return true;
    });
    if (!issued) return make_error(ErrorCode::kFailedPrecondition, "setup already done");
    return token;
  });
}

Result<CreatedAccount> SetupService::complete_setup(std::string_view token, std::string_view tenant_name,
                                                    std::string_view email, std::string_view password,
                                                    std::string_view display_name) {
  return guarded([&]() -> Result<CreatedAccount> {
    if (token.empty() || token.size() > 256)
      return make_error(ErrorCode::kUnauthenticated, std::string(kInvalidSetupLink));
    const std::string token_hash = security::hash_token(token);
    // Check the link before spending a hash on it.
    const std::int64_t checked_at = clock_.now_unix_ms();
    const bool valid = database_.read(
        [&](Transaction& tx) { return setup_tokens_.find_valid(tx, token_hash, checked_at).has_value(); });
    if (!valid) return make_error(ErrorCode::kUnauthenticated, std::string(kInvalidSetupLink));
    auto name = parse_tenant_name(tenant_name);
    if (!name) return tl::unexpected<Error>(name.error());
    auto address = parse_email(email);
    if (!address) return tl::unexpected<Error>(address.error());
    auto display = accounts_detail::parse_display_name(display_name);
    if (!display) return tl::unexpected<Error>(display.error());
    auto hashed = accounts_detail::hash_new_password(hasher_, options_, password, *address);
    if (!hashed) return tl::unexpected<Error>(hashed.error());

    const std::int64_t now = clock_.now_unix_ms();
    CreatedAccount created;
    created.tenant = Tenant{security::generate_id(), *name, false, now};
    created.user.id = security::generate_id();
    created.user.email = *address;
    created.user.display_name = *display;
    created.user.password_hash = *hashed;
    created.user.created_at_unix_ms = now;
    created.membership = Membership{created.tenant.id, created.user.id, Role::kOwner, {}, now};
    enum class Outcome { kDone, kBadToken, kAlreadySetUp } outcome = Outcome::kDone;
    database_.write([&](Transaction& tx) {
      if (users_.count(tx) != 0) {
        outcome = Outcome::kAlreadySetUp;
        return;
      }
      if (!setup_tokens_.mark_used(tx, token_hash, now)) {
        outcome = Outcome::kBadToken;
        return;
      }
      tenants_.create(tx, created.tenant);
      users_.create(tx, created.user);
      memberships_.add(tx, created.membership);
      const NewAuditEntry entry{std::nullopt, "setup", "setup.completed", "tenant:" + created.tenant.id,
                                accounts_detail::json_details({{"owner", created.user.id}})};
      audit_.append(tx, entry);
      NewAuditEntry tenant_entry = entry;
      tenant_entry.tenant_id = created.tenant.id;
      audit_.append(tx, tenant_entry);
    });
    if (outcome == Outcome::kAlreadySetUp)
      return make_error(ErrorCode::kFailedPrecondition, "setup already done");
    if (outcome == Outcome::kBadToken)
      return make_error(ErrorCode::kUnauthenticated, std::string(kInvalidSetupLink));
    return created;
  });
}

Result<Tenant> SetupService::create_tenant(std::string_view name) {
  return guarded([&]() -> Result<Tenant> {
    auto parsed = parse_tenant_name(name);
    if (!parsed) return tl::unexpected<Error>(parsed.error());
    Tenant tenant{security::generate_id(), *parsed, false, clock_.now_unix_ms()};
    database_.write([&](Transaction& tx) {
      if (tenants_.find_by_name(tx, tenant.name))
        throw AppError(ErrorCode::kConflict, "tenant name is taken");
      tenants_.create(tx, tenant);
      audit_.append(tx, NewAuditEntry{tenant.id, "cli", "tenant.created", "tenant:" + tenant.id,
                                      accounts_detail::json_details({})});
    });
    return tenant;
  });
}

Result<std::vector<Tenant>> SetupService::list_tenants() {
  return guarded([&]() -> Result<std::vector<Tenant>> {
    return database_.read([&](Transaction& tx) { return tenants_.list_all(tx); });
  });
}

Result<CreatedAccount> SetupService::create_user(std::string_view tenant_name, std::string_view email,
                                                 Role role, std::string_view password,
                                                 std::string_view display_name) {
  return guarded([&]() -> Result<CreatedAccount> {
    auto address = parse_email(email);
    if (!address) return tl::unexpected<Error>(address.error());
    auto display = accounts_detail::parse_display_name(display_name);
    if (!display) return tl::unexpected<Error>(display.error());
    std::optional<Tenant> tenant;
    std::optional<User> existing;
    database_.read([&](Transaction& tx) {
      tenant = tenants_.find_by_name(tx, std::string(tenant_name));
      existing = users_.find_by_email(tx, *address);
    });
    if (!tenant) return make_error(ErrorCode::kNotFound, "tenant not found");
    std::optional<std::string> hashed;
    if (!existing) {
      auto hash = accounts_detail::hash_new_password(hasher_, options_, password, *address);
      if (!hash) return tl::unexpected<Error>(hash.error());
      hashed = std::move(*hash);
    }
    const std::int64_t now = clock_.now_unix_ms();
    CreatedAccount created;
    created.tenant = *tenant;
    if (existing) {
      created.user = *existing;
    } else {
      created.user.id = security::generate_id();
      created.user.email = *address;
      created.user.display_name = *display;
      created.user.password_hash = *hashed;
      created.user.created_at_unix_ms = now;
    }
    created.membership = Membership{tenant->id, created.user.id, role, {}, now};
    database_.write([&](Transaction& tx) {
      if (!existing) users_.create(tx, created.user);
      if (memberships_.find(tx, tenant->id, created.user.id)) {
        throw AppError(ErrorCode::kConflict, "the user is already a member of the tenant");
      }
      memberships_.add(tx, created.membership);
      audit_.append(
          tx, NewAuditEntry{tenant->id, "cli", "member.added", "user:" + created.user.id,
                            accounts_detail::json_details(
                                {{"role", to_string(role)}, {"user_created", existing ? "false" : "true"}})});
    });
    return created;
  });
}

Result<void> SetupService::set_user_disabled(std::string_view email, bool disabled) {
  return guarded([&]() -> Result<void> {
    const std::string address = normalize_email(email);
    const std::int64_t now = clock_.now_unix_ms();
    const bool found = database_.write([&](Transaction& tx) {
      const std::optional<User> user = users_.find_by_email(tx, address);
      if (!user) return false;
      users_.set_disabled(tx, user->id, disabled, disabled ? now : user->tokens_valid_after_unix_ms);
      if (disabled) sessions_.revoke_all_for_user(tx, user->id, now, "disabled", std::nullopt);
      audit_.append(tx, NewAuditEntry{std::nullopt, "cli", disabled ? "user.disabled" : "user.enabled",
                                      "user:" + user->id, accounts_detail::json_details({})});
      return true;
    });
    if (!found) return make_error(ErrorCode::kNotFound, "user not found");
    return {};
  });
}

}  // namespace personae

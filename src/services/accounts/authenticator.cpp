#include "services/accounts/authenticator.hpp"

#include "core/crypto.hpp"
#include "security/tokens.hpp"
#include "services/accounts/account_support.hpp"

namespace personae {
namespace {

constexpr std::string_view kInvalidAccessToken = "invalid access token";
constexpr std::string_view kInvalidApiKey = "invalid API key";

tl::unexpected<Error> refuse(std::string_view message, std::string reason) {
  return make_error(ErrorCode::kUnauthenticated, std::string(message), std::move(reason));
}

}  // namespace

Authenticator::Authenticator(Database& database, UserRepository& users, MembershipRepository& memberships,
                             ApiKeyRepository& api_keys, const security::JwtVerifier& verifier,
                             const Clock& clock, AccountsOptions options)
    : database_(database),
      users_(users),
      memberships_(memberships),
      api_keys_(api_keys),
      verifier_(verifier),
      clock_(clock),
      options_(options) {}

Result<Principal> Authenticator::authenticate_access_token(std::string_view token) {
  return accounts_detail::guarded([&]() -> Result<Principal> {
    auto claims = verifier_.verify(token, clock_.now());
    if (!claims) return tl::unexpected<Error>(claims.error());
    std::optional<User> user;
    std::optional<Membership> membership;
    database_.read([&](Transaction& tx) {
      user = users_.find_by_id(tx, claims->user_id);
      if (user && !user->disabled) membership = memberships_.find(tx, claims->tenant_id, claims->user_id);
    });
    if (!user) return refuse(kInvalidAccessToken, "unknown user");
    if (user->disabled) return refuse(kInvalidAccessToken, "user disabled");
    if (accounts_detail::issued_before_cutoff(claims->issued_at, user->tokens_valid_after_unix_ms)) {
      return refuse(kInvalidAccessToken, "issued before tokens_valid_after");
    }
    if (!membership) return refuse(kInvalidAccessToken, "not a member of the tenant");
    Principal principal;
    principal.kind = Principal::Kind::kUser;
    principal.user_id = user->id;
    principal.tenant_id = membership->tenant_id;
    principal.role = membership->role;
    principal.scopes = membership->scopes;
    principal.session_id = claims->session_id;
    return principal;
  });
}

Result<Principal> Authenticator::authenticate_api_key(std::string_view key) {
  return accounts_detail::guarded([&]() -> Result<Principal> {
    const std::optional<security::ApiKey> parsed = security::parse_api_key(key);
    if (!parsed) return refuse(kInvalidApiKey, "malformed");
    const std::int64_t now = clock_.now_unix_ms();
    std::optional<ApiKey> stored;
    std::optional<User> creator;
    std::optional<Membership> membership;
    database_.read([&](Transaction& tx) {
      stored = api_keys_.find_by_prefix(tx, parsed->prefix);
      if (!stored) return;
      creator = users_.find_by_id(tx, stored->created_by);
      membership = memberships_.find(tx, stored->tenant_id, stored->created_by);
    });
    // Hash and compare even for an unknown prefix, so timing says nothing about which exist.
    const std::string presented_hash = security::hash_token(parsed->secret);
    const bool secret_ok =
        constant_time_equals(presented_hash, stored ? stored->secret_hash : std::string(64, '0'));
    if (!stored) return refuse(kInvalidApiKey, "unknown prefix");
    if (!secret_ok) return refuse(kInvalidApiKey, "wrong secret");
    if (stored->revoked_at_unix_ms) return refuse(kInvalidApiKey, "revoked");
    if (!stored->usable_at(now)) return refuse(kInvalidApiKey, "expired");
    if (!creator || creator->disabled) return refuse(kInvalidApiKey, "creator disabled");
    if (!membership) return refuse(kInvalidApiKey, "creator no longer a member");

    if (!stored->last_used_at_unix_ms ||
        now - *stored->last_used_at_unix_ms >= options_.api_key_touch_interval.count()) {
      database_.write(
          [&](Transaction& tx) { api_keys_.touch_last_used(tx, stored->tenant_id, stored->id, now); });
    }

    Principal principal;
    principal.kind = Principal::Kind::kApiKey;
    principal.user_id = stored->created_by;
    principal.tenant_id = stored->tenant_id;
    principal.role = membership->role;
    principal.scopes = membership->scopes;
    principal.api_key_id = stored->id;
    for (const std::string& scope : stored->scopes) {
      if (const std::optional<Action> action = parse_action(scope))
        principal.api_key_actions.push_back(*action);
    }
    return principal;
  });
}

Result<void> check_tenant_api_rate(RateLimiter& limiter, const AccountsOptions& options,
                                   const Principal& principal) {
  return accounts_detail::take_rate(limiter, "api:tenant:" + principal.tenant_id, options.api_per_tenant);
}

}  // namespace personae

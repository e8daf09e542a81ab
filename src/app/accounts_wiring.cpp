#include "app/accounts_wiring.hpp"

#include "adapters/ratelimit/memory_rate_limiter.hpp"
#include "adapters/ratelimit/redis_rate_limiter.hpp"
#include "core/error.hpp"

namespace personae {
namespace {

template <class T>
T value_or_config_error(Result<T> result, const std::string& key) {
  if (!result) throw ConfigError(key + ": " + result.error().message);
  return std::move(*result);
}

std::shared_ptr<const security::JwtKeySet> load_signing_keys(const AuthConfig& auth) {
  auto loaded = security::JwtKeySet::load_directory(auth.jwt_keys_dir, auth.jwt_active_kid);
  if (!loaded && loaded.error().code == ErrorCode::kNotFound) {
    value_or_config_error(security::JwtKeySet::generate_key_file(auth.jwt_keys_dir), "auth.jwt_keys_dir");
    loaded = security::JwtKeySet::load_directory(auth.jwt_keys_dir, auth.jwt_active_kid);
  }
  return std::make_shared<const security::JwtKeySet>(
      value_or_config_error(std::move(loaded), "auth.jwt_keys_dir"));
}

std::unique_ptr<RateLimiter> make_rate_limiter(const Config& config, const MonotonicClock& clock,
                                               observability::MetricsRegistry* metrics) {
  if (config.redis.url.empty()) return std::make_unique<MemoryRateLimiter>(clock);
  RedisRateLimiterOptions options;
  options.url = config.redis.url.reveal();
  try {
    return std::make_unique<RedisRateLimiter>(std::move(options), clock, metrics);
  } catch (const ConfigError& error) {
    throw ConfigError(std::string("redis.url: ") + error.what());
  }
}

}  // namespace

std::unique_ptr<Accounts> build_accounts(const Config& config, Storage& storage, const Clock& clock,
                                         observability::MetricsRegistry* metrics) {
  auto accounts = std::make_unique<Accounts>();
  Accounts& a = *accounts;
  a.options.refresh_idle_ttl = config.auth.refresh_ttl;
  a.options.session_absolute_lifetime = config.auth.session_lifetime;
  a.options.setup_token_ttl = config.auth.setup_token_ttl;
  a.options.login_per_ip = {static_cast<double>(config.auth.login_burst_per_ip),
                            config.auth.login_per_ip_per_minute / 60.0};
  a.options.login_per_account = {static_cast<double>(config.auth.login_burst_per_account),
                                 config.auth.login_per_account_per_hour / 3600.0};
  a.options.api_per_tenant = {static_cast<double>(config.auth.api_burst_per_tenant),
                              static_cast<double>(config.auth.api_per_tenant_per_second)};

  security::PasswordHasherOptions hashing;
  hashing.memlimit_bytes = config.auth.argon2_memory;
  hashing.opslimit = static_cast<unsigned long long>(config.auth.argon2_passes);
  hashing.max_concurrent_hashes = static_cast<std::size_t>(config.auth.max_concurrent_hashes);
  hashing.max_waiting = static_cast<std::size_t>(config.auth.max_waiting_hashes);
  a.hasher = std::make_unique<security::PasswordHasher>(hashing);

  security::JwtOptions jwt;
  jwt.issuer = config.auth.issuer;
  jwt.audience = config.auth.audience;
  jwt.access_ttl = std::chrono::duration_cast<std::chrono::seconds>(config.auth.access_ttl);
  jwt.leeway = std::chrono::duration_cast<std::chrono::seconds>(config.auth.jwt_leeway);
  a.keys = load_signing_keys(config.auth);
  a.issuer = std::make_unique<security::JwtIssuer>(a.keys, jwt);
  a.verifier = std::make_unique<security::JwtVerifier>(a.keys, jwt);

  auto master_key = value_or_config_error(security::load_or_create_master_key(config.secrets.master_key_file),
                                          "secrets.master_key_file");
  a.secret_box = std::make_unique<security::SecretBox>(
      std::map<std::uint32_t, security::SecretBox::Key>{{1, master_key}}, 1);
  a.rate_limiter = make_rate_limiter(config, a.monotonic_clock, metrics);

  Database& db = *storage.database;
  AuditLogService& audit = *storage.audit;
  a.setup = std::make_unique<SetupService>(db, a.tenants, a.users, a.memberships, a.sessions, a.setup_tokens,
                                           audit, *a.hasher, clock, a.options);
  a.auth = std::make_unique<AuthService>(db, a.tenants, a.users, a.memberships, a.sessions, a.recovery_codes,
                                         audit, *a.hasher, *a.issuer, *a.secret_box, *a.rate_limiter, clock,
                                         a.options);
  a.authenticator =
      std::make_unique<Authenticator>(db, a.users, a.memberships, a.api_keys, *a.verifier, clock, a.options);
  a.second_factor =
      std::make_unique<SecondFactorService>(db, a.tenants, a.users, a.recovery_codes, audit, *a.hasher,
                                            *a.secret_box, *a.rate_limiter, clock, a.options);
  a.team = std::make_unique<TeamService>(db, a.tenants, a.users, a.memberships, a.sessions, a.invitations,
                                         a.api_keys, audit, *a.hasher, clock, a.options);
  return accounts;
}

}  // namespace personae

#include "services/accounts/account_support.hpp"

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "domain/accounts/text.hpp"
#include "security/encoding.hpp"
#include "security/password_policy.hpp"
#include "security/tokens.hpp"
#include "security/totp.hpp"

namespace personae::accounts_detail {

std::string ip_rate_key(std::string_view ip) {
  return "login:ip:" + std::string(ip);
}

std::string account_rate_key(std::string_view normalized_email) {
  return "login:account:" + sha256_hex(normalized_email);
}

Result<void> take_rate(RateLimiter& limiter, std::string_view key, const RateLimit& limit) {
  const RateDecision decision = limiter.acquire(key, limit);
  if (!decision.allowed) return tl::unexpected<Error>(rate_limited_error(decision.retry_after));
  return {};
}

std::chrono::system_clock::time_point issue_time(std::int64_t now_unix_ms,
                                                 std::int64_t tokens_valid_after_unix_ms) {
  // The first whole second strictly after the cutoff: iat * 1000 > tokens_valid_after.
  const std::int64_t next_second_ms = (tokens_valid_after_unix_ms / 1000 + 1) * 1000;
  const std::int64_t at =
      tokens_valid_after_unix_ms > 0 ? std::max(now_unix_ms, next_second_ms) : now_unix_ms;
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(at));
}

bool issued_before_cutoff(std::chrono::system_clock::time_point iat,
                          std::int64_t tokens_valid_after_unix_ms) {
  const std::int64_t iat_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(iat.time_since_epoch()).count();
  // iat is floor(issue time): a token of the cutoff's own second may predate it, so it is refused.
  return tokens_valid_after_unix_ms > 0 && iat_seconds * 1000 <= tokens_valid_after_unix_ms;
}

std::string totp_aad(std::string_view user_id) {
  return "user:" + std::string(user_id) + ":totp";
}

Result<TotpEnrolment> start_totp_enrolment(
    Database& database, UserRepository& users, AuditLogService& audit, const security::SecretBox& box,
    const User& user, const std::string& tenant_id, const ClientInfo& client,
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  if (user.totp_enabled) {
    return make_error(ErrorCode::kFailedPrecondition, "two-factor authentication is already enabled");
  }
  const std::string secret = security::generate_totp_secret();
  database.write([&](Transaction& tx) {
    users.set_totp(tx, user.id, box.seal(secret, totp_aad(user.id)), false);
    audit.append(tx, audit_entry(tenant_id, user_actor(user.id), "totp.enrolment_started",
                                 user_actor(user.id), client, fields));
  });
  return TotpEnrolment{security::totp_uri(user.email, secret), security::base32_encode(secret)};
}

Result<std::string> open_totp_secret(const security::SecretBox& box, const User& user) {
  if (!user.totp_secret_sealed) {
    return make_error(ErrorCode::kFailedPrecondition, "no two-factor enrolment is pending");
  }
  return box.open(*user.totp_secret_sealed, totp_aad(user.id));
}

bool accept_and_record_totp(Transaction& tx, UserRepository& users, const User& user, std::string_view secret,
                            std::string_view code, std::chrono::system_clock::time_point now) {
  const std::optional<std::int64_t> step = security::accept_totp(secret, code, now, user.totp_last_step);
  if (!step) return false;
  // The atomic compare-and-set is what stops two concurrent uses of one code.
  return users.advance_totp_step(tx, user.id, *step);
}

bool consume_recovery_code(Transaction& tx, RecoveryCodeRepository& codes, const std::string& user_id,
                           std::string_view code, std::int64_t now_unix_ms) {
  const std::optional<std::string> canonical = security::normalize_recovery_code(code);
  if (!canonical) return false;
  return codes.consume(tx, user_id, security::hash_token(*canonical), now_unix_ms);
}

RecoveryCodes make_recovery_codes() {
  RecoveryCodes result;
  result.codes = security::generate_recovery_codes();
  for (const std::string& code : result.codes) {
    result.hashes.push_back(security::hash_token(security::normalize_recovery_code(code).value_or(code)));
  }
  return result;
}

Result<bool> check_password(security::PasswordHasher& hasher, const User& user, std::string_view password) {
  return hasher.verify(password, user.password_hash);
}

Result<std::string> hash_new_password(security::PasswordHasher& hasher, const AccountsOptions& options,
                                      std::string_view password, std::string_view email) {
  if (options.enforce_password_policy) {
    if (auto checked = security::check_new_password(password, email); !checked) {
      return tl::unexpected<Error>(checked.error());
    }
  }
  return hasher.hash(password);
}

Result<std::string> parse_display_name(std::string_view raw) {
  const std::string_view trimmed = trim_ascii_whitespace(raw);
  const std::optional<std::size_t> length = utf8_code_points(trimmed);
  if (!length || *length > 100 || has_control_character(trimmed)) {
    return make_error(ErrorCode::kInvalidArgument, "display name must be at most 100 characters of text");
  }
  return std::string(trimmed);
}

Result<void> validate_scopes(const std::vector<ResourceScope>& scopes) {
  const auto bad = [](std::string_view text, std::size_t max) {
    const std::optional<std::size_t> length = utf8_code_points(text);
    return !length || *length == 0 || *length > max || has_control_character(text);
  };
  for (const ResourceScope& scope : scopes) {
    if (bad(scope.kind, 50)) return make_error(ErrorCode::kInvalidArgument, "a scope kind is malformed");
    for (const std::string& id : scope.ids) {
      if (bad(id, 100)) return make_error(ErrorCode::kInvalidArgument, "a scope id is malformed");
    }
  }
  return {};
}

}  // namespace personae::accounts_detail

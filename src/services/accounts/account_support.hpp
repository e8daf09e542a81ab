#pragma once

// Internal helpers shared by the accounts services (not part of their public API).

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "domain/accounts/user.hpp"
#include "domain/audit/audit_entry.hpp"
#include "domain/authorization/authorization.hpp"
#include "ports/database.hpp"
#include "ports/rate_limiter.hpp"
#include "ports/recovery_code_repository.hpp"
#include "ports/user_repository.hpp"
#include "security/password_hasher.hpp"
#include "security/secret_box.hpp"
#include "services/accounts/accounts_types.hpp"
#include "services/audit_log_service.hpp"
#include "services/service_support.hpp"

namespace personae::accounts_detail {

using service_support::audit_entry;
using service_support::guarded;
using service_support::json_details;
using service_support::principal_actor;
using service_support::require;
using service_support::require_user;
using service_support::user_actor;

/// "login:ip:<ip>" and "login:account:<sha256 of the normalised e-mail>".
std::string ip_rate_key(std::string_view ip);
std::string account_rate_key(std::string_view normalized_email);

/// Takes one token from `key`; rate_limited_error() when refused.
Result<void> take_rate(RateLimiter& limiter, std::string_view key, const RateLimit& limit);

/// The instant to stamp a new access token with: now, or the first whole second after the one of
/// the user's tokens_valid_after when that is later (see AuthService's same-second rule).
std::chrono::system_clock::time_point issue_time(std::int64_t now_unix_ms,
                                                 std::int64_t tokens_valid_after_unix_ms);

/// Whether a token issued at `iat` (whole seconds) may predate tokens_valid_after:
/// iat * 1000 <= tokens_valid_after (the whole second of the cutoff is refused).
bool issued_before_cutoff(std::chrono::system_clock::time_point iat, std::int64_t tokens_valid_after_unix_ms);

/// The AAD binding a user's sealed TOTP secret to its row.
std::string totp_aad(std::string_view user_id);

/// Starts a TOTP enrolment for `user`: kFailedPrecondition when one is already enabled; otherwise
/// a new secret, stored sealed and not yet enabled (replacing an unconfirmed one), and audited as
/// "totp.enrolment_started" in `tenant_id`'s chain with `fields`, in one write transaction.
Result<TotpEnrolment> start_totp_enrolment(
    Database& database, UserRepository& users, AuditLogService& audit, const security::SecretBox& box,
    const User& user, const std::string& tenant_id, const ClientInfo& client,
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {});

/// The plaintext TOTP secret of `user` (kInternal when it cannot be opened, kFailedPrecondition
/// when none is stored).
Result<std::string> open_totp_secret(const security::SecretBox& box, const User& user);

/// Checks a TOTP code against the user's secret and, in `tx`, records its step atomically.
/// False for a wrong or replayed code.
bool accept_and_record_totp(Transaction& tx, UserRepository& users, const User& user, std::string_view secret,
                            std::string_view code, std::chrono::system_clock::time_point now);

/// Consumes a recovery code in `tx`; false for a malformed, wrong or used one.
bool consume_recovery_code(Transaction& tx, RecoveryCodeRepository& codes, const std::string& user_id,
                           std::string_view code, std::int64_t now_unix_ms);

/// New raw recovery codes and their hashes (same order).
struct RecoveryCodes {
  std::vector<std::string> codes;
  std::vector<std::string> hashes;
};
RecoveryCodes make_recovery_codes();

/// Verifies a password against the user (false on mismatch); kUnavailable when the hasher is busy.
Result<bool> check_password(security::PasswordHasher& hasher, const User& user, std::string_view password);

/// Policy (if enforced) then hash. kInvalidArgument for the policy, kUnavailable when busy.
Result<std::string> hash_new_password(security::PasswordHasher& hasher, const AccountsOptions& options,
                                      std::string_view password, std::string_view email);

/// A display name: trimmed, 0-100 characters of UTF-8 without control characters.
Result<std::string> parse_display_name(std::string_view raw);

/// Scopes: non-empty kind (1-50 chars) and ids (1-100 chars each, no control characters).
Result<void> validate_scopes(const std::vector<ResourceScope>& scopes);

}  // namespace personae::accounts_detail

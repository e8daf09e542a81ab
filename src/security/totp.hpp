#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace personae::security {

/// RFC 6238 TOTP as authenticator apps implement it: HMAC-SHA-1, 6 digits, 30-second steps from
/// the Unix epoch (computed by liboath). Secrets are raw bytes; the caller keeps them sealed at
/// rest (SecretBox). All functions are thread-safe.
inline constexpr int kTotpDigits = 6;
inline constexpr std::int64_t kTotpStepSeconds = 30;
inline constexpr std::size_t kTotpSecretBytes = 20;

/// 20 bytes (160 bits, RFC 4226's recommendation) from the CSPRNG.
std::string generate_totp_secret();

/// The enrolment URI for a QR code:
/// `otpauth://totp/Personae:<email>?secret=<BASE32>&issuer=Personae`, with the e-mail
/// percent-encoded. It contains the secret: show it once, never log it.
std::string totp_uri(std::string_view email, std::string_view secret);

/// The time step a moment falls in (floor(unix seconds / 30)).
std::int64_t totp_step(std::chrono::system_clock::time_point now);

/// The code for `now`, with `digits` digits (6 for users; 8 for the RFC's test vectors).
/// Throws std::runtime_error if liboath fails, which only a broken installation causes.
std::string totp_code(std::string_view secret, std::chrono::system_clock::time_point now,
                      int digits = kTotpDigits);

/// Checks a typed code against the steps around `now` (`window` steps either side, to absorb
/// clock drift) and returns the matched step, or nullopt. Spaces in `code` are ignored; anything
/// else that is not exactly six digits fails. Codes are compared in constant time. This alone
/// does not stop replay: use accept_totp().
std::optional<std::int64_t> verify_totp(std::string_view secret, std::string_view code,
                                        std::chrono::system_clock::time_point now, int window = 1);

/// verify_totp() plus replay protection (ASVS 6.5.1): a code whose step is not after
/// `last_used_step` (the one stored at the user's previous successful use) is refused. On success
/// the caller stores the returned step as the new last_used_step, atomically with the login.
std::optional<std::int64_t> accept_totp(std::string_view secret, std::string_view code,
                                        std::chrono::system_clock::time_point now,
                                        std::optional<std::int64_t> last_used_step, int window = 1);

}  // namespace personae::security

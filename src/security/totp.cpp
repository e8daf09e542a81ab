#include "security/totp.hpp"

#include "core/text_encoding.hpp"

#include <liboath/oath.h>
#include <sodium.h>

#include <stdexcept>

#include "core/crypto.hpp"
#include "security/encoding.hpp"

namespace personae::security {

namespace {

void ensure_oath() {
  // oath_init sets up liboath's crypto backend; the static makes it run once, thread-safely.
  static const int kInit = oath_init();
  if (kInit != OATH_OK) throw std::runtime_error("liboath failed to initialise");
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point now) {
  return std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
}

std::string code_at(std::string_view secret, std::int64_t unix_time, int digits) {
  ensure_oath();
  char out[16] = {};
  const int rc =
      oath_totp_generate(secret.data(), secret.size(), static_cast<time_t>(unix_time),
                         static_cast<unsigned>(kTotpStepSeconds), 0, static_cast<unsigned>(digits), out);
  if (rc != OATH_OK) throw std::runtime_error(std::string("liboath: ") + oath_strerror(rc));
  return std::string(out);
}

}  // namespace

std::string generate_totp_secret() {
  ensure_sodium();
  std::string secret(kTotpSecretBytes, '\0');
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

std::string totp_uri(std::string_view email, std::string_view secret) {
  return "otpauth://totp/Personae:" + percent_encode(email) + "?secret=" + base32_encode(secret) +
         "&issuer=Personae";
}

std::int64_t totp_step(std::chrono::system_clock::time_point now) {
  const auto seconds = unix_seconds(now);
  // Floor division, so that a (nonsensical) time before 1970 still maps to a consistent step.
  return seconds >= 0 ? seconds / kTotpStepSeconds : -((-seconds + kTotpStepSeconds - 1) / kTotpStepSeconds);
}

std::string totp_code(std::string_view secret, std::chrono::system_clock::time_point now, int digits) {
  if (digits < 6 || digits > 8) throw std::invalid_argument("TOTP codes have 6 to 8 digits");
  return code_at(secret, unix_seconds(now), digits);
}

std::optional<std::int64_t> verify_totp(std::string_view secret, std::string_view code,
                                        std::chrono::system_clock::time_point now, int window) {
  std::string digits;
  for (char c : code) {
    if (c == ' ') continue;
    if (c < '0' || c > '9') return std::nullopt;
    digits.push_back(c);
  }
  if (digits.size() != static_cast<std::size_t>(kTotpDigits) || window < 0 || secret.empty())
    return std::nullopt;
  const auto current = totp_step(now);
  std::optional<std::int64_t> matched;
  // Every step in the window is computed and compared, match or not, so timing says nothing
  // about which one matched.
  for (std::int64_t step = current - window; step <= current + window; ++step) {
    if (step < 0) continue;
    const auto expected = code_at(secret, step * kTotpStepSeconds, kTotpDigits);
    if (constant_time_equals(expected, digits) && !matched) matched = step;
  }
  return matched;
}

std::optional<std::int64_t> accept_totp(std::string_view secret, std::string_view code,
                                        std::chrono::system_clock::time_point now,
                                        std::optional<std::int64_t> last_used_step, int window) {
  const auto step = verify_totp(secret, code, now, window);
  if (!step || (last_used_step && *step <= *last_used_step)) return std::nullopt;
  return step;
}

}  // namespace personae::security

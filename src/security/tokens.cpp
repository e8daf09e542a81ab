#include "security/tokens.hpp"

#include <sodium.h>

#include <array>

#include "core/crypto.hpp"
#include "security/encoding.hpp"

namespace personae::security {

namespace {

constexpr std::string_view kRecoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr std::string_view kPrefixAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::size_t kApiSecretLength = 43;  // base64url of 32 bytes
constexpr std::size_t kRecoveryGroup = 4;
constexpr std::size_t kRecoveryGroups = 3;

std::string random_bytes(std::size_t count) {
  ensure_sodium();
  std::string out(count, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

std::string generate_token(std::size_t bytes) {
  return base64url_encode(random_bytes(bytes));
}

std::string hash_token(std::string_view token) {
  return sha256_hex(token);
}

std::string ApiKey::text() const {
  return std::string(kScheme) + prefix + "_" + secret;
}

ApiKey generate_api_key() {
  ensure_sodium();
  ApiKey key;
  key.prefix.reserve(ApiKey::kPrefixLength);
  for (std::size_t i = 0; i < ApiKey::kPrefixLength; ++i) {
    key.prefix.push_back(
        kPrefixAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kPrefixAlphabet.size()))]);
  }
  key.secret = generate_token(32);
  return key;
}

std::optional<ApiKey> parse_api_key(std::string_view text) {
  constexpr std::size_t kLength = ApiKey::kScheme.size() + ApiKey::kPrefixLength + 1 + kApiSecretLength;
  if (text.size() != kLength || !text.starts_with(ApiKey::kScheme)) return std::nullopt;
  const auto prefix = text.substr(ApiKey::kScheme.size(), ApiKey::kPrefixLength);
  if (prefix.find_first_not_of(kPrefixAlphabet) != std::string_view::npos) return std::nullopt;
  if (text[ApiKey::kScheme.size() + ApiKey::kPrefixLength] != '_') return std::nullopt;
  const auto secret = text.substr(ApiKey::kScheme.size() + ApiKey::kPrefixLength + 1);
  for (char c : secret) {
    if (!is_base64url_char(c)) return std::nullopt;
  }
  return ApiKey{std::string(prefix), std::string(secret)};
}

std::vector<std::string> generate_recovery_codes(std::size_t count) {
  std::vector<std::string> codes;
  codes.reserve(count);
  for (std::size_t n = 0; n < count; ++n) {
    const auto bytes = random_bytes(kRecoveryGroup * kRecoveryGroups);
    std::string code;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (i > 0 && i % kRecoveryGroup == 0) code.push_back('-');
      // 32 divides 256, so masking keeps the distribution uniform.
      code.push_back(kRecoveryAlphabet[static_cast<unsigned char>(bytes[i]) & 31U]);
    }
    codes.push_back(std::move(code));
  }
  return codes;
}

std::optional<std::string> normalize_recovery_code(std::string_view input) {
  std::string symbols;
  for (char c : input) {
    if (c == '-' || c == ' ') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == 'o') c = '0';
    if (c == 'i' || c == 'l') c = '1';
    if (kRecoveryAlphabet.find(c) == std::string_view::npos) return std::nullopt;
    symbols.push_back(c);
    if (symbols.size() > kRecoveryGroup * kRecoveryGroups) return std::nullopt;
  }
  if (symbols.size() != kRecoveryGroup * kRecoveryGroups) return std::nullopt;
  std::string code;
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    if (i > 0 && i % kRecoveryGroup == 0) code.push_back('-');
    code.push_back(symbols[i]);
  }
  return code;
}

std::string generate_id() {
  auto bytes = random_bytes(16);
  bytes[6] = static_cast<char>((static_cast<unsigned char>(bytes[6]) & 0x0FU) | 0x40U);  // version 4
  bytes[8] = static_cast<char>((static_cast<unsigned char>(bytes[8]) & 0x3FU) | 0x80U);  // RFC 4122 variant
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    const auto byte = static_cast<unsigned char>(bytes[i]);
    out.push_back(kHex[byte >> 4U]);
    out.push_back(kHex[byte & 0x0FU]);
  }
  return out;
}

}  // namespace personae::security

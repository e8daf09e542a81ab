#include "security/url_signer.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

#include "core/crypto.hpp"
#include "core/text_encoding.hpp"

namespace personae::security {
namespace {

std::string hmac_sha256(std::string_view key, std::string_view message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
           &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return {reinterpret_cast<const char*>(digest.data()), length};
}

}  // namespace

UrlSigner::UrlSigner(std::string key) : key_(std::move(key)) {
  if (key_.size() < 32) throw std::invalid_argument("UrlSigner: the key must hold at least 32 bytes");
}

std::string UrlSigner::sign(std::string_view message) const {
  return hex_encode(hmac_sha256(key_, message));
}

bool UrlSigner::verify(std::string_view message, std::string_view signature) const {
  return constant_time_equals(sign(message), signature);
}

std::string UrlSigner::derive_key(std::string_view master_key, std::string_view purpose) {
  return hmac_sha256(master_key, purpose);
}

}  // namespace personae::security

#include "security/secret_box.hpp"

#include <sodium.h>

#include <cstring>

#include "security/encoding.hpp"
#include "security/secret_file.hpp"

namespace personae::security {

namespace {

constexpr unsigned char kVersion = 0x01;
constexpr std::size_t kHeaderBytes = 1 + 4 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

tl::unexpected<Error> cannot_decrypt(std::string detail) {
  return make_error(ErrorCode::kInternal, "cannot decrypt", std::move(detail));
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

SecretBox::SecretBox(std::map<std::uint32_t, Key> keys, std::uint32_t active_key_id)
    : keys_(std::move(keys)), active_key_id_(active_key_id) {
  ensure_sodium();
  if (!keys_.contains(active_key_id_)) {
    throw ConfigError("the active secrets key id " + std::to_string(active_key_id_) + " has no key");
  }
}

SecretBox::~SecretBox() {
  for (auto& [id, key] : keys_) sodium_memzero(key.data(), key.size());
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view aad) const {
  const Key& key = keys_.at(active_key_id_);
  std::string out(kHeaderBytes + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  bytes[0] = kVersion;
  for (int i = 0; i < 4; ++i) bytes[1 + i] = static_cast<unsigned char>(active_key_id_ >> (24 - 8 * i));
  unsigned char* nonce = bytes + 5;
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long ciphertext_length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      bytes + kHeaderBytes, &ciphertext_length, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(aad.data()), aad.size(), nullptr, nonce,
      key.data());
  out.resize(kHeaderBytes + ciphertext_length);
  return base64url_encode(out);
}

std::optional<std::uint32_t> SecretBox::key_id_of(std::string_view sealed) {
  const auto raw = base64url_decode(sealed);
  if (!raw || raw->size() < kHeaderBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES ||
      static_cast<unsigned char>((*raw)[0]) != kVersion) {
    return std::nullopt;
  }
  std::uint32_t id = 0;
  for (int i = 0; i < 4; ++i) id = (id << 8) | static_cast<unsigned char>((*raw)[1 + i]);
  return id;
}

Result<std::string> SecretBox::open(std::string_view sealed, std::string_view aad) const {
  const auto id = key_id_of(sealed);
  if (!id) return cannot_decrypt("malformed sealed value");
  const auto key = keys_.find(*id);
  if (key == keys_.end()) return cannot_decrypt("unknown secrets key id " + std::to_string(*id));
  const auto raw = *base64url_decode(sealed);
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  std::string plaintext(raw.size() - kHeaderBytes - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long plaintext_length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &plaintext_length, nullptr,
          bytes + kHeaderBytes, raw.size() - kHeaderBytes, reinterpret_cast<const unsigned char*>(aad.data()),
          aad.size(), bytes + 5, key->second.data()) != 0) {
    return cannot_decrypt("authentication failed (wrong key, wrong associated data or tampered)");
  }
  plaintext.resize(plaintext_length);
  return plaintext;
}

Result<SecretBox::Key> load_or_create_master_key(const std::filesystem::path& path) {
  ensure_sodium();
  auto contents = read_secret_file(path);
  if (!contents && contents.error().code == ErrorCode::kNotFound) {
    SecretBox::Key key;
    randombytes_buf(key.data(), key.size());
    auto text =
        base64url_encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size())) + "\n";
    auto written = write_secret_file(path, text);
    sodium_memzero(text.data(), text.size());
    if (written) return key;
    sodium_memzero(key.data(), key.size());
    // Another process created it first: use theirs.
    if (written.error().code != ErrorCode::kConflict) return tl::unexpected(std::move(written.error()));
    contents = read_secret_file(path);
  }
  if (!contents) return tl::unexpected(std::move(contents.error()));
  if (auto owner_only = require_owner_only(path); !owner_only) {
    sodium_memzero(contents->data(), contents->size());
    return tl::unexpected(owner_only.error());
  }
  auto decoded = base64url_decode(trim(*contents));
  sodium_memzero(contents->data(), contents->size());
  if (!decoded || decoded->size() != SecretBox::kKeyBytes) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the master key file must hold 32 bytes as 43 base64url characters", path.string());
  }
  SecretBox::Key key;
  std::memcpy(key.data(), decoded->data(), key.size());
  sodium_memzero(decoded->data(), decoded->size());
  return key;
}

}  // namespace personae::security

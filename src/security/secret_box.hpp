#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace personae::security {

/// Authenticated encryption of secrets at rest (TOTP secrets, later third-party OAuth tokens):
/// libsodium's XChaCha20-Poly1305-IETF with a random 192-bit nonce per message, and associated
/// data that binds a ciphertext to its place (e.g. "user:<id>:totp"), so a ciphertext copied to
/// another row does not open there.
///
/// Sealed form (base64url, no padding): version byte 0x01, key id (4 bytes, big-endian), nonce
/// (24 bytes), ciphertext with its 16-byte tag. The key id lets old rows open after a new key
/// becomes active (rotation); key_id_of() finds rows still under an old key for re-sealing.
///
/// Immutable after construction and thread-safe. Keys are wiped from memory on destruction.
class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  using Key = std::array<unsigned char, kKeyBytes>;

  /// `keys` by id; `active_key_id` seals and must be among them (ConfigError otherwise).
  SecretBox(std::map<std::uint32_t, Key> keys, std::uint32_t active_key_id);
  ~SecretBox();
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;
  SecretBox(SecretBox&&) noexcept = default;
  SecretBox& operator=(SecretBox&&) = delete;

  /// Encrypts `plaintext` under the active key, bound to `aad`.
  std::string seal(std::string_view plaintext, std::string_view aad) const;

  /// Decrypts a value made by seal() with the same `aad`. kInternal "cannot decrypt" if it is
  /// malformed, names an unknown key, was tampered with, or was sealed with another `aad`; the
  /// detail says which (never the contents).
  Result<std::string> open(std::string_view sealed, std::string_view aad) const;

  /// The key id a sealed value names, or nullopt if it is malformed.
  static std::optional<std::uint32_t> key_id_of(std::string_view sealed);

  std::uint32_t active_key_id() const noexcept { return active_key_id_; }

 private:
  std::map<std::uint32_t, Key> keys_;
  std::uint32_t active_key_id_;
};

/// Reads a 32-byte master key from `path` (43 characters of base64url, surrounding whitespace
/// ignored), or, if the file does not exist, generates one from the CSPRNG and writes it there
/// with mode 0600 (parent folders 0700). kInvalidArgument if the file holds something else,
/// kInternal on I/O errors; messages name the path, never the key.
Result<SecretBox::Key> load_or_create_master_key(const std::filesystem::path& path);

}  // namespace personae::security

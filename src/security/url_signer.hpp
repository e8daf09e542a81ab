#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace personae::security {

/// Signs and checks capability URLs (expiring download links): HMAC-SHA256 over a message that
/// names what the link grants and until when. The key never leaves the process; a link cannot be
/// stretched to another object, tenant or expiry without breaking the signature.
class UrlSigner {
 public:
  /// `key`: at least 32 bytes of secret material (derive it with derive_key()).
  explicit UrlSigner(std::string key);

  /// Lowercase hex HMAC-SHA256 of `message`.
  std::string sign(std::string_view message) const;
  /// Constant-time comparison of `signature` with sign(message).
  bool verify(std::string_view message, std::string_view signature) const;

  /// A purpose-specific key from a master key: HMAC-SHA256(master, purpose), so one master key
  /// serves several signers that cannot forge each other's messages.
  static std::string derive_key(std::string_view master_key, std::string_view purpose);

 private:
  std::string key_;
};

}  // namespace personae::security

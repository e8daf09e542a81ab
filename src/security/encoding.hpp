#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace personae::security {

/// RFC 4648 §5 base64url without padding (the JOSE form). Pure functions, thread-safe.
std::string base64url_encode(std::string_view bytes);

/// Decodes unpadded base64url; nullopt on any character outside the alphabet, on padding, or on a
/// length that no encoding produces.
std::optional<std::string> base64url_decode(std::string_view text);

/// RFC 4648 §6 base32 (upper case, without padding), as authenticator apps expect for TOTP secrets.
std::string base32_encode(std::string_view bytes);

/// Decodes base32, case-insensitively, ignoring spaces and trailing '=' padding; nullopt on any
/// other character.
std::optional<std::string> base32_decode(std::string_view text);

/// Makes sure libsodium is initialised (idempotent and thread-safe; sodium_init is both).
/// Throws std::runtime_error if libsodium cannot start, which only a broken system causes.
void ensure_sodium();

}  // namespace personae::security

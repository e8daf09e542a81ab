#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Internal to personae_cards: RFC 4648 §4 base64 with padding, the encoding of card text chunks.
/// (The shared encoders in core/ and security/ are hex, percent and unpadded base64url.) Pure
/// functions, thread-safe.
namespace personae::cards::detail {

std::string base64_encode(std::string_view bytes);

/// Decodes padded base64. ASCII whitespace is skipped (some encoders wrap lines); nullopt on any
/// other character outside the alphabet, on padding anywhere but the end, or on a length (without
/// whitespace) that is not a multiple of 4.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace personae::cards::detail

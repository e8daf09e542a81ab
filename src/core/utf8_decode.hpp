#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace personae {

/// One well-formed UTF-8 sequence: the code point and its byte length.
struct Utf8Sequence {
  char32_t code_point = 0;
  std::size_t length = 1;
};

/// Decodes the sequence that starts at `at` (`at < text.size()`); nullopt for an invalid one
/// (a bad lead or continuation byte, a truncated sequence, an overlong form, a surrogate, or a
/// value above U+10FFFF). Implemented in core/text_encoding.cpp.
std::optional<Utf8Sequence> decode_utf8(std::string_view text, std::size_t at) noexcept;

}  // namespace personae

#pragma once

#include <cstddef>
#include <string>
#include <string_view>

/// UTF-8 helpers for text that may be hostile (invalid sequences, NULs, huge inputs). Pure
/// functions, thread-safe; no allocation except where a string is returned.
namespace personae::safety::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

/// One decoded code point: its value, how many bytes it took, and whether those bytes were valid
/// UTF-8. An invalid sequence decodes as U+FFFD of length 1, so a loop always advances.
struct Decoded {
  char32_t code_point = kReplacement;
  std::size_t length = 1;
  bool valid = false;
};

/// Decodes the code point that starts at `at` (`at < text.size()`). Overlong forms, surrogates and
/// values above U+10FFFF are invalid, as in core/text_encoding.
Decoded decode(std::string_view text, std::size_t at) noexcept;

/// Appends the UTF-8 form of `code_point` (U+FFFD for a surrogate or a value above U+10FFFF).
void append(std::string& out, char32_t code_point);

/// The number of code points; each invalid byte counts as one.
std::size_t count(std::string_view text) noexcept;

/// The byte length of the longest prefix of at most `max_code_points` code points.
std::size_t prefix_bytes(std::string_view text, std::size_t max_code_points) noexcept;

/// A short, printable quotation of `text` for reasons shown to users and written to the audit
/// log: invalid bytes become U+FFFD, control characters and line breaks a space, and when longer
/// than `max_code_points` it is cut on a code point boundary and ends with "…".
std::string excerpt(std::string_view text, std::size_t max_code_points = 40);

}  // namespace personae::safety::utf8

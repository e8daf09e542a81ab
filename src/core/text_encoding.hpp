#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

/// Byte-level text encodings shared by every layer (URLs, tokens, digests, user input).
/// Pure functions, thread-safe.
namespace personae {

/// Lowercase hexadecimal, two characters per byte.
std::string hex_encode(std::string_view bytes);

/// Percent-encodes everything but RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), with
/// uppercase hex digits.
std::string percent_encode(std::string_view text);

/// Decodes %XX escapes (and '+' as a space when `plus_as_space`, as in form-encoded queries).
/// nullopt when an escape is truncated or not hexadecimal. The result may hold any byte, NUL
/// included: callers decide what they accept.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space = false);

/// The number of code points in `text`, or nullopt when it is not valid UTF-8 (overlong forms,
/// surrogates and values above U+10FFFF are invalid).
std::optional<std::size_t> utf8_code_points(std::string_view text);

}  // namespace personae

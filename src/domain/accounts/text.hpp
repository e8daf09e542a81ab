#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace personae {

/// `text` without leading and trailing spaces, tabs, CR and LF.
std::string_view trim_ascii_whitespace(std::string_view text);

/// The number of code points in `text`, or nullopt when it is not valid UTF-8 (overlong forms,
/// surrogates and values above U+10FFFF are invalid).
std::optional<std::size_t> utf8_code_points(std::string_view text);

/// Whether `text` holds a C0 control character or DEL. (UTF-8 multi-byte sequences never contain
/// these bytes, so a byte scan is exact.)
bool has_control_character(std::string_view text);

}  // namespace personae

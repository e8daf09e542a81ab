#pragma once

// utf8_code_points(), used with these helpers, lives in core.
#include "core/text_encoding.hpp"

#include <cstddef>
#include <optional>
#include <string_view>

namespace personae {

/// `text` without leading and trailing spaces, tabs, CR and LF.
std::string_view trim_ascii_whitespace(std::string_view text);

/// Whether `text` holds a C0 control character or DEL. (UTF-8 multi-byte sequences never contain
/// these bytes, so a byte scan is exact.)
bool has_control_character(std::string_view text);

}  // namespace personae

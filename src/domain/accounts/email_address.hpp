#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace personae {

inline constexpr std::size_t kMaxEmailLength = 254;

/// Trims surrounding ASCII whitespace and lower-cases ASCII letters. Users are looked up by the
/// normalised address, so "Ann@Example.org " and "ann@example.org" are one account. (Non-ASCII
/// characters are kept as they are: case folding them is locale business we stay out of.)
std::string normalize_email(std::string_view raw);

/// A deliberately strict check of an already normalised address: at most 254 bytes, exactly one
/// '@', a local part of 1-64 bytes, a domain of dot-separated non-empty labels (at least two, none
/// starting or ending with '-'), no whitespace, control characters, quotes or angle brackets, and
/// valid UTF-8. Enough to reject typos and header-injection attempts, not an RFC 5322 parser.
bool is_valid_email(std::string_view email);

/// normalize_email, then is_valid_email: the normalised address, or kInvalidArgument with a
/// message that does not repeat the input.
Result<std::string> parse_email(std::string_view raw);

}  // namespace personae

#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/error.hpp"

namespace personae::security {

/// Length bounds in Unicode code points (ASVS 6.2.1, 6.2.9).
inline constexpr std::size_t kMinPasswordLength = 8;
inline constexpr std::size_t kMaxPasswordLength = 128;

/// Checks a password a user chooses (sign-up, change, reset), per ASVS 6.2: 8 to 128 code points
/// of valid UTF-8, not one of the common passwords (compared case-insensitively), not the e-mail
/// address nor its local part (also case-insensitively). No composition rules. Only for new
/// passwords: a login compares exactly and never calls this.
/// kInvalidArgument with a message naming the rule; the message never repeats the password.
/// Thread-safe (the list is immutable, loaded on first use).
Result<void> check_new_password(std::string_view password, std::string_view email);

/// Whether `password` is in the embedded common-password list, ignoring ASCII case.
bool is_common_password(std::string_view password);

/// The number of passwords in the embedded list: 3,545 for Debian's john-data password.lst (3,546
/// non-comment lines, one of them empty).
std::size_t common_password_count();

}  // namespace personae::security

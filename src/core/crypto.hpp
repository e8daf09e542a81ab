#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace personae {

/// SHA-256 of `data` as 64 lowercase hex characters.
std::string sha256_hex(std::string_view data);

/// `byte_count` bytes from the operating system's CSPRNG, as lowercase hex.
std::string random_hex(std::size_t byte_count);

/// Compares two strings in time that depends only on their lengths (for secrets and tokens).
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace personae

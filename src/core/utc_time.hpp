#pragma once

#include <cstdint>
#include <string>

namespace personae {

/// `unix_ms` in UTC through strftime's `pattern`, e.g. "%Y-%m-%d %H:%M:%SZ" or "%Y%m%dT%H%M%SZ".
std::string format_utc(std::int64_t unix_ms, const char* pattern);

/// Milliseconds since the Unix epoch, from the system clock (for commands; services take a Clock).
std::int64_t system_now_unix_ms();

}  // namespace personae

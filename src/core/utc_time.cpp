#include "core/utc_time.hpp"

#include <array>
#include <chrono>
#include <ctime>

namespace personae {

std::string format_utc(std::int64_t unix_ms, const char* pattern) {
  const auto seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 128> text{};
  const auto length = std::strftime(text.data(), text.size(), pattern, &utc);
  return std::string(text.data(), length);
}

std::int64_t system_now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace personae

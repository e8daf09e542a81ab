#include "services/accounts/accounts_types.hpp"

#include <charconv>

namespace personae {
namespace {

constexpr std::string_view kRetryAfterPrefix = "retry_after=";

}  // namespace

Error rate_limited_error(std::chrono::milliseconds retry_after) {
  // Whole seconds, rounded up, at least one: Retry-After has no smaller unit.
  std::int64_t seconds = (retry_after.count() + 999) / 1000;
  if (seconds < 1) seconds = 1;
  return Error{ErrorCode::kResourceExhausted, "too many attempts, try again later",
               std::string(kRetryAfterPrefix) + std::to_string(seconds)};
}

std::optional<std::int64_t> retry_after_seconds(const Error& error) {
  if (error.code != ErrorCode::kResourceExhausted) return std::nullopt;
  const std::string_view detail = error.detail;
  if (!detail.starts_with(kRetryAfterPrefix)) return std::nullopt;
  const std::string_view digits = detail.substr(kRetryAfterPrefix.size());
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
  if (ec != std::errc() || end != digits.data() + digits.size() || seconds < 1) return std::nullopt;
  return seconds;
}

}  // namespace personae

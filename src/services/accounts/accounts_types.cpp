#include "services/accounts/accounts_types.hpp"

#include <algorithm>

namespace personae {
Error rate_limited_error(std::chrono::milliseconds retry_after) {
  // Whole seconds, rounded up, at least one: Retry-After has no smaller unit.
  const auto seconds = std::max<std::int64_t>(1, (retry_after.count() + 999) / 1000);
  return Error{ErrorCode::kResourceExhausted, "too many attempts, try again later", "rate limited",
               std::chrono::seconds(seconds)};
}

}  // namespace personae

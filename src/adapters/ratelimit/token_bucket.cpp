#include "adapters/ratelimit/token_bucket.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace personae::ratelimit {
namespace {

bool positive_finite(double value) {
  return std::isfinite(value) && value > 0;
}

}  // namespace

void validate(const RateLimit& limit, double cost) {
  if (!positive_finite(limit.capacity) || !positive_finite(limit.refill_per_second)) {
    throw std::invalid_argument("rate limit: capacity and refill_per_second must be finite and > 0");
  }
  if (!std::isfinite(cost) || cost < 0 || cost > limit.capacity) {
    throw std::invalid_argument("rate limit: cost must be finite, >= 0 and <= capacity");
  }
}

double refilled(double tokens, double elapsed_seconds, const RateLimit& limit) {
  if (elapsed_seconds > 0) tokens += elapsed_seconds * limit.refill_per_second;
  return std::clamp(tokens, 0.0, limit.capacity);
}

RateDecision decide(bool allowed, double tokens_after, double cost, const RateLimit& limit) {
  RateDecision decision{allowed, tokens_after, std::chrono::milliseconds(0)};
  if (!allowed) {
    const double missing_ms = (cost - tokens_after) / limit.refill_per_second * 1000.0;
    // Refill arithmetic in doubles leaves residues like 600.0000000001 ms for an exact 600 ms;
    // rounding those up would tell clients to wait a millisecond longer than needed.
    const double rounded = std::ceil(missing_ms - 1e-6);
    decision.retry_after = std::chrono::milliseconds(static_cast<long long>(std::max(rounded, 1.0)));
  }
  return decision;
}

double seconds_until_full(double tokens, const RateLimit& limit) {
  return std::max(0.0, (limit.capacity - tokens) / limit.refill_per_second);
}

}  // namespace personae::ratelimit

#pragma once

#include <chrono>

#include "ports/rate_limiter.hpp"

namespace personae::ratelimit {

/// Throws std::invalid_argument unless the limit and the cost obey the RateLimiter contract.
void validate(const RateLimit& limit, double cost);

/// The tokens of a bucket that held `tokens` `elapsed_seconds` ago (never above capacity; a
/// negative elapsed time refills nothing).
double refilled(double tokens, double elapsed_seconds, const RateLimit& limit);

/// The decision for a bucket holding `tokens` (already refilled) after trying to take `cost`:
/// `allowed` tells whether it was taken, `tokens_after` what is left.
RateDecision decide(bool allowed, double tokens_after, double cost, const RateLimit& limit);

/// Seconds until a bucket holding `tokens` is full again (0 when it is).
double seconds_until_full(double tokens, const RateLimit& limit);

}  // namespace personae::ratelimit

#include "adapters/ratelimit/memory_rate_limiter.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "adapters/ratelimit/token_bucket.hpp"

namespace personae {
namespace {

// How many idle-full buckets one insertion may drop from the cold end: enough to keep the map
// small under steady use, bounded so that one call never scans the map.
constexpr int kIdleSweep = 2;

// Refill arithmetic in doubles can leave 0.9999999999 where exactly one token has accrued.
constexpr double kTokenEpsilon = 1e-9;

double seconds_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

MemoryRateLimiter::MemoryRateLimiter(const MonotonicClock& clock, MemoryRateLimiterOptions options)
    : clock_(clock), shard_count_(options.shards) {
  if (options.max_keys == 0 || options.shards == 0) {
    throw std::invalid_argument("MemoryRateLimiter: max_keys and shards must be > 0");
  }
  shard_count_ = std::min(options.shards, options.max_keys);
  keys_per_shard_ = (options.max_keys + shard_count_ - 1) / shard_count_;
  shards_ = std::make_unique<Shard[]>(shard_count_);
}

MemoryRateLimiter::~MemoryRateLimiter() = default;

MemoryRateLimiter::Shard& MemoryRateLimiter::shard_for(std::string_view key) const {
  const std::size_t hash = std::hash<std::string_view>{}(key);
  // The maps inside shards index by the same hash; mixing the high bits in keeps the shard choice
  // independent of the bucket choice.
  return shards_[(hash ^ (hash >> 29) ^ (hash >> 47)) % shard_count_];
}

void MemoryRateLimiter::make_room(Shard& shard, std::chrono::steady_clock::time_point now) const {
  for (int swept = 0; swept < kIdleSweep && !shard.buckets.empty(); ++swept) {
    const Bucket& coldest = shard.buckets.back();
    const double tokens =
        ratelimit::refilled(coldest.tokens, seconds_between(coldest.updated, now), coldest.limit);
    if (tokens + kTokenEpsilon < coldest.limit.capacity) break;
    shard.index.erase(coldest.key);
    shard.buckets.pop_back();
  }
  while (shard.buckets.size() >= keys_per_shard_) {
    shard.index.erase(shard.buckets.back().key);
    shard.buckets.pop_back();
  }
}

RateDecision MemoryRateLimiter::acquire(std::string_view key, const RateLimit& limit, double cost) {
  ratelimit::validate(limit, cost);
  const auto now = clock_.now();
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);

  Bucket* bucket = nullptr;
  double tokens = limit.capacity;
  if (const auto found = shard.index.find(key); found != shard.index.end()) {
    shard.buckets.splice(shard.buckets.begin(), shard.buckets, found->second);
    bucket = &*found->second;
    tokens = ratelimit::refilled(bucket->tokens, seconds_between(bucket->updated, now), limit);
  } else {
    make_room(shard, now);
    bucket = &shard.buckets.emplace_front(Bucket{std::string(key), limit.capacity, now, limit});
    shard.index.emplace(bucket->key, shard.buckets.begin());
  }

  const bool allowed = tokens + kTokenEpsilon >= cost;
  if (allowed) tokens = std::max(0.0, tokens - cost);
  bucket->tokens = tokens;
  // Another thread may have read the clock later and updated the bucket first: moving `updated`
  // back would credit that interval twice.
  bucket->updated = std::max(bucket->updated, now);
  bucket->limit = limit;
  return ratelimit::decide(allowed, tokens, cost, limit);
}

void MemoryRateLimiter::reset(std::string_view key) {
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  if (const auto found = shard.index.find(key); found != shard.index.end()) {
    const auto position = found->second;
    shard.index.erase(found);
    shard.buckets.erase(position);
  }
}

std::size_t MemoryRateLimiter::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].buckets.size();
  }
  return total;
}

}  // namespace personae

#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ports/rate_limiter.hpp"

namespace personae {

struct MemoryRateLimiterOptions {
  /// The most buckets kept at once, across all shards (each shard keeps max_keys / shards, rounded
  /// up). Buckets that have refilled to full are dropped first, being the same as no bucket; past
  /// the bound, the least recently used bucket of the shard is dropped, which forgets its state:
  /// size this well above the number of keys active within one refill period.
  std::size_t max_keys = 100'000;
  /// Independent locks; more shards, less contention between threads using different keys.
  std::size_t shards = 16;
};

/// Token buckets in this process's memory: per-process limits, lost on restart. Buckets refill
/// lazily from `clock` when used, so idle keys cost no work.
///
/// Thread-safe; acquire() and reset() take one shard's mutex for a hash lookup and never block
/// otherwise. `clock` must outlive the limiter.
class MemoryRateLimiter final : public RateLimiter {
 public:
  /// Throws std::invalid_argument when max_keys or shards is 0.
  explicit MemoryRateLimiter(const MonotonicClock& clock, MemoryRateLimiterOptions options = {});
  ~MemoryRateLimiter() override;
  MemoryRateLimiter(const MemoryRateLimiter&) = delete;
  MemoryRateLimiter& operator=(const MemoryRateLimiter&) = delete;

  RateDecision acquire(std::string_view key, const RateLimit& limit, double cost = 1) override;
  void reset(std::string_view key) override;

  /// Buckets held now (for tests and a gauge).
  std::size_t size() const;

 private:
  struct Bucket {
    std::string key;
    double tokens = 0;
    std::chrono::steady_clock::time_point updated;
    RateLimit limit;
  };
  /// Most recently used first; `index` views the keys held in `buckets` (list nodes never move).
  struct Shard {
    mutable std::mutex mutex;
    std::list<Bucket> buckets;
    std::unordered_map<std::string_view, std::list<Bucket>::iterator> index;
  };

  Shard& shard_for(std::string_view key) const;
  void make_room(Shard& shard, std::chrono::steady_clock::time_point now) const;

  const MonotonicClock& clock_;
  std::size_t shard_count_;
  std::size_t keys_per_shard_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace personae

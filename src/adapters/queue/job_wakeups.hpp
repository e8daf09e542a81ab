#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string_view>

#include "ports/job_queue.hpp"

namespace personae {

/// The subscribers of one SqlJobQueue: notify() calls every callback with the queue name (an empty
/// name means "any queue": notifications may have been missed). Thread-safe; callbacks run under
/// the registry's lock, so unsubscribe() returning means the callback is done.
class JobWakeups {
 public:
  std::uint64_t subscribe(JobsAvailableCallback callback);
  void unsubscribe(std::uint64_t subscription);
  void notify(std::string_view queue);
  bool empty() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::uint64_t, JobsAvailableCallback> callbacks_;
  std::uint64_t next_ = 1;
};

}  // namespace personae

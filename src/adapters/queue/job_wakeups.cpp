#include "adapters/queue/job_wakeups.hpp"

namespace personae {

std::uint64_t JobWakeups::subscribe(JobsAvailableCallback callback) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_++;
  callbacks_.emplace(id, std::move(callback));
  return id;
}

void JobWakeups::unsubscribe(std::uint64_t subscription) {
  std::lock_guard lock(mutex_);
  callbacks_.erase(subscription);
}

void JobWakeups::notify(std::string_view queue) {
  std::lock_guard lock(mutex_);
  for (const auto& [id, callback] : callbacks_) callback(queue);
}

bool JobWakeups::empty() const {
  std::lock_guard lock(mutex_);
  return callbacks_.empty();
}

}  // namespace personae

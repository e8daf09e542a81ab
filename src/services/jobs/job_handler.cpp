#include "services/jobs/job_handler.hpp"

#include <stdexcept>

namespace personae {

bool JobContext::cancelled() const {
  std::lock_guard lock(mutex_);
  return reason_ != CancelReason::kNone;
}

CancelReason JobContext::cancel_reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

bool JobContext::wait_for_cancellation(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cancelled_.wait_for(lock, timeout, [&] { return reason_ != CancelReason::kNone; });
}

void JobContext::report_progress(std::string progress_json) {
  std::lock_guard lock(mutex_);
  progress_ = std::move(progress_json);
}

void JobContext::cancel(CancelReason reason) {
  {
    std::lock_guard lock(mutex_);
    if (reason_ != CancelReason::kNone || reason == CancelReason::kNone) return;
    reason_ = reason;
  }
  cancelled_.notify_all();
}

std::optional<std::string> JobContext::take_progress() {
  std::lock_guard lock(mutex_);
  return std::exchange(progress_, std::nullopt);
}

void JobHandlerRegistry::add(std::string kind, JobHandler handler) {
  if (!handler) throw std::invalid_argument("empty job handler for " + kind);
  if (!handlers_.emplace(kind, std::move(handler)).second) {
    throw std::invalid_argument("a job handler is already registered for " + kind);
  }
}

const JobHandler* JobHandlerRegistry::find(std::string_view kind) const {
  const auto found = handlers_.find(kind);
  return found == handlers_.end() ? nullptr : &found->second;
}

std::vector<std::string> JobHandlerRegistry::kinds() const {
  std::vector<std::string> kinds;
  kinds.reserve(handlers_.size());
  for (const auto& [kind, handler] : handlers_) kinds.push_back(kind);
  return kinds;
}

}  // namespace personae

#include "services/jobs/job_handler.hpp"

#include <stdexcept>
#include <utility>

#include "observability/log.hpp"

namespace personae {
namespace {

/// A callback that throws must not stop the others, nor the thread that cancels (the heartbeat).
void run_cancel_callback(const std::function<void()>& callback, const std::string& worker_id) noexcept {
  try {
    callback();
  } catch (const std::exception& error) {
    log::warn("a job's cancel callback threw", {{"worker", worker_id}, {"error", error.what()}});
  } catch (...) {
    log::warn("a job's cancel callback threw", {{"worker", worker_id}});
  }
}

}  // namespace

CancelSubscription::CancelSubscription(CancelSubscription&& other) noexcept
    : context_(std::exchange(other.context_, nullptr)), id_(std::exchange(other.id_, 0)) {}

CancelSubscription& CancelSubscription::operator=(CancelSubscription&& other) noexcept {
  if (this != &other) {
    reset();
    context_ = std::exchange(other.context_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void CancelSubscription::reset() noexcept {
  if (context_ == nullptr) return;
  std::exchange(context_, nullptr)->unsubscribe(std::exchange(id_, 0));
}

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

CancelSubscription JobContext::on_cancel(std::function<void()> callback) {
  if (!callback) return {};
  {
    std::lock_guard lock(mutex_);
    if (reason_ == CancelReason::kNone) {
      const std::uint64_t id = next_callback_++;
      callbacks_.emplace(id, std::move(callback));
      return {this, id};
    }
  }
  run_cancel_callback(callback, worker_id_);
  return {};
}

void JobContext::unsubscribe(std::uint64_t id) {
  std::unique_lock lock(mutex_);
  if (callbacks_.erase(id) > 0) return;
  // cancel() took it and may be running it now: wait, unless the callback itself is unsubscribing.
  if (running_callback_ == id && running_thread_ != std::this_thread::get_id()) {
    callback_done_.wait(lock, [&] { return running_callback_ != id; });
  }
}

void JobContext::report_progress(std::string progress_json) {
  std::lock_guard lock(mutex_);
  progress_ = std::move(progress_json);
}

void JobContext::cancel(CancelReason reason) {
  std::unique_lock lock(mutex_);
  if (reason_ != CancelReason::kNone || reason == CancelReason::kNone) return;
  reason_ = reason;
  cancelled_.notify_all();
  // One at a time, outside the lock, so that a callback may use this context; none is added any
  // more (on_cancel runs them at once from now on).
  while (!callbacks_.empty()) {
    auto node = callbacks_.extract(callbacks_.begin());
    running_callback_ = node.key();
    running_thread_ = std::this_thread::get_id();
    lock.unlock();
    run_cancel_callback(node.mapped(), worker_id_);
    lock.lock();
    running_callback_ = 0;
    callback_done_.notify_all();
  }
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

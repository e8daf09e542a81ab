#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "ports/job_queue.hpp"

namespace personae {

/// Why a running handler should stop.
enum class CancelReason {
  kNone,
  kCancelled,  ///< an operator cancelled the job (seen at a heartbeat)
  kLeaseLost,  ///< the lease expired or was taken over: another worker may run the job
  kShutdown,   ///< the runner is stopping and its grace period ran out
};

class JobContext;

/// A callback registered with JobContext::on_cancel, unregistered when this is destroyed or reset:
/// from then on the callback is neither running nor ever runs, so it may reference objects that
/// outlive the subscription (declare the subscription after them). Move-only; must not outlive
/// its context. An empty subscription (default, or when the context was already cancelled) does
/// nothing.
class [[nodiscard]] CancelSubscription {
 public:
  CancelSubscription() = default;
  ~CancelSubscription() { reset(); }
  CancelSubscription(CancelSubscription&& other) noexcept;
  CancelSubscription& operator=(CancelSubscription&& other) noexcept;
  CancelSubscription(const CancelSubscription&) = delete;
  CancelSubscription& operator=(const CancelSubscription&) = delete;

  /// Unregisters now; waits when the callback is running on another thread right then.
  void reset() noexcept;

 private:
  friend class JobContext;
  CancelSubscription(JobContext* context, std::uint64_t id) : context_(context), id_(id) {}

  JobContext* context_ = nullptr;
  std::uint64_t id_ = 0;
};

/// What a handler sees of its run. Thread-safe: the runner's heartbeat thread cancels it while the
/// handler runs.
class JobContext {
 public:
  JobContext(int attempt, int attempt_number, std::string worker_id)
      : attempt_(attempt), attempt_number_(attempt_number), worker_id_(std::move(worker_id)) {}

  /// Whether the handler should stop as soon as it can (its result may be discarded).
  bool cancelled() const;
  CancelReason cancel_reason() const;
  /// Sleeps until cancelled or `timeout` passes; returns cancelled(). For handlers that wait.
  bool wait_for_cancellation(std::chrono::milliseconds timeout);
  /// Runs `callback` once when the context is cancelled (at once, on this thread, when it already
  /// is), e.g. to cancel an outbound call that does not poll cancelled(). The callback runs on the
  /// cancelling thread (the runner's heartbeat thread, which may hold the runner's own locks), outside
  /// this context's lock: it must be quick, must not block, and must not throw (an exception is
  /// logged and ignored). Keep the subscription for as long as the callback may run.
  CancelSubscription on_cancel(std::function<void()> callback);

  /// 1 for the first attempt since enqueue or replay.
  int attempt() const { return attempt_; }
  /// The attempt's number in the job's whole history.
  int attempt_number() const { return attempt_number_; }
  const std::string& worker_id() const { return worker_id_; }

  /// Stores `progress_json` with the next heartbeat (the latest report wins); cheap.
  void report_progress(std::string progress_json);

  /// For the runner: asks the handler to stop (the first reason is kept).
  void cancel(CancelReason reason);
  /// For the runner: the progress reported since the last call.
  std::optional<std::string> take_progress();

 private:
  friend class CancelSubscription;
  void unsubscribe(std::uint64_t id);

  const int attempt_;
  const int attempt_number_;
  const std::string worker_id_;
  mutable std::mutex mutex_;
  std::condition_variable cancelled_;
  CancelReason reason_ = CancelReason::kNone;
  std::optional<std::string> progress_;
  // on_cancel callbacks not yet run, by subscription id (ids start at 1).
  std::map<std::uint64_t, std::function<void()>> callbacks_;
  std::uint64_t next_callback_ = 1;
  // The callback cancel() is running outside the lock (0: none), and on which thread.
  std::uint64_t running_callback_ = 0;
  std::thread::id running_thread_;
  std::condition_variable callback_done_;
};

/// Runs one job: returns the result as JSON text, or an Error. Error handling by the runner:
/// - kInvalidArgument: the job can never succeed (bad payload): dead-lettered at once;
/// - any other code: retried with backoff until max_attempts, then dead-lettered; a retry_after
///   (kResourceExhausted or kUnavailable, e.g. a 429's Retry-After) is a lower bound on the delay.
/// Error::message is stored in the job's history and shown to operators (no secrets, no
/// internals); Error::detail goes to the log only. A thrown exception counts as a failure whose
/// stored text is "internal error" (its what() is logged). Handlers run on the runner's threads,
/// concurrently with each other; a long handler should check JobContext::cancelled().
/// Delivery is at least once: a handler whose worker dies may run again, so its effects must be
/// idempotent (use the job id as an idempotency key).
using JobHandler = std::function<Result<std::string>(const Job& job, JobContext& context)>;

/// Handlers by job kind. Fill it before starting runners; read-only afterwards.
class JobHandlerRegistry {
 public:
  /// Throws std::invalid_argument for an empty handler or a kind already registered.
  void add(std::string kind, JobHandler handler);
  /// nullptr when no handler is registered for `kind`.
  const JobHandler* find(std::string_view kind) const;
  std::vector<std::string> kinds() const;

 private:
  std::map<std::string, JobHandler, std::less<>> handlers_;
};

}  // namespace personae

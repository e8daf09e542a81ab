#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "observability/metrics.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"
#include "ports/job_queue.hpp"
#include "services/jobs/job_handler.hpp"
#include "services/jobs/job_metrics.hpp"
#include "services/jobs/retry_policy.hpp"

namespace personae {

/// One queue a runner works.
struct RunnerQueueOptions {
  std::string name = "default";
  /// Jobs of this queue this runner holds at once (claimed, running or waiting for a thread);
  /// 0: as many as the runner has threads.
  int max_in_flight = 0;
  /// Running jobs of this queue across every worker (nullopt: no limit). Enforced by the claim.
  std::optional<int> concurrency_limit;
};

/// Deleting finished jobs so that the table does not grow without bound.
struct JobRetention {
  std::chrono::milliseconds succeeded_after{std::chrono::hours(24 * 7)};  ///< also cancelled jobs
  std::chrono::milliseconds dead_after{std::chrono::hours(24 * 30)};
  std::chrono::milliseconds sweep_interval{std::chrono::minutes(1)};
  int batch_size = 1000;  ///< rows per delete transaction
};

struct JobRunnerOptions {
  /// Shown in leases and history; 1-128 of [A-Za-z0-9._:@-]. Empty: "<host>:<pid>:<random>".
  std::string worker_id;
  std::vector<RunnerQueueOptions> queues{RunnerQueueOptions{}};
  /// Handler threads.
  int threads = 4;
  /// Most jobs taken per claim (per queue).
  int claim_batch = 50;
  /// Successes recorded per transaction, at most.
  int completion_batch = 500;
  std::chrono::milliseconds lease{30'000};
  /// How often held leases are extended (and cancellations noticed); well under `lease`.
  std::chrono::milliseconds heartbeat_interval{10'000};
  /// Claims happen on a wake-up (an enqueue notification) or at least this often (scheduled and
  /// retrying jobs, other processes' enqueues on SQLite, expired leases).
  std::chrono::milliseconds poll_interval{1'000};
  RetryPolicy retry;
  /// How long stop() lets running handlers finish before cancelling them and releasing their jobs.
  std::chrono::milliseconds shutdown_grace{10'000};
  /// Fire due recurring schedules (safe on every worker: each slot fires once).
  bool run_scheduler = true;
  std::chrono::milliseconds schedule_interval{1'000};
  /// nullopt: no retention sweep from this runner.
  std::optional<JobRetention> retention = JobRetention{};
  /// How often the depth and age gauges are refreshed (with metrics only).
  std::chrono::milliseconds stats_interval{5'000};
};

/// Runs jobs from a JobQueue with a fixed pool of handler threads (docs/jobs.md).
///
/// Threads: a dispatcher claims jobs (woken by enqueue notifications, else every poll_interval)
/// while this runner has room (per-queue max_in_flight); `threads` workers run handlers; a
/// completer records outcomes, successes in batches (a transaction records every success that
/// arrived while the previous one committed); a heartbeat thread extends the leases of every held
/// job and cancels a handler's JobContext when its job was cancelled or its lease lost; a
/// housekeeping thread fires due schedules, sweeps old finished jobs and refreshes the gauges.
///
/// Outcomes: success -> complete; an Error -> retry after retry_delay() (full jitter, at least the
/// error's retry_after) until max_attempts, then dead; kInvalidArgument -> dead at once; an
/// exception -> a failure recorded as "internal error"; a handler that stops after a cancellation
/// -> cancelled. A result whose lease was lost meanwhile is discarded (another worker owns the job).
/// Database failures while recording are retried with backoff; the leases stay held meanwhile.
///
/// start() once; stop() (or the destructor) stops claiming, releases jobs not yet started, lets
/// running handlers finish within the grace period, then cancels the rest and releases their jobs
/// for another worker (attempts so released do not count), records the outcomes and joins every
/// thread; a handler that ignores cancellation delays stop() until it returns. The references must
/// outlive the runner; `handlers` must not change once started.
class JobRunner {
 public:
  JobRunner(Database& database, JobQueue& queue, const JobHandlerRegistry& handlers, const Clock& clock,
            JobRunnerOptions options, observability::MetricsRegistry* metrics = nullptr,
            RandomSource* random = nullptr);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  /// Throws std::logic_error when called twice, ConfigError for invalid options.
  void start();
  void stop();
  void stop(std::chrono::milliseconds grace);

  const std::string& worker_id() const { return options_.worker_id; }

  /// What this runner has done so far.
  struct Counters {
    std::uint64_t claimed = 0;
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;  ///< failed attempts recorded (retried or dead)
    std::uint64_t dead = 0;
    std::uint64_t cancelled = 0;
    std::uint64_t discarded = 0;  ///< outcomes dropped because the lease was lost
    std::uint64_t released = 0;
  };
  Counters counters() const;

 private:
  struct Active;
  struct Outcome;

  void dispatch_loop();
  void worker_loop();
  void complete_loop();
  void heartbeat_loop();
  void housekeeping_loop();

  Outcome run_handler(const std::shared_ptr<Active>& active);
  void record(std::vector<Outcome>& outcomes);
  void forget(const std::vector<std::shared_ptr<Active>>& done);
  void release_now(const std::vector<std::shared_ptr<Active>>& jobs, const char* reason);
  /// Sleeps up to `delay` or until `flag` is set; returns the flag.
  bool sleep_unless(std::atomic<bool>& flag, std::chrono::milliseconds delay);

  Database& database_;
  JobQueue& queue_;
  const JobHandlerRegistry& handlers_;
  const Clock& clock_;
  JobRunnerOptions options_;
  std::unique_ptr<JobMetrics> metrics_;
  std::unique_ptr<RandomSource> owned_random_;
  RandomSource* random_;

  mutable std::mutex mutex_;
  std::condition_variable dispatcher_wake_;
  std::condition_variable work_ready_;
  std::condition_variable outcome_ready_;
  std::condition_variable idle_;  // a handler returned (stop() waits on it)
  std::condition_variable sleep_;
  std::deque<std::shared_ptr<Active>> ready_;
  std::map<std::int64_t, std::shared_ptr<Active>> held_;  // claimed, outcome not yet recorded
  std::map<std::string, int> held_per_queue_;
  std::map<std::string, bool> pending_;  // queue -> worth claiming now
  std::deque<Outcome> outcomes_;
  int running_handlers_ = 0;
  std::size_t rotation_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  std::atomic<bool> stop_claiming_{false};
  std::atomic<bool> stop_workers_{false};
  std::atomic<bool> stop_completer_{false};
  std::atomic<bool> stop_background_{false};
  std::uint64_t subscription_ = 0;
  Counters counters_;

  std::thread dispatcher_;
  std::vector<std::thread> workers_;
  std::thread completer_;
  std::thread heartbeat_;
  std::thread housekeeping_;
};

}  // namespace personae

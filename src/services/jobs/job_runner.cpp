#include "services/jobs/job_runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <set>
#include <stdexcept>

#include "core/crypto.hpp"
#include "observability/log.hpp"
#include "services/jobs/job_scheduler.hpp"

namespace personae {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5'000};

std::string default_worker_id() {
  std::array<char, 256> host{};
  std::string name = ::gethostname(host.data(), host.size() - 1) == 0 ? host.data() : "worker";
  // Leases and history carry the id: keep it to the characters the queue accepts.
  for (char& c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_';
    if (!ok) c = '-';
  }
  if (name.size() > 64) name.resize(64);
  return name + ":" + std::to_string(::getpid()) + ":" + random_hex(3);
}

std::int64_t millis(std::chrono::milliseconds value) {
  return value.count();
}

}  // namespace

struct JobRunner::Active {
  Active(Job claimed, const std::string& worker_id)
      : job(std::move(claimed)),
        context(job.attempts, job.attempt_number, worker_id),
        lease_expires_at_unix_ms(job.lease_expires_at_unix_ms.value_or(0)) {}

  Job job;
  JobContext context;
  std::int64_t lease_expires_at_unix_ms;  // guarded by the runner's mutex
  bool started = false;                   // guarded by the runner's mutex
  bool finished = false;                  // the handler returned; guarded by the runner's mutex
};

struct JobRunner::Outcome {
  enum class Kind { kSuccess, kFailure, kDiscard };
  std::shared_ptr<Active> active;
  Kind kind = Kind::kDiscard;
  std::string result_json;
  std::string error;
  std::optional<std::int64_t> retry_at_unix_ms;
  AttemptOutcome attempt_outcome = AttemptOutcome::kFailed;
  bool recorded = false;
};

JobRunner::JobRunner(Database& database, JobQueue& queue, const JobHandlerRegistry& handlers,
                     const Clock& clock, JobRunnerOptions options, observability::MetricsRegistry* metrics,
                     RandomSource* random)
    : database_(database),
      queue_(queue),
      handlers_(handlers),
      clock_(clock),
      options_(std::move(options)),
      metrics_(metrics != nullptr ? std::make_unique<JobMetrics>(*metrics) : nullptr),
      owned_random_(random == nullptr ? std::make_unique<SystemRandomSource>() : nullptr),
      random_(random != nullptr ? random : owned_random_.get()) {
  if (options_.worker_id.empty()) options_.worker_id = default_worker_id();
}

JobRunner::~JobRunner() {
  stop(options_.shutdown_grace);
}

void JobRunner::start() {
  std::set<std::string> names;
  for (RunnerQueueOptions& queue : options_.queues) {
    if (!names.insert(queue.name).second) throw ConfigError("queue " + queue.name + " is listed twice");
    if (queue.max_in_flight < 0)
      throw ConfigError("queue " + queue.name + ": max_in_flight must not be negative");
    if (queue.max_in_flight == 0) queue.max_in_flight = options_.threads;
  }
  if (options_.queues.empty()) throw ConfigError("a job runner needs at least one queue");
  if (options_.threads < 1) throw ConfigError("a job runner needs at least one thread");
  if (options_.claim_batch < 1 || options_.completion_batch < 1) {
    throw ConfigError("claim and completion batches must be at least 1");
  }
  if (options_.heartbeat_interval.count() <= 0 || options_.heartbeat_interval >= options_.lease) {
    throw ConfigError("the heartbeat interval must be positive and shorter than the lease");
  }
  if (options_.poll_interval.count() <= 0) throw ConfigError("the poll interval must be positive");
  {
    std::lock_guard lock(mutex_);
    if (started_) throw std::logic_error("JobRunner::start called twice");
    started_ = true;
    for (const RunnerQueueOptions& queue : options_.queues) {
      pending_[queue.name] = true;
      held_per_queue_[queue.name] = 0;
    }
  }
  if (metrics_ != nullptr) {
    for (const RunnerQueueOptions& queue : options_.queues) metrics_->track(queue.name);
  }
  subscription_ = queue_.subscribe([this](std::string_view queue) {
    std::lock_guard lock(mutex_);
    if (queue.empty()) {
      for (auto& [name, pending] : pending_) pending = true;
    } else if (const auto found = pending_.find(std::string(queue)); found != pending_.end()) {
      found->second = true;
    } else {
      return;
    }
    dispatcher_wake_.notify_one();
  });
  log::info("job runner started", {{"worker", options_.worker_id}, {"threads", options_.threads}});
  dispatcher_ = std::thread([this] { dispatch_loop(); });
  for (int i = 0; i < options_.threads; ++i) workers_.emplace_back([this] { worker_loop(); });
  completer_ = std::thread([this] { complete_loop(); });
  heartbeat_ = std::thread([this] { heartbeat_loop(); });
  housekeeping_ = std::thread([this] { housekeeping_loop(); });
}

void JobRunner::stop() {
  stop(options_.shutdown_grace);
}

void JobRunner::stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopped_) return;
    stopped_ = true;
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  stop_claiming_ = true;
  {
    std::lock_guard lock(mutex_);
    dispatcher_wake_.notify_all();
  }
  dispatcher_.join();
  queue_.unsubscribe(subscription_);

  // Jobs claimed but not started go back at once.
  std::vector<std::shared_ptr<Active>> waiting;
  {
    std::lock_guard lock(mutex_);
    waiting.assign(ready_.begin(), ready_.end());
    ready_.clear();
  }
  release_now(waiting, "the worker stopped before the job started");
  forget(waiting);

  // Running handlers get the grace period; then they are cancelled and their jobs released.
  std::vector<std::shared_ptr<Active>> overdue;
  {
    std::unique_lock lock(mutex_);
    idle_.wait_until(lock, deadline, [&] { return running_handlers_ == 0; });
    for (const auto& [id, active] : held_) {
      if (active->started && !active->finished) overdue.push_back(active);
    }
  }
  // Released first, so that whatever such a handler returns afterwards is discarded: the job is
  // another worker's to run.
  release_now(overdue, "the worker stopped before the job finished");
  for (const auto& active : overdue) active->context.cancel(CancelReason::kShutdown);
  if (!overdue.empty()) {
    log::warn("job runner stopping: cancelled handlers still running after the grace period",
              {{"worker", options_.worker_id}, {"jobs", overdue.size()}});
  }

  stop_workers_ = true;
  {
    std::lock_guard lock(mutex_);
    work_ready_.notify_all();
  }
  for (std::thread& worker : workers_) worker.join();
  stop_completer_ = true;
  {
    std::lock_guard lock(mutex_);
    outcome_ready_.notify_all();
  }
  completer_.join();
  stop_background_ = true;
  {
    std::lock_guard lock(mutex_);
    sleep_.notify_all();
  }
  heartbeat_.join();
  housekeeping_.join();
  log::info("job runner stopped", {{"worker", options_.worker_id}});
}

JobRunner::Counters JobRunner::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

bool JobRunner::sleep_unless(std::atomic<bool>& flag, std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  sleep_.wait_for(lock, delay, [&] { return flag.load(); });
  return flag.load();
}

void JobRunner::release_now(const std::vector<std::shared_ptr<Active>>& jobs, const char* reason) {
  if (jobs.empty()) return;
  std::vector<JobLease> leases;
  leases.reserve(jobs.size());
  for (const auto& active : jobs) leases.push_back(active->job.lease());
  try {
    const std::size_t released = queue_.release(leases, reason, clock_.now_unix_ms());
    std::lock_guard lock(mutex_);
    counters_.released += released;
  } catch (const std::exception& error) {
    // Their leases expire instead, and another worker takes them then.
    log::warn("could not release jobs; they run again once their leases expire",
              {{"worker", options_.worker_id}, {"jobs", jobs.size()}, {"error", error.what()}});
  }
}

void JobRunner::forget(const std::vector<std::shared_ptr<Active>>& done) {
  if (done.empty()) return;
  std::lock_guard lock(mutex_);
  for (const auto& active : done) {
    if (held_.erase(active->job.id) != 0) --held_per_queue_[active->job.queue];
  }
  dispatcher_wake_.notify_one();
}

void JobRunner::dispatch_loop() {
  auto next_poll = std::chrono::steady_clock::now();
  std::chrono::milliseconds backoff = kFirstBackoff;
  bool warned = false;
  std::unique_lock lock(mutex_);
  while (!stop_claiming_) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_poll) {
      for (auto& [name, pending] : pending_) pending = true;
      next_poll = now + options_.poll_interval;
    }
    ClaimRequest request;
    request.worker_id = options_.worker_id;
    request.lease = options_.lease;
    // Rotate the starting queue so that a busy first queue does not starve the others.
    const std::size_t count = options_.queues.size();
    for (std::size_t i = 0; i < count; ++i) {
      const RunnerQueueOptions& queue = options_.queues[(rotation_ + i) % count];
      const int room = queue.max_in_flight - held_per_queue_[queue.name];
      if (room <= 0 || !pending_[queue.name]) continue;
      request.queues.push_back(
          QueueDemand{queue.name, std::min(room, options_.claim_batch), queue.concurrency_limit});
    }
    ++rotation_;
    if (request.queues.empty()) {
      dispatcher_wake_.wait_until(lock, next_poll, [&] {
        if (stop_claiming_) return true;
        return std::any_of(options_.queues.begin(), options_.queues.end(),
                           [&](const RunnerQueueOptions& queue) {
                             return pending_[queue.name] && queue.max_in_flight > held_per_queue_[queue.name];
                           });
      });
      continue;
    }
    for (const QueueDemand& demand : request.queues) pending_[demand.queue] = false;
    lock.unlock();
    std::vector<Job> jobs;
    bool failed = false;
    try {
      jobs = queue_.claim(request, clock_.now_unix_ms());
      if (warned) log::info("job claims work again", {{"worker", options_.worker_id}});
      warned = false;
      backoff = kFirstBackoff;
    } catch (const std::exception& error) {
      if (!warned)
        log::warn("job claim failed; retrying", {{"worker", options_.worker_id}, {"error", error.what()}});
      warned = true;
      failed = true;
    }
    lock.lock();
    if (failed) {
      next_poll = std::chrono::steady_clock::now() + backoff;
      backoff = std::min(backoff * 2, kMaxBackoff);
      continue;
    }
    std::map<std::string, int> got;
    for (Job& job : jobs) {
      ++got[job.queue];
      auto active = std::make_shared<Active>(std::move(job), options_.worker_id);
      ++held_per_queue_[active->job.queue];
      held_.emplace(active->job.id, active);
      ready_.push_back(std::move(active));
    }
    counters_.claimed += jobs.size();
    // A queue that filled its demand may have more: claim it again as soon as there is room.
    for (const QueueDemand& demand : request.queues) {
      if (got[demand.queue] >= demand.max_count) pending_[demand.queue] = true;
    }
    if (!jobs.empty()) work_ready_.notify_all();
  }
}

void JobRunner::worker_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [&] { return !ready_.empty() || stop_workers_; });
    if (ready_.empty()) return;
    std::shared_ptr<Active> active = std::move(ready_.front());
    ready_.pop_front();
    active->started = true;
    ++running_handlers_;
    lock.unlock();
    Outcome outcome = run_handler(active);
    lock.lock();
    active->finished = true;
    --running_handlers_;
    outcomes_.push_back(std::move(outcome));
    outcome_ready_.notify_one();
    idle_.notify_all();
  }
}

JobRunner::Outcome JobRunner::run_handler(const std::shared_ptr<Active>& active) {
  const Job& job = active->job;
  JobContext& context = active->context;
  Outcome outcome;
  outcome.active = active;
  if (context.cancelled()) {
    // Cancelled while waiting for a thread; a lost or released lease leaves nothing to record.
    if (context.cancel_reason() == CancelReason::kCancelled) {
      outcome.kind = Outcome::Kind::kFailure;
      outcome.attempt_outcome = AttemptOutcome::kCancelled;
      outcome.error = "cancelled before it started";
    }
    return outcome;
  }
  if (metrics_ != nullptr) {
    metrics_->pickup(
        job.queue,
        static_cast<double>(std::max<std::int64_t>(0, clock_.now_unix_ms() - job.run_at_unix_ms)) / 1000.0);
  }
  const auto started = std::chrono::steady_clock::now();
  Result<std::string> result = tl::unexpected(Error{ErrorCode::kInternal, "internal error", ""});
  if (const JobHandler* handler = handlers_.find(job.kind)) {
    try {
      result = (*handler)(job, context);
    } catch (const AppError& error) {
      result = tl::unexpected(error.error());
    } catch (const std::exception& error) {
      result = tl::unexpected(Error{ErrorCode::kInternal, "internal error", error.what()});
    } catch (...) {
      result = tl::unexpected(Error{ErrorCode::kInternal, "internal error", "a non-standard exception"});
    }
  } else {
    // Retried like any failure: a newer worker that knows the kind may take it.
    result = tl::unexpected(
        Error{ErrorCode::kFailedPrecondition, "no handler is registered for kind " + job.kind, ""});
  }
  if (metrics_ != nullptr) {
    metrics_->duration(job.queue, job.kind,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }

  const CancelReason reason = context.cancel_reason();
  if (result.has_value()) {
    if (result->size() > kMaxJobPayloadBytes) {
      result =
          tl::unexpected(Error{ErrorCode::kInvalidArgument, "the job's result is larger than 256 KiB", ""});
    } else {
      // Recorded even after a cancellation or a lost lease: the compare-and-set on the lease
      // decides, and a finished job's effects happened.
      outcome.kind = Outcome::Kind::kSuccess;
      outcome.result_json = std::move(*result);
      return outcome;
    }
  }
  const Error& error = result.error();
  log::warn("job attempt failed", {{"job", job.id},
                                   {"queue", job.queue},
                                   {"kind", job.kind},
                                   {"attempt", job.attempts},
                                   {"error", error.message},
                                   {"detail", error.detail}});
  if (reason == CancelReason::kLeaseLost || reason == CancelReason::kShutdown) return outcome;
  outcome.kind = Outcome::Kind::kFailure;
  outcome.error = error.message.empty() ? "failed" : error.message;
  if (reason == CancelReason::kCancelled) {
    outcome.attempt_outcome = AttemptOutcome::kCancelled;
    return outcome;
  }
  const bool permanent = error.code == ErrorCode::kInvalidArgument || job.attempts >= job.max_attempts;
  if (!permanent) {
    const auto delay = retry_delay(options_.retry, job.attempts, random_->uniform01(), error.retry_after);
    outcome.retry_at_unix_ms = clock_.now_unix_ms() + millis(delay);
  }
  return outcome;
}

void JobRunner::complete_loop() {
  std::chrono::milliseconds backoff = kFirstBackoff;
  std::optional<std::chrono::steady_clock::time_point> give_up_at;
  std::unique_lock lock(mutex_);
  while (true) {
    outcome_ready_.wait(lock, [&] { return !outcomes_.empty() || stop_completer_; });
    if (outcomes_.empty()) return;
    // Everything that arrived while the previous batch committed goes in this one.
    std::vector<Outcome> batch;
    while (!outcomes_.empty() && batch.size() < static_cast<std::size_t>(options_.completion_batch)) {
      batch.push_back(std::move(outcomes_.front()));
      outcomes_.pop_front();
    }
    lock.unlock();
    bool give_up = false;
    try {
      record(batch);
      backoff = kFirstBackoff;
    } catch (const std::exception& error) {
      // The database is unreachable: keep the outcomes (their leases stay held by the heartbeat)
      // and try again, until the runner is stopping and its grace period is over.
      log::warn("could not record job outcomes; retrying",
                {{"worker", options_.worker_id}, {"error", error.what()}});
      if (stop_completer_ && !give_up_at.has_value()) {
        give_up_at = std::chrono::steady_clock::now() + options_.shutdown_grace;
      }
      give_up = give_up_at.has_value() && std::chrono::steady_clock::now() >= *give_up_at;
      if (give_up) {
        log::error(
            "job runner stopping: dropped unrecorded outcomes; those jobs run again once their leases expire",
            {{"worker", options_.worker_id}});
      } else {
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, kMaxBackoff);
      }
    }
    std::vector<std::shared_ptr<Active>> done;
    std::vector<Outcome> left;
    for (Outcome& outcome : batch) {
      if (outcome.recorded || give_up) {
        done.push_back(outcome.active);
      } else {
        left.push_back(std::move(outcome));
      }
    }
    forget(done);
    lock.lock();
    // What is left of a failed batch goes first next time, in its order.
    outcomes_.insert(outcomes_.begin(), std::make_move_iterator(left.begin()),
                     std::make_move_iterator(left.end()));
  }
}

// Records `outcomes`, marking each once recorded, so that after a failure part way through the
// caller keeps only the rest. Successes go in one transaction; failures one by one.
void JobRunner::record(std::vector<Outcome>& outcomes) {
  const std::int64_t now = clock_.now_unix_ms();
  Counters delta;
  const auto add_delta = [&] {
    std::lock_guard lock(mutex_);
    counters_.succeeded += delta.succeeded;
    counters_.failed += delta.failed;
    counters_.dead += delta.dead;
    counters_.cancelled += delta.cancelled;
    counters_.discarded += delta.discarded;
  };
  try {
    std::vector<JobCompletion> completions;
    std::vector<Outcome*> completed;
    for (Outcome& outcome : outcomes) {
      if (outcome.recorded) continue;
      if (outcome.kind == Outcome::Kind::kDiscard) {
        ++delta.discarded;
        outcome.recorded = true;
      } else if (outcome.kind == Outcome::Kind::kSuccess) {
        completions.push_back(JobCompletion{outcome.active->job.lease(), outcome.result_json});
        completed.push_back(&outcome);
      }
    }
    if (!completions.empty()) {
      const std::vector<bool> recorded = queue_.complete(completions, now);
      for (std::size_t i = 0; i < recorded.size(); ++i) {
        const Job& job = completed[i]->active->job;
        if (recorded[i]) {
          ++delta.succeeded;
          if (metrics_ != nullptr) metrics_->completed(job.queue, job.kind);
        } else {
          ++delta.discarded;
          log::info("job result discarded: the lease was lost", {{"job", job.id}});
        }
        completed[i]->recorded = true;
      }
    }
    for (Outcome& outcome : outcomes) {
      if (outcome.recorded || outcome.kind != Outcome::Kind::kFailure) continue;
      const Job& job = outcome.active->job;
      const std::optional<JobState> state = queue_.fail(
          JobFailure{job.lease(), outcome.error, outcome.retry_at_unix_ms, outcome.attempt_outcome}, now);
      outcome.recorded = true;
      if (!state.has_value()) {
        ++delta.discarded;
      } else if (*state == JobState::kCancelled) {
        ++delta.cancelled;
      } else {
        ++delta.failed;
        if (metrics_ != nullptr) metrics_->failed(job.queue, job.kind);
        if (*state == JobState::kDead) {
          ++delta.dead;
          if (metrics_ != nullptr) metrics_->dead(job.queue, job.kind);
          log::warn("job dead-lettered", {{"job", job.id}, {"queue", job.queue}, {"kind", job.kind}});
        }
      }
    }
  } catch (...) {
    add_delta();
    throw;
  }
  add_delta();
}

void JobRunner::heartbeat_loop() {
  while (!sleep_unless(stop_background_, options_.heartbeat_interval)) {
    std::vector<std::shared_ptr<Active>> actives;
    std::vector<LeaseRenewal> renewals;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [id, active] : held_) {
        actives.push_back(active);
        renewals.push_back(LeaseRenewal{active->job.lease(), active->context.take_progress()});
      }
    }
    if (renewals.empty()) continue;
    const std::int64_t now = clock_.now_unix_ms();
    try {
      const std::vector<LeaseStatus> statuses = queue_.heartbeat(renewals, options_.lease, now);
      std::lock_guard lock(mutex_);
      for (std::size_t i = 0; i < statuses.size(); ++i) {
        if (statuses[i] == LeaseStatus::kLost) {
          actives[i]->context.cancel(CancelReason::kLeaseLost);
          continue;
        }
        actives[i]->lease_expires_at_unix_ms = now + millis(options_.lease);
        if (statuses[i] == LeaseStatus::kCancelRequested)
          actives[i]->context.cancel(CancelReason::kCancelled);
      }
    } catch (const std::exception& error) {
      log::warn("job heartbeat failed", {{"worker", options_.worker_id}, {"error", error.what()}});
      // Past its lease, a job may already run elsewhere: its handler should stop.
      std::lock_guard lock(mutex_);
      for (const auto& active : actives) {
        if (active->lease_expires_at_unix_ms <= now) active->context.cancel(CancelReason::kLeaseLost);
      }
    }
  }
}

void JobRunner::housekeeping_loop() {
  using Steady = std::chrono::steady_clock;
  auto next_schedule = Steady::now();
  auto next_sweep = Steady::now();
  auto next_stats = Steady::now();
  std::chrono::milliseconds tick = std::min(options_.schedule_interval, options_.stats_interval);
  if (options_.retention.has_value()) tick = std::min(tick, options_.retention->sweep_interval);
  tick = std::clamp(tick, std::chrono::milliseconds(10), std::chrono::milliseconds(1'000));
  do {
    const auto now = Steady::now();
    if (options_.run_scheduler && now >= next_schedule) {
      next_schedule = now + options_.schedule_interval;
      try {
        fire_due_schedules(queue_, clock_.now_unix_ms());
      } catch (const std::exception& error) {
        log::warn("firing job schedules failed", {{"error", error.what()}});
      }
    }
    if (options_.retention.has_value() && now >= next_sweep) {
      const JobRetention& retention = *options_.retention;
      next_sweep = now + retention.sweep_interval;
      try {
        const std::int64_t wall = clock_.now_unix_ms();
        std::size_t purged = 0;
        for (const auto& [after, states] :
             {std::pair{retention.succeeded_after, std::vector{JobState::kSucceeded, JobState::kCancelled}},
              std::pair{retention.dead_after, std::vector{JobState::kDead}}}) {
          while (!stop_background_) {
            const std::size_t deleted =
                queue_.purge_finished(PurgeRequest{wall - millis(after), retention.batch_size, states});
            purged += deleted;
            if (deleted < static_cast<std::size_t>(retention.batch_size)) break;
          }
        }
        if (purged > 0) log::info("finished jobs purged", {{"jobs", purged}});
        queue_.fold_finished_counts();
      } catch (const std::exception& error) {
        log::warn("job retention sweep failed", {{"error", error.what()}});
      }
    }
    if (metrics_ != nullptr && now >= next_stats) {
      next_stats = now + options_.stats_interval;
      try {
        const StatsRequest request{JobScope::system(), clock_.now_unix_ms(), std::nullopt};
        metrics_->update(database_.read([&](Transaction& tx) { return queue_.stats(tx, request); }));
      } catch (const std::exception& error) {
        log::warn("reading job queue figures failed", {{"error", error.what()}});
      }
    }
  } while (!sleep_unless(stop_background_, tick));
}

}  // namespace personae

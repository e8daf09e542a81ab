#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ports/database.hpp"

namespace personae {

// The durable job queue (docs/jobs.md). Jobs live in the database, so a job is enqueued in the
// same transaction as the write that needs it: it exists if and only if that write committed.
//
// Life of a job:
//
//   queued ──claim──> running ──complete──> succeeded
//     ^                  │ ├──fail, attempts left──> queued (run_at = the retry time, last_error set)
//     │                  │ ├──fail, no attempts left / permanent──> dead (the dead letter)
//     │                  │ └──cancel requested, then the handler stops──> cancelled
//     │                  └──lease expired (worker lost)──> queued again, or dead when it was the last
//     └──────replay────── dead / cancelled                              attempt (swept at claim time)
//
// "Failed, will retry" is not a state of its own: it is `queued` with `attempts > 0` and
// `last_error` set (Job::retrying()). Every attempt (number, worker, start, end, outcome, error) is
// kept in the job's history, across replays, until the job is purged.
//
// Times are unix milliseconds from the caller's clock (`now_unix_ms` arguments), so that tests
// inject time. Ids are positive integers that grow with time (newest first = highest first).

/// Where a job is in its life. Finished states: succeeded, dead, cancelled.
enum class JobState { kQueued, kRunning, kSucceeded, kDead, kCancelled };

inline constexpr std::string_view to_string(JobState state) {
  switch (state) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kSucceeded: return "succeeded";
    case JobState::kDead: return "dead";
    case JobState::kCancelled: return "cancelled";
  }
  return "queued";
}

inline std::optional<JobState> parse_job_state(std::string_view text) {
  for (const JobState state :
       {JobState::kQueued, JobState::kRunning, JobState::kSucceeded, JobState::kDead, JobState::kCancelled}) {
    if (to_string(state) == text) return state;
  }
  return std::nullopt;
}

inline constexpr bool is_finished(JobState state) {
  return state == JobState::kSucceeded || state == JobState::kDead || state == JobState::kCancelled;
}

/// How one attempt ended. kRunning: the attempt in progress (not yet ended).
enum class AttemptOutcome { kRunning, kSucceeded, kFailed, kLeaseExpired, kCancelled, kReleased };

inline constexpr std::string_view to_string(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::kRunning: return "running";
    case AttemptOutcome::kSucceeded: return "succeeded";
    case AttemptOutcome::kFailed: return "failed";
    case AttemptOutcome::kLeaseExpired: return "lease_expired";
    case AttemptOutcome::kCancelled: return "cancelled";
    case AttemptOutcome::kReleased: return "released";
  }
  return "failed";
}

inline std::optional<AttemptOutcome> parse_attempt_outcome(std::string_view text) {
  for (const AttemptOutcome outcome :
       {AttemptOutcome::kRunning, AttemptOutcome::kSucceeded, AttemptOutcome::kFailed,
        AttemptOutcome::kLeaseExpired, AttemptOutcome::kCancelled, AttemptOutcome::kReleased}) {
    if (to_string(outcome) == text) return outcome;
  }
  return std::nullopt;
}

inline constexpr int kDefaultJobMaxAttempts = 8;
inline constexpr int kMaxJobMaxAttempts = 100;
inline constexpr std::size_t kMaxJobPayloadBytes = std::size_t{256} * 1024;

/// What to run. `queue` and `kind` are 1-64 characters of [a-z0-9._-] starting with a letter or
/// digit; `payload_json` is a JSON document of at most kMaxJobPayloadBytes; `max_attempts` is
/// 1..kMaxJobMaxAttempts. enqueue() refuses anything else with kInvalidArgument naming the field.
struct JobSpec {
  std::string queue = "default";
  std::string kind;
  std::string payload_json = "{}";
  /// The owning tenant; nullopt for a system job (visible only to system scope).
  std::optional<std::string> tenant_id;
  /// Higher runs first among due jobs of a queue; ties go to the earlier run_at, then the lower id.
  int priority = 0;
  /// Not before this time; nullopt: at once (the enqueue's `now`).
  std::optional<std::int64_t> run_at_unix_ms;
  int max_attempts = kDefaultJobMaxAttempts;
  /// While a job with the same key (and tenant) is queued or running, enqueueing again returns that
  /// job instead of a new one. Once it has finished, the key is free again. At most 256 bytes.
  std::optional<std::string> unique_key;
};

/// Identifies one attempt of one job held by one worker: every worker-side write is a
/// compare-and-set on it, so a worker whose lease was lost (and the job re-claimed) changes nothing.
struct JobLease {
  std::int64_t job_id = 0;
  std::string worker_id;
  int attempt_number = 0;               ///< the job's attempt count across replays (history numbering)
  std::int64_t started_at_unix_ms = 0;  ///< when this attempt was claimed

  bool operator==(const JobLease&) const = default;
};

/// One attempt in a job's history.
struct JobAttempt {
  int number = 0;  ///< 1, 2, ... across replays
  std::string worker_id;
  std::int64_t started_at_unix_ms = 0;
  std::optional<std::int64_t> finished_at_unix_ms;  ///< nullopt while running
  AttemptOutcome outcome = AttemptOutcome::kRunning;
  std::string error;  ///< empty unless failed, lost, cancelled or released

  bool operator==(const JobAttempt&) const = default;
};

struct Job {
  std::int64_t id = 0;
  std::optional<std::string> tenant_id;
  std::string queue;
  std::string kind;
  std::string payload_json;
  int priority = 0;
  JobState state = JobState::kQueued;
  std::int64_t run_at_unix_ms = 0;
  int attempts = 0;  ///< attempts since the job was enqueued or last replayed (vs max_attempts)
  int max_attempts = kDefaultJobMaxAttempts;
  int attempt_number = 0;  ///< attempts ever made (numbering of the history)
  std::optional<std::string> unique_key;
  std::optional<std::string> lease_owner;                ///< the worker, while running
  std::optional<std::int64_t> lease_expires_at_unix_ms;  ///< while running
  bool cancel_requested = false;  ///< running, and cancel() was called: the handler should stop
  std::optional<std::string> last_error;
  std::optional<std::string> result_json;
  std::optional<std::string> progress_json;  ///< the handler's last progress report (heartbeats)
  std::int64_t created_at_unix_ms = 0;
  std::int64_t updated_at_unix_ms = 0;
  std::optional<std::int64_t> started_at_unix_ms;   ///< the latest attempt's start
  std::optional<std::int64_t> finished_at_unix_ms;  ///< when it reached a finished state
  /// Every attempt, oldest first, the running one last. Filled by get() only (list() leaves it
  /// empty).
  std::vector<JobAttempt> history;

  /// Queued after at least one failed attempt: waiting for its retry.
  bool retrying() const { return state == JobState::kQueued && attempts > 0; }
  /// The lease of the running attempt (meaningful only while running).
  JobLease lease() const {
    return JobLease{id, lease_owner.value_or(""), attempt_number, started_at_unix_ms.value_or(0)};
  }
};

/// What enqueue() did: created a job, or found a live one with the same unique key.
struct EnqueueResult {
  std::int64_t job_id = 0;
  bool created = true;
};

/// Whose jobs an operation sees. Tenant scope sees only that tenant's jobs (PostgreSQL row-level
/// security is the second line). System scope sees every tenant's jobs and the system jobs (those
/// without a tenant): it is the explicit, reviewable bypass, for workers and operators' tools only.
struct JobScope {
  std::optional<std::string> tenant_id;  ///< nullopt: system scope

  static JobScope tenant(std::string id) { return JobScope{std::move(id)}; }
  static JobScope system() { return JobScope{std::nullopt}; }
};

/// One queue a worker claims from.
struct QueueDemand {
  std::string queue;
  int max_count = 1;  ///< at most this many jobs of this queue in this claim
  /// At most this many jobs of this queue running at once across every worker (nullopt: no limit).
  std::optional<int> concurrency_limit;
};

struct ClaimRequest {
  std::string worker_id;  ///< 1-128 characters of [A-Za-z0-9._:@-]
  std::vector<QueueDemand> queues;
  std::chrono::milliseconds lease{30'000};
};

/// A running job's lease to extend, and optionally the handler's progress (JSON) to store.
struct LeaseRenewal {
  JobLease lease;
  std::optional<std::string> progress_json;
};

enum class LeaseStatus {
  kHeld,             ///< extended
  kCancelRequested,  ///< extended, but cancel() was called: the handler should stop
  kLost,             ///< no longer this worker's (expired and re-claimed, released, or purged)
};

struct JobCompletion {
  JobLease lease;
  std::string result_json = "null";
};

struct JobFailure {
  JobLease lease;
  std::string error;  ///< shown to operators: no secrets, no internals (at most 2000 bytes kept)
  /// When to try again; nullopt: no retry (the job is dead-lettered). The job is dead-lettered
  /// anyway when it has used max_attempts.
  std::optional<std::int64_t> retry_at_unix_ms;
  AttemptOutcome outcome = AttemptOutcome::kFailed;  ///< kFailed, or kCancelled for a handler that stopped
};

/// List filter; results are newest first. `before_id` is the cursor: JobPage::next_before_id of the
/// previous page.
struct JobFilter {
  JobScope scope;
  std::vector<JobState> states;  ///< empty: every state
  std::optional<std::string> queue;
  std::optional<std::string> kind;
  std::optional<std::int64_t> before_id;
  int limit = 50;  ///< 1..500
};

struct JobPage {
  std::vector<Job> jobs;
  std::optional<std::int64_t> next_before_id;  ///< nullopt: no more pages
};

/// Per-queue figures. `available` jobs are queued and due; `scheduled` are queued for later.
/// Succeeded and cancelled counts cover jobs finished since StatsRequest::finished_since_unix_ms
/// (counting every finished job would read the whole retained history); dead counts every dead
/// job still kept.
struct QueueStats {
  std::string queue;
  std::int64_t available = 0;
  std::int64_t scheduled = 0;
  std::int64_t running = 0;
  std::int64_t dead = 0;
  std::int64_t succeeded_recently = 0;
  std::int64_t cancelled_recently = 0;
  /// Age of the oldest available job (now - its run_at); nullopt when none is available.
  std::optional<std::int64_t> oldest_available_age_ms;
};

struct StatsRequest {
  JobScope scope;
  std::int64_t now_unix_ms = 0;
  /// Count succeeded and cancelled jobs finished at or after this time; nullopt: skip them.
  std::optional<std::int64_t> finished_since_unix_ms;
};

/// Deletes finished jobs (of `states`) that finished before the cutoff, oldest first.
struct PurgeRequest {
  std::int64_t finished_before_unix_ms = 0;
  int batch_size = 1000;  ///< at most this many rows per call (one transaction)
  std::vector<JobState> states{JobState::kSucceeded, JobState::kCancelled, JobState::kDead};
};

/// A recurring job: `cron` (5 fields, evaluated in `time_zone`, an IANA zone name) enqueues one job
/// per slot. `next_run_at_unix_ms` is computed by the scheduler service (services/jobs), never by
/// the database; nullopt while disabled.
struct JobSchedule {
  std::string id;  ///< 1-128 characters of [A-Za-z0-9._:-]
  std::optional<std::string> tenant_id;
  std::string cron;
  std::string time_zone = "UTC";
  std::string queue = "default";
  std::string kind;
  std::string payload_json = "{}";
  int priority = 0;
  int max_attempts = kDefaultJobMaxAttempts;
  bool enabled = true;
  std::optional<std::int64_t> next_run_at_unix_ms;
  std::optional<std::int64_t> last_run_at_unix_ms;  ///< the last slot fired
  std::optional<std::int64_t> last_job_id;
  std::int64_t created_at_unix_ms = 0;
  std::int64_t updated_at_unix_ms = 0;
};

/// Called when jobs may have become available on `queue`: after an enqueue, retry or replay
/// committed (PostgreSQL: from any process, through LISTEN/NOTIFY; SQLite: from this process only,
/// other processes are found by polling). Runs on the notifying thread, possibly while the
/// enqueuing transaction is still open (SQLite): it must only signal, never block or call the queue.
using JobsAvailableCallback = std::function<void(std::string_view queue)>;

/// The job queue port. Implementation: SqlJobQueue (adapters/queue) over SQLite and PostgreSQL.
///
/// Two kinds of method:
/// - Repository methods take the caller's Transaction (enqueue, get, list, cancel, retry_now,
///   replay, stats, the schedule CRUD), so they commit or roll back with the caller's other writes
///   (an audit entry, the business row that needs the job).
/// - Worker methods (claim, heartbeat, complete, fail, release, purge_finished, due_schedules,
///   fire_schedule) run in their own transaction and act as the system (across tenants).
///
/// Failures throw AppError: kInvalidArgument (with field errors) for a bad spec, kNotFound for a
/// job or schedule the scope cannot see, kConflict for a transition the job's state does not
/// allow, kUnavailable when the database is unreachable. Thread-safe; every call blocks.
class JobQueue {
 public:
  virtual ~JobQueue() = default;

  /// Adds a job inside `tx`. With a unique key matching a queued or running job of the same
  /// tenant (or of the system, for a system job), adds nothing and returns that job's id with
  /// created = false.
  virtual EnqueueResult enqueue(Transaction& tx, const JobSpec& spec, std::int64_t now_unix_ms) = 0;
  /// enqueue() for many specs at once (in as few statements as the database allows); results in
  /// the order of `specs`.
  virtual std::vector<EnqueueResult> enqueue_many(Transaction& tx, std::span<const JobSpec> specs,
                                                  std::int64_t now_unix_ms) = 0;

  /// Claims due queued jobs for `request.worker_id`, up to each demand's max_count, highest
  /// priority first, then the earliest run_at, holding each under a lease until now + lease. A
  /// demand's concurrency limit counts running jobs of that queue across all workers. Jobs whose
  /// lease expired are first returned to the queue (or dead-lettered after their last attempt).
  /// Two concurrent claims never return the same job.
  virtual std::vector<Job> claim(const ClaimRequest& request, std::int64_t now_unix_ms) = 0;

  /// Extends the leases still held to now + `lease`; one status per renewal, in order.
  virtual std::vector<LeaseStatus> heartbeat(std::span<const LeaseRenewal> renewals,
                                             std::chrono::milliseconds lease, std::int64_t now_unix_ms) = 0;

  /// Records successes; one flag per completion, in order: false when the lease was lost (the
  /// result is then discarded).
  virtual std::vector<bool> complete(std::span<const JobCompletion> completions,
                                     std::int64_t now_unix_ms) = 0;

  /// Records a failed attempt: queued again at retry_at, or dead, or cancelled when cancel() was
  /// called meanwhile. Returns the new state, or nullopt when the lease was lost.
  virtual std::optional<JobState> fail(const JobFailure& failure, std::int64_t now_unix_ms) = 0;

  /// Gives jobs back unfinished (a worker shutting down): queued again at once, the attempt not
  /// counted against max_attempts (the history records it as released). Returns how many leases
  /// were still held.
  virtual std::size_t release(std::span<const JobLease> leases, std::string_view reason,
                              std::int64_t now_unix_ms) = 0;

  /// The job with its history; nullopt when missing or outside `scope`.
  virtual std::optional<Job> get(Transaction& tx, const JobScope& scope, std::int64_t job_id) = 0;
  virtual JobPage list(Transaction& tx, const JobFilter& filter) = 0;

  /// A queued job is cancelled at once; a running one gets cancel_requested (its worker sees it
  /// at its next heartbeat, stops, and the job ends cancelled). kConflict when already finished.
  virtual Job cancel(Transaction& tx, const JobScope& scope, std::int64_t job_id,
                     std::int64_t now_unix_ms) = 0;
  /// A queued job (waiting for its run_at or its retry) becomes due now. kConflict otherwise.
  virtual Job retry_now(Transaction& tx, const JobScope& scope, std::int64_t job_id,
                        std::int64_t now_unix_ms) = 0;
  /// A dead or cancelled job is queued again, due now, with a fresh attempt budget; its history is
  /// kept. kConflict for other states, or when a live job holds its unique key.
  virtual Job replay(Transaction& tx, const JobScope& scope, std::int64_t job_id,
                     std::int64_t now_unix_ms) = 0;

  /// One entry per queue that has any job counted, sorted by queue name.
  virtual std::vector<QueueStats> stats(Transaction& tx, const StatsRequest& request) = 0;

  /// Deletes up to batch_size finished jobs; returns how many. Call again until it returns less
  /// than batch_size. Concurrent purges (several workers) skip each other's rows.
  virtual std::size_t purge_finished(const PurgeRequest& request) = 0;
  /// Compacts what stats() reads for its finished-since counts (an implementation may keep them as
  /// counters updated when jobs finish); the retention sweep calls it. Returns how many entries it
  /// folded into others or dropped.
  /// Never changes what stats() answers.
  virtual std::size_t fold_finished_counts() = 0;

  /// Schedules. create: kConflict when the id exists. update: replaces every field but id,
  /// tenant and created_at (kNotFound when missing or outside the scope implied by its tenant).
  virtual void create_schedule(Transaction& tx, const JobSchedule& schedule) = 0;
  virtual void update_schedule(Transaction& tx, const JobSchedule& schedule) = 0;
  /// Returns whether it existed (within scope).
  virtual bool delete_schedule(Transaction& tx, const JobScope& scope, const std::string& id) = 0;
  virtual std::optional<JobSchedule> get_schedule(Transaction& tx, const JobScope& scope,
                                                  const std::string& id) = 0;
  /// Sorted by id.
  virtual std::vector<JobSchedule> list_schedules(Transaction& tx, const JobScope& scope) = 0;

  /// Enabled schedules whose next_run_at is at or before now (system scope), earliest first.
  virtual std::vector<JobSchedule> due_schedules(std::int64_t now_unix_ms, int limit) = 0;
  /// Fires the slot `due.next_run_at_unix_ms` once: if the schedule still has that next_run_at,
  /// moves it to `next_run_at_unix_ms` and enqueues its job (unique key
  /// "schedule:<id>:<slot>") in one transaction, returning the job id; nullopt when another worker
  /// fired the slot first or the schedule changed meanwhile.
  virtual std::optional<std::int64_t> fire_schedule(const JobSchedule& due,
                                                    std::optional<std::int64_t> next_run_at_unix_ms,
                                                    std::int64_t now_unix_ms) = 0;

  /// Registers `callback` (see JobsAvailableCallback); returns a handle for unsubscribe().
  virtual std::uint64_t subscribe(JobsAvailableCallback callback) = 0;
  /// After it returns, the callback is not running and will not be called again.
  virtual void unsubscribe(std::uint64_t subscription) = 0;
};

}  // namespace personae

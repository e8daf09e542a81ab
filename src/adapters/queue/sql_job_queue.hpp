#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "adapters/queue/job_wakeups.hpp"
#include "ports/database.hpp"
#include "ports/job_queue.hpp"

namespace personae {

class PgJobListener;

struct SqlJobQueueOptions {
  /// PostgreSQL: the database URL and separate password (as given to SociDatabase) for the LISTEN
  /// connection that wakes workers. Empty: no listener; subscribers are then woken only by this
  /// process's own enqueues, and workers find other jobs by polling.
  std::string listen_url;
  std::optional<std::string> listen_password;
  /// How often a claim first returns expired leases to the queue (per SqlJobQueue object): a job
  /// whose worker was lost becomes claimable within this long after its lease expired.
  std::chrono::milliseconds rescue_interval{1'000};
  /// Most expired leases handled per sweep.
  int rescue_batch = 100;
};

/// The JobQueue port over SQLite and PostgreSQL (the tables of migration 0004_jobs).
///
/// PostgreSQL: claims pick rows with `FOR UPDATE SKIP LOCKED`, so concurrent workers never wait
/// on each other's rows; a queue with a concurrency limit is claimed under a transaction-scoped
/// advisory lock on that queue, so that counting its running jobs and claiming is atomic across
/// workers; an enqueue of a due job sends `NOTIFY personae_jobs, '<queue>'` inside the caller's
/// transaction (delivered at commit, dropped at rollback), and a PgJobListener turns it into
/// subscriber callbacks. SQLite: one writer at a time (`BEGIN IMMEDIATE`) gives the same
/// semantics; an enqueue wakes this process's subscribers at once (the woken claim waits for the
/// enqueuing transaction to commit).
///
/// Tenant scoping: repository methods call scope_to_tenant() for a tenant scope and
/// bypass_tenant_scope() for system scope (workers, operators' tools, system jobs); queries also
/// filter on the tenant explicitly. Thread-safe. `database` must outlive this object.
class SqlJobQueue final : public JobQueue {
 public:
  explicit SqlJobQueue(Database& database, SqlJobQueueOptions options = {});
  ~SqlJobQueue() override;
  SqlJobQueue(const SqlJobQueue&) = delete;
  SqlJobQueue& operator=(const SqlJobQueue&) = delete;

  EnqueueResult enqueue(Transaction& tx, const JobSpec& spec, std::int64_t now_unix_ms) override;
  std::vector<EnqueueResult> enqueue_many(Transaction& tx, std::span<const JobSpec> specs,
                                          std::int64_t now_unix_ms) override;

  std::vector<Job> claim(const ClaimRequest& request, std::int64_t now_unix_ms) override;
  std::vector<LeaseStatus> heartbeat(std::span<const LeaseRenewal> renewals, std::chrono::milliseconds lease,
                                     std::int64_t now_unix_ms) override;
  std::vector<bool> complete(std::span<const JobCompletion> completions, std::int64_t now_unix_ms) override;
  std::optional<JobState> fail(const JobFailure& failure, std::int64_t now_unix_ms) override;
  std::size_t release(std::span<const JobLease> leases, std::string_view reason,
                      std::int64_t now_unix_ms) override;

  std::optional<Job> get(Transaction& tx, const JobScope& scope, std::int64_t job_id) override;
  JobPage list(Transaction& tx, const JobFilter& filter) override;
  Job cancel(Transaction& tx, const JobScope& scope, std::int64_t job_id, std::int64_t now_unix_ms) override;
  Job retry_now(Transaction& tx, const JobScope& scope, std::int64_t job_id,
                std::int64_t now_unix_ms) override;
  Job replay(Transaction& tx, const JobScope& scope, std::int64_t job_id, std::int64_t now_unix_ms) override;
  std::vector<QueueStats> stats(Transaction& tx, const StatsRequest& request) override;
  std::size_t purge_finished(const PurgeRequest& request) override;
  std::size_t fold_finished_counts() override;

  void create_schedule(Transaction& tx, const JobSchedule& schedule) override;
  void update_schedule(Transaction& tx, const JobSchedule& schedule) override;
  bool delete_schedule(Transaction& tx, const JobScope& scope, const std::string& id) override;
  std::optional<JobSchedule> get_schedule(Transaction& tx, const JobScope& scope,
                                          const std::string& id) override;
  std::vector<JobSchedule> list_schedules(Transaction& tx, const JobScope& scope) override;
  std::vector<JobSchedule> due_schedules(std::int64_t now_unix_ms, int limit) override;
  std::optional<std::int64_t> fire_schedule(const JobSchedule& due,
                                            std::optional<std::int64_t> next_run_at_unix_ms,
                                            std::int64_t now_unix_ms) override;

  std::uint64_t subscribe(JobsAvailableCallback callback) override;
  void unsubscribe(std::uint64_t subscription) override;

  /// Returns expired leases to the queue now (claim() does it every rescue_interval); returns how
  /// many jobs it moved.
  std::size_t rescue_expired(std::int64_t now_unix_ms);

  /// Whether the PostgreSQL listener is connected (false on SQLite or before the first subscriber).
  bool listening() const;

 private:
  std::vector<EnqueueResult> insert_jobs(Transaction& tx, std::span<const JobSpec> specs,
                                         std::int64_t now_unix_ms);
  void announce(Transaction& tx, const std::string& queue);
  std::size_t rescue_in(Transaction& tx, std::int64_t now_unix_ms);

  Database& database_;
  SqlJobQueueOptions options_;
  JobWakeups wakeups_;
  mutable std::mutex listener_mutex_;
  std::unique_ptr<PgJobListener> listener_;
  std::atomic<std::int64_t> next_rescue_at_{0};
};

}  // namespace personae

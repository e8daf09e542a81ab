#include "adapters/queue/sql_job_queue.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/tenant_scope.hpp"
#include "adapters/queue/job_rows.hpp"
#include "adapters/queue/pg_job_listener.hpp"
#include "core/error.hpp"

namespace personae {
namespace {

using job_rows::Params;

constexpr const char* kChannel = "personae_jobs";
// Rows per multi-row statement.
constexpr std::size_t kChunk = 1000;
constexpr std::size_t kMaxErrorBytes = 2000;
constexpr int kMaxListLimit = 500;
// pg_advisory_xact_lock(class, key) class for per-queue claim locks ("jobs" in ASCII); the
// two-key form never collides with the migrator's one-key lock.
constexpr int kQueueLockClass = 0x6A6F6273;

// The exact predicates of the partial indexes: SQLite uses a partial index only when the query's
// WHERE clause contains its predicate's terms.
constexpr const char* kLiveUnique = "unique_key IS NOT NULL AND state IN ('queued', 'running')";
constexpr const char* kFinished = "state IN ('succeeded', 'dead', 'cancelled')";
// The granularity of job_finished_counts.
constexpr std::int64_t kMinuteMs = 60'000;
// pg_try_advisory_xact_lock key of the counters' fold (any constant unique to this use).
constexpr long long kFoldLock = 0x706a6f6273666f6cLL;  // "pjobsfol"

struct IdColumns {
  long long id = 0;
  void bind(soci::statement& statement) { statement.exchange(soci::into(id)); }
  std::int64_t value() const { return id; }
};

struct IdAndFlagColumns {
  long long id = 0;
  int flag = 0;
  void bind(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(flag));
  }
  std::int64_t value() const { return id; }
};

struct InsertedColumns {
  int index = 0;
  long long id = 0;
  int inserted = 0;

  struct Row {
    int index;
    std::int64_t id;
    bool inserted;
  };
  void bind(soci::statement& statement) {
    statement.exchange(soci::into(index));
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(inserted));
  }
  Row value() const { return Row{index, id, inserted != 0}; }
};

struct TextColumns {
  std::string text;
  void bind(soci::statement& statement) { statement.exchange(soci::into(text)); }
  std::string value() const { return text; }
};

struct IntColumns {
  int number = 0;
  void bind(soci::statement& statement) { statement.exchange(soci::into(number)); }
  int value() const { return number; }
};

struct StateAndQueueColumns {
  std::string state;
  std::string queue;
  void bind(soci::statement& statement) {
    statement.exchange(soci::into(state));
    statement.exchange(soci::into(queue));
  }
  std::pair<std::string, std::string> value() const { return {state, queue}; }
};

struct ExpiredColumns {
  long long id = 0;
  std::string queue;
  long long run_at = 0;
  int attempts = 0;
  int max_attempts = 0;
  int attempt_number = 0;
  std::string lease_owner;
  soci::indicator lease_owner_indicator = soci::i_null;
  long long started_at = 0;
  soci::indicator started_at_indicator = soci::i_null;
  int cancel_requested = 0;

  struct Row {
    std::int64_t id;
    std::string queue;
    std::int64_t run_at;
    int attempts;
    int max_attempts;
    int attempt_number;
    std::string lease_owner;
    std::int64_t started_at;
    bool cancel_requested;
  };
  void bind(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(queue));
    statement.exchange(soci::into(run_at));
    statement.exchange(soci::into(attempts));
    statement.exchange(soci::into(max_attempts));
    statement.exchange(soci::into(attempt_number));
    statement.exchange(soci::into(lease_owner, lease_owner_indicator));
    statement.exchange(soci::into(started_at, started_at_indicator));
    statement.exchange(soci::into(cancel_requested));
  }
  Row value() const {
    return Row{id,
               queue,
               run_at,
               attempts,
               max_attempts,
               attempt_number,
               lease_owner_indicator == soci::i_ok ? lease_owner : "",
               started_at_indicator == soci::i_ok ? started_at : 0,
               cancel_requested != 0};
  }
};

struct StatsColumns {
  std::string queue;
  std::string kind;  // which figure the row carries
  long long first = 0;
  long long second = 0;
  long long oldest = 0;
  soci::indicator oldest_indicator = soci::i_null;

  struct Row {
    std::string queue;
    std::string kind;
    std::int64_t first;
    std::int64_t second;
    std::optional<std::int64_t> oldest;
  };
  void bind(soci::statement& statement) {
    statement.exchange(soci::into(queue));
    statement.exchange(soci::into(kind));
    statement.exchange(soci::into(first));
    statement.exchange(soci::into(second));
    statement.exchange(soci::into(oldest, oldest_indicator));
  }
  Row value() const {
    return Row{queue, kind, first, second,
               oldest_indicator == soci::i_ok ? std::optional<std::int64_t>(oldest) : std::nullopt};
  }
};

// Runs `work` in the scope's row-level-security context: tenant scope, or the explicit bypass.
template <class Work>
decltype(auto) in_scope(Transaction& tx, const JobScope& scope, Work&& work) {
  if (scope.tenant_id.has_value()) {
    scope_to_tenant(tx, *scope.tenant_id);
    return work();
  }
  return bypass_tenant_scope(tx, std::forward<Work>(work));
}

// " AND <column> = :scope_tenant" for a tenant scope (bound in `params`), nothing for system.
std::string scope_filter(const JobScope& scope, Params& params, const char* column = "tenant_id") {
  if (!scope.tenant_id.has_value()) return "";
  params.text("scope_tenant", *scope.tenant_id);
  return std::string(" AND ") + column + " = :scope_tenant";
}

// find_job, load_scoped and throw_transition_refused expect the scope already set on `tx`.
std::optional<Job> find_job(Transaction& tx, const JobScope& scope, std::int64_t job_id) {
  Params params;
  params.integer("id", job_id);
  const std::string filter = scope_filter(scope, params);
  auto rows = job_rows::fetch<job_rows::JobColumnsWithHistory>(
      soci_session(tx), "SELECT " + job_rows::job_columns("", true) + " FROM jobs WHERE id = :id" + filter,
      params);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

Job load_scoped(Transaction& tx, const JobScope& scope, std::int64_t job_id) {
  std::optional<Job> job = find_job(tx, scope, job_id);
  if (!job.has_value()) throw AppError(ErrorCode::kNotFound, "no such job");
  return std::move(*job);
}

[[noreturn]] void throw_transition_refused(Transaction& tx, const JobScope& scope, std::int64_t job_id,
                                           const char* action) {
  const Job job = load_scoped(tx, scope, job_id);
  throw AppError(ErrorCode::kConflict,
                 std::string("a ") + std::string(to_string(job.state)) + " job cannot be " + action);
}

std::string quoted_states(const std::vector<JobState>& states) {
  std::string list;
  for (const JobState state : states) {
    if (!list.empty()) list += ", ";
    list += "'";
    list += to_string(state);
    list += "'";
  }
  return list;
}

std::string attempt_entry(const JobLease& lease, std::int64_t now_unix_ms, AttemptOutcome outcome,
                          const std::string& error) {
  return job_rows::history_entry(JobAttempt{lease.attempt_number, lease.worker_id, lease.started_at_unix_ms,
                                            now_unix_ms, outcome, error});
}

// The live (queued or running) job holding `unique_key` in the tenant's key space (or the system
// jobs' one), if any.
std::optional<std::int64_t> live_holder(soci::session& sql, const std::optional<std::string>& tenant_id,
                                        const std::string& unique_key) {
  Params params;
  params.text("unique_key", unique_key);
  std::string tenant_filter = "tenant_id IS NULL";
  if (tenant_id.has_value()) {
    params.text("tenant_id", *tenant_id);
    tenant_filter = "tenant_id = :tenant_id";
  }
  const auto ids = job_rows::fetch<IdColumns>(
      sql, "SELECT id FROM jobs WHERE " + tenant_filter + " AND unique_key = :unique_key AND " + kLiveUnique,
      params);
  if (ids.empty()) return std::nullopt;
  return ids.front();
}

void check_lease(const JobLease& lease) {
  if (!job_rows::valid_worker_id(lease.worker_id) || lease.job_id <= 0 || lease.attempt_number <= 0) {
    throw AppError(ErrorCode::kInvalidArgument, "malformed job lease");
  }
}

}  // namespace

SqlJobQueue::SqlJobQueue(Database& database, SqlJobQueueOptions options)
    : database_(database), options_(std::move(options)) {
  if (options_.rescue_batch < 1) throw ConfigError("the lease rescue batch must be at least 1");
}

SqlJobQueue::~SqlJobQueue() = default;

bool SqlJobQueue::listening() const {
  std::lock_guard lock(listener_mutex_);
  return listener_ != nullptr && listener_->listening();
}

std::uint64_t SqlJobQueue::subscribe(JobsAvailableCallback callback) {
  const std::uint64_t id = wakeups_.subscribe(std::move(callback));
  if (database_.dialect() == Dialect::kPostgresql && !options_.listen_url.empty()) {
    std::lock_guard lock(listener_mutex_);
    // Started by the first subscriber: a process that only enqueues needs no listening connection.
    if (listener_ == nullptr) {
      listener_ = std::make_unique<PgJobListener>(
          PgJobListenerOptions{options_.listen_url, options_.listen_password, kChannel}, wakeups_);
    }
  }
  return id;
}

void SqlJobQueue::unsubscribe(std::uint64_t subscription) {
  wakeups_.unsubscribe(subscription);
}

void SqlJobQueue::announce(Transaction& tx, const std::string& queue) {
  if (tx.dialect() == Dialect::kPostgresql) {
    Params params;
    params.text("queue", queue);
    // Delivered when (and only if) the transaction commits.
    job_rows::execute(soci_session(tx), std::string("SELECT pg_notify('") + kChannel + "', :queue)", params);
  } else {
    wakeups_.notify(queue);
  }
}

EnqueueResult SqlJobQueue::enqueue(Transaction& tx, const JobSpec& spec, std::int64_t now_unix_ms) {
  job_rows::validate_spec(spec);
  const JobScope scope = spec.tenant_id.has_value() ? JobScope::tenant(*spec.tenant_id) : JobScope::system();
  return in_scope(tx, scope, [&] { return insert_jobs(tx, std::span<const JobSpec>(&spec, 1), now_unix_ms); })
      .front();
}

std::vector<EnqueueResult> SqlJobQueue::enqueue_many(Transaction& tx, std::span<const JobSpec> specs,
                                                     std::int64_t now_unix_ms) {
  for (std::size_t i = 0; i < specs.size(); ++i) {
    job_rows::validate_spec(specs[i], "jobs[" + std::to_string(i) + "].");
  }
  if (specs.empty()) return {};
  // One tenant: that tenant's scope. Several, or system jobs: the system's.
  const std::optional<std::string>& tenant = specs.front().tenant_id;
  const bool one_tenant =
      tenant.has_value() &&
      std::all_of(specs.begin(), specs.end(), [&](const JobSpec& spec) { return spec.tenant_id == tenant; });
  const JobScope scope = one_tenant ? JobScope::tenant(*tenant) : JobScope::system();
  return in_scope(tx, scope, [&] { return insert_jobs(tx, specs, now_unix_ms); });
}

std::vector<EnqueueResult> SqlJobQueue::insert_jobs(Transaction& tx, std::span<const JobSpec> specs,
                                                    std::int64_t now_unix_ms) {
  soci::session& sql = soci_session(tx);
  const bool postgresql = tx.dialect() == Dialect::kPostgresql;
  std::vector<EnqueueResult> results(specs.size());
  std::set<std::string> due_queues;

  const auto bind_row = [&](Params& params, const JobSpec& spec) {
    params.optional_text("tenant_id", spec.tenant_id)
        .text("queue", spec.queue)
        .text("kind", spec.kind)
        .text("payload", spec.payload_json)
        .integer("priority", spec.priority)
        .integer("run_at", spec.run_at_unix_ms.value_or(now_unix_ms))
        .integer("max_attempts", spec.max_attempts)
        .optional_text("unique_key", spec.unique_key)
        .integer("now", now_unix_ms);
  };
  const std::string columns =
      "tenant_id, queue, kind, payload, priority, state, run_at, max_attempts, unique_key, created_at, "
      "updated_at";

  // The live job holding a spec's unique key, after the insert yielded to it.
  const auto existing = [&](const JobSpec& spec) {
    return live_holder(sql, spec.tenant_id, *spec.unique_key);
  };

  const auto insert_one = [&](const JobSpec& spec) -> std::optional<std::int64_t> {
    Params params;
    bind_row(params, spec);
    const bool due = spec.run_at_unix_ms.value_or(now_unix_ms) <= now_unix_ms;
    std::string query =
        "INSERT INTO jobs (" + columns +
        ") VALUES (:tenant_id, :queue, :kind, :payload, :priority, 'queued', :run_at, :max_attempts, "
        ":unique_key, :now, :now) ON CONFLICT DO NOTHING";
    if (postgresql && due) {
      // The wake-up rides on the insert: one round trip, and only for a row actually inserted.
      query += std::string(" RETURNING id, CASE WHEN pg_notify('") + kChannel +
               "', queue) IS NULL THEN 0 ELSE 1 END";
      const auto ids = job_rows::fetch<IdAndFlagColumns>(sql, query, params);
      return ids.empty() ? std::nullopt : std::optional<std::int64_t>(ids.front());
    }
    const auto ids = job_rows::fetch<IdColumns>(sql, query + " RETURNING id", params);
    if (!ids.empty() && due) due_queues.insert(spec.queue);
    return ids.empty() ? std::nullopt : std::optional<std::int64_t>(ids.front());
  };

  // A key's holder can finish between the insert yielding and the lookup (PostgreSQL reads each
  // statement's own snapshot): then the insert is tried again.
  const auto resolve_conflict = [&](const JobSpec& spec) -> EnqueueResult {
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (const auto id = existing(spec)) return EnqueueResult{*id, false};
      if (const auto id = insert_one(spec)) return EnqueueResult{*id, true};
    }
    throw AppError(ErrorCode::kUnavailable, "the job's unique key is contended; try again");
  };

  if (!postgresql || specs.size() == 1) {
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const std::optional<std::int64_t> id = insert_one(specs[i]);
      results[i] = id.has_value() ? EnqueueResult{*id, true} : resolve_conflict(specs[i]);
    }
  } else {
    // PostgreSQL, several jobs: one statement per chunk with the jobs as one JSON parameter (a
    // statement with thousands of parameters costs more to parse than the rows cost to insert).
    // Ids are drawn in the statement, which returns each spec's id and whether it was inserted.
    for (std::size_t begin = 0; begin < specs.size(); begin += kChunk) {
      const std::size_t count = std::min(kChunk, specs.size() - begin);
      nlohmann::json rows = nlohmann::json::array();
      for (std::size_t i = 0; i < count; ++i) {
        const JobSpec& spec = specs[begin + i];
        rows.push_back(
            {{"i", i},
             {"tenant_id", spec.tenant_id.has_value() ? nlohmann::json(*spec.tenant_id) : nullptr},
             {"queue", spec.queue},
             {"kind", spec.kind},
             {"payload", spec.payload_json},
             {"priority", spec.priority},
             {"run_at", spec.run_at_unix_ms.value_or(now_unix_ms)},
             {"max_attempts", spec.max_attempts},
             {"unique_key", spec.unique_key.has_value() ? nlohmann::json(*spec.unique_key) : nullptr}});
      }
      Params params;
      params.text("jobs", rows.dump()).integer("now", now_unix_ms);
      const auto inserted = job_rows::fetch<InsertedColumns>(
          sql,
          "WITH input AS (SELECT * FROM json_to_recordset(CAST(:jobs AS json)) AS j(i int, tenant_id text, "
          "queue text, kind text, payload text, priority int, run_at bigint, max_attempts int, unique_key "
          "text)), "
          "numbered AS MATERIALIZED (SELECT nextval(pg_get_serial_sequence('jobs', 'id')) AS id, input.* "
          "FROM input), "
          "inserted AS (INSERT INTO jobs (id, " +
              columns +
              ") SELECT id, tenant_id, queue, kind, payload, priority, 'queued', run_at, max_attempts, "
              "unique_key, "
              ":now, :now FROM numbered ORDER BY i ON CONFLICT DO NOTHING RETURNING id) "
              "SELECT numbered.i, numbered.id, CASE WHEN inserted.id IS NULL THEN 0 ELSE 1 END "
              "FROM numbered LEFT JOIN inserted ON inserted.id = numbered.id",
          params);
      for (const InsertedColumns::Row& row : inserted) {
        const std::size_t index = begin + static_cast<std::size_t>(row.index);
        const JobSpec& spec = specs[index];
        if (row.inserted) {
          results[index] = EnqueueResult{row.id, true};
          if (spec.run_at_unix_ms.value_or(now_unix_ms) <= now_unix_ms) due_queues.insert(spec.queue);
        } else {
          results[index] = resolve_conflict(spec);
        }
      }
    }
  }
  for (const std::string& queue : due_queues) announce(tx, queue);
  return results;
}

std::size_t SqlJobQueue::rescue_expired(std::int64_t now_unix_ms) {
  return database_.write(
      [&](Transaction& tx) { return bypass_tenant_scope(tx, [&] { return rescue_in(tx, now_unix_ms); }); });
}

std::size_t SqlJobQueue::rescue_in(Transaction& tx, std::int64_t now_unix_ms) {
  soci::session& sql = soci_session(tx);
  Params params;
  params.integer("now", now_unix_ms).integer("limit", options_.rescue_batch);
  const auto expired = job_rows::fetch<ExpiredColumns>(
      sql,
      std::string(
          "SELECT id, queue, run_at, attempts, max_attempts, attempt_number, lease_owner, started_at, "
          "cancel_requested FROM jobs WHERE state = 'running' AND lease_expires_at <= :now "
          "ORDER BY lease_expires_at LIMIT :limit") +
          (tx.dialect() == Dialect::kPostgresql ? " FOR UPDATE SKIP LOCKED" : ""),
      params);
  std::set<std::string> requeued;
  for (const ExpiredColumns::Row& row : expired) {
    JobState state = JobState::kQueued;
    std::string error = "the worker's lease expired (worker lost or stalled)";
    if (row.cancel_requested) {
      state = JobState::kCancelled;
    } else if (row.attempts >= row.max_attempts) {
      state = JobState::kDead;
    }
    const std::string entry =
        job_rows::history_entry(JobAttempt{row.attempt_number, row.lease_owner, row.started_at, now_unix_ms,
                                           AttemptOutcome::kLeaseExpired, error});
    Params update;
    update.text("state", std::string(to_string(state)))
        .integer("run_at", state == JobState::kQueued ? now_unix_ms : row.run_at)
        .optional_integer("finished_at",
                          is_finished(state) ? std::optional<long long>(now_unix_ms) : std::nullopt)
        .text("error", error)
        .text("entry", entry)
        .integer("now", now_unix_ms)
        .integer("id", row.id)
        .integer("attempt", row.attempt_number);
    job_rows::execute(sql,
                      "UPDATE jobs SET state = :state, run_at = :run_at, finished_at = :finished_at, "
                      "last_error = :error, history = history || :entry, lease_owner = NULL, "
                      "lease_expires_at = NULL, updated_at = :now "
                      "WHERE id = :id AND state = 'running' AND attempt_number = :attempt",
                      update);
    if (state == JobState::kQueued) requeued.insert(row.queue);
  }
  for (const std::string& queue : requeued) announce(tx, queue);
  return expired.size();
}

std::vector<Job> SqlJobQueue::claim(const ClaimRequest& request, std::int64_t now_unix_ms) {
  if (!job_rows::valid_worker_id(request.worker_id)) {
    throw AppError(ErrorCode::kInvalidArgument, "malformed worker id");
  }
  if (request.lease.count() <= 0) throw AppError(ErrorCode::kInvalidArgument, "the lease must be positive");
  for (const QueueDemand& demand : request.queues) {
    if (!job_rows::valid_name(demand.queue) || demand.max_count < 0 ||
        (demand.concurrency_limit.has_value() && *demand.concurrency_limit < 0)) {
      throw AppError(ErrorCode::kInvalidArgument, "malformed queue demand");
    }
  }
  const bool rescue = now_unix_ms >= next_rescue_at_.load();
  if (rescue) next_rescue_at_ = now_unix_ms + options_.rescue_interval.count();

  std::vector<Job> claimed = database_.write([&](Transaction& tx) {
    return bypass_tenant_scope(tx, [&] {
      soci::session& sql = soci_session(tx);
      const bool postgresql = tx.dialect() == Dialect::kPostgresql;
      if (postgresql) {
        // Take due jobs in the order of the jobs_queued index and stop at the limit. The
        // row-level-security filter is estimated to keep 0.5 % of the rows, so with a large
        // backlog the planner would rather read every due job and sort them: 100-180 ms per claim
        // of 500 from a backlog of 100,000 in bench/queue.sh, against a few ms. Only this
        // transaction is affected.
        sql << "SET LOCAL enable_sort = off";
      }
      if (rescue) rescue_in(tx, now_unix_ms);
      std::vector<Job> jobs;
      for (const QueueDemand& demand : request.queues) {
        long long wanted = demand.max_count;
        if (demand.concurrency_limit.has_value() && wanted > 0) {
          Params params;
          params.text("queue", demand.queue);
          if (postgresql) {
            // Held to commit: claims of this queue count and claim one at a time.
            Params lock;
            lock.integer("class", kQueueLockClass).text("queue", demand.queue);
            job_rows::execute(sql, "SELECT pg_advisory_xact_lock(:class, hashtext(:queue))", lock);
          }
          const auto running = job_rows::fetch<IdColumns>(
              sql, "SELECT COUNT(*) FROM jobs WHERE state = 'running' AND queue = :queue", params);
          wanted = std::min<long long>(wanted, *demand.concurrency_limit - running.front());
        }
        if (wanted <= 0) continue;
        Params params;
        params.text("queue", demand.queue)
            .integer("now", now_unix_ms)
            .integer("limit", wanted)
            .text("worker", request.worker_id)
            .integer("expires", now_unix_ms + request.lease.count());
        const std::string set =
            "SET state = 'running', attempts = attempts + 1, attempt_number = attempt_number + 1, "
            "lease_owner = :worker, lease_expires_at = :expires, started_at = :now, updated_at = :now, "
            "progress = NULL ";
        const std::string pick =
            "SELECT id FROM jobs WHERE state = 'queued' AND queue = :queue AND run_at <= :now "
            "ORDER BY priority DESC, run_at, id LIMIT :limit";
        std::string query;
        if (postgresql) {
          query += "WITH picked AS MATERIALIZED (";
          query += pick;
          query += " FOR UPDATE SKIP LOCKED) UPDATE jobs ";
          query += set;
          query += "FROM picked WHERE jobs.id = picked.id RETURNING ";
          query += job_rows::job_columns("jobs.", false);
        } else {
          query += "UPDATE jobs ";
          query += set;
          query += "WHERE id IN (";
          query += pick;
          query += ") RETURNING ";
          query += job_rows::job_columns("", false);
        }
        std::vector<Job> rows = job_rows::fetch<job_rows::JobColumns>(sql, query, params);
        std::move(rows.begin(), rows.end(), std::back_inserter(jobs));
      }
      return jobs;
    });
  });
  std::sort(claimed.begin(), claimed.end(), [](const Job& a, const Job& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    if (a.run_at_unix_ms != b.run_at_unix_ms) return a.run_at_unix_ms < b.run_at_unix_ms;
    return a.id < b.id;
  });
  return claimed;
}

std::vector<LeaseStatus> SqlJobQueue::heartbeat(std::span<const LeaseRenewal> renewals,
                                                std::chrono::milliseconds lease, std::int64_t now_unix_ms) {
  if (renewals.empty()) return {};
  for (const LeaseRenewal& renewal : renewals) check_lease(renewal.lease);
  return database_.write([&](Transaction& tx) {
    return bypass_tenant_scope(tx, [&] {
      soci::session& sql = soci_session(tx);
      std::vector<LeaseStatus> statuses;
      statuses.reserve(renewals.size());
      for (const LeaseRenewal& renewal : renewals) {
        Params params;
        params.integer("expires", now_unix_ms + lease.count())
            .integer("now", now_unix_ms)
            .optional_text("progress", renewal.progress_json)
            .integer("id", renewal.lease.job_id)
            .text("worker", renewal.lease.worker_id)
            .integer("attempt", renewal.lease.attempt_number);
        const auto cancel = job_rows::fetch<IntColumns>(
            sql,
            "UPDATE jobs SET lease_expires_at = :expires, updated_at = :now, "
            "progress = COALESCE(:progress, progress) "
            "WHERE id = :id AND state = 'running' AND lease_owner = :worker AND attempt_number = :attempt "
            "RETURNING cancel_requested",
            params);
        if (cancel.empty()) {
          statuses.push_back(LeaseStatus::kLost);
        } else {
          statuses.push_back(cancel.front() != 0 ? LeaseStatus::kCancelRequested : LeaseStatus::kHeld);
        }
      }
      return statuses;
    });
  });
}

std::vector<bool> SqlJobQueue::complete(std::span<const JobCompletion> completions,
                                        std::int64_t now_unix_ms) {
  if (completions.empty()) return {};
  for (const JobCompletion& completion : completions) check_lease(completion.lease);
  const std::set<std::int64_t> recorded = database_.write([&](Transaction& tx) {
    return bypass_tenant_scope(tx, [&] {
      soci::session& sql = soci_session(tx);
      std::set<std::int64_t> ids;
      if (tx.dialect() == Dialect::kPostgresql) {
        // The join below must hash the VALUES list (or look each id up). Statistics taken while
        // no job was running (a fresh or idle table) estimate one running row, and the planner
        // then loops over the running jobs once per completion: 500 x 500 comparisons per batch,
        // which cut throughput by 3-4x in bench/queue.sh. Only this transaction is affected.
        sql << "SET LOCAL enable_nestloop = off";
      }
      // One statement per chunk: the completions join the table through a VALUES list.
      for (std::size_t begin = 0; begin < completions.size(); begin += kChunk) {
        const std::size_t count = std::min(kChunk, completions.size() - begin);
        Params params;
        params.integer("now", now_unix_ms);
        std::string values;
        for (std::size_t i = 0; i < count; ++i) {
          const JobCompletion& completion = completions[begin + i];
          const std::string n = std::to_string(i);
          params.integer("id" + n, completion.lease.job_id)
              .integer("attempt" + n, completion.lease.attempt_number)
              .text("result" + n, completion.result_json)
              .text("entry" + n, attempt_entry(completion.lease, now_unix_ms, AttemptOutcome::kSucceeded, ""))
              .text("worker" + n, completion.lease.worker_id);
          values += values.empty() ? "(" : ", (";
          const char* separator = "";
          for (const auto& [name, type] :
               {std::pair{"id", "BIGINT"}, std::pair{"attempt", "INTEGER"}, std::pair{"result", "TEXT"},
                std::pair{"entry", "TEXT"}, std::pair{"worker", "TEXT"}}) {
            values += separator;
            values += "CAST(:";
            values += name;
            values += n;
            values += " AS ";
            values += type;
            values += ")";
            separator = ", ";
          }
          values += ")";
        }
        const auto done = job_rows::fetch<IdColumns>(
            sql,
            "UPDATE jobs SET state = 'succeeded', result = v.column3, history = jobs.history || v.column4, "
            "lease_owner = NULL, lease_expires_at = NULL, finished_at = :now, updated_at = :now "
            "FROM (VALUES " +
                values +
                ") AS v WHERE jobs.id = v.column1 AND jobs.attempt_number = v.column2 "
                "AND jobs.lease_owner = v.column5 AND jobs.state = 'running' RETURNING jobs.id",
            params);
        ids.insert(done.begin(), done.end());
      }
      return ids;
    });
  });
  std::vector<bool> flags;
  flags.reserve(completions.size());
  for (const JobCompletion& completion : completions)
    flags.push_back(recorded.contains(completion.lease.job_id));
  return flags;
}

std::optional<JobState> SqlJobQueue::fail(const JobFailure& failure, std::int64_t now_unix_ms) {
  check_lease(failure.lease);
  const std::string error = job_rows::truncate_utf8(failure.error, kMaxErrorBytes);
  const std::string entry = attempt_entry(failure.lease, now_unix_ms, failure.outcome, error);
  return database_.write([&](Transaction& tx) -> std::optional<JobState> {
    return bypass_tenant_scope(tx, [&]() -> std::optional<JobState> {
      Params params;
      params.integer("retry", failure.retry_at_unix_ms.has_value() ? 1 : 0)
          .integer("retry_at", failure.retry_at_unix_ms.value_or(now_unix_ms))
          .integer("now", now_unix_ms)
          .text("error", error)
          .text("entry", entry)
          .integer("id", failure.lease.job_id)
          .text("worker", failure.lease.worker_id)
          .integer("attempt", failure.lease.attempt_number);
      const std::string retries = "(cancel_requested = 0 AND :retry = 1 AND attempts < max_attempts)";
      const auto rows = job_rows::fetch<StateAndQueueColumns>(
          soci_session(tx),
          "UPDATE jobs SET state = CASE WHEN cancel_requested = 1 THEN 'cancelled' WHEN " + retries +
              " THEN 'queued' ELSE 'dead' END, "
              "run_at = CASE WHEN " +
              retries + " THEN CAST(:retry_at AS BIGINT) ELSE run_at END, finished_at = CASE WHEN " +
              retries +
              " THEN NULL ELSE CAST(:now AS BIGINT) END, last_error = :error, history = history || :entry, "
              "lease_owner = NULL, lease_expires_at = NULL, updated_at = :now "
              "WHERE id = :id AND state = 'running' AND lease_owner = :worker AND attempt_number = :attempt "
              "RETURNING state, queue",
          params);
      if (rows.empty()) return std::nullopt;
      const JobState state = parse_job_state(rows.front().first).value_or(JobState::kDead);
      if (state == JobState::kQueued && failure.retry_at_unix_ms.value_or(now_unix_ms) <= now_unix_ms) {
        announce(tx, rows.front().second);
      }
      return state;
    });
  });
}

std::size_t SqlJobQueue::release(std::span<const JobLease> leases, std::string_view reason,
                                 std::int64_t now_unix_ms) {
  if (leases.empty()) return 0;
  for (const JobLease& lease : leases) check_lease(lease);
  const std::string error = job_rows::truncate_utf8(std::string(reason), kMaxErrorBytes);
  return database_.write([&](Transaction& tx) {
    return bypass_tenant_scope(tx, [&] {
      std::size_t released = 0;
      std::set<std::string> queues;
      for (const JobLease& lease : leases) {
        Params params;
        params.integer("now", now_unix_ms)
            .text("entry", attempt_entry(lease, now_unix_ms, AttemptOutcome::kReleased, error))
            .integer("id", lease.job_id)
            .text("worker", lease.worker_id)
            .integer("attempt", lease.attempt_number);
        // Not counted against max_attempts: the job did not fail, its worker stopped.
        const auto rows = job_rows::fetch<StateAndQueueColumns>(
            soci_session(tx),
            "UPDATE jobs SET state = CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE 'queued' END, "
            "attempts = attempts - 1, run_at = CASE WHEN cancel_requested = 1 THEN run_at ELSE CAST(:now AS "
            "BIGINT) "
            "END, finished_at = CASE WHEN cancel_requested = 1 THEN CAST(:now AS BIGINT) ELSE NULL END, "
            "history = history || :entry, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now "
            "WHERE id = :id AND state = 'running' AND lease_owner = :worker AND attempt_number = :attempt "
            "RETURNING state, queue",
            params);
        if (rows.empty()) continue;
        ++released;
        if (rows.front().first == "queued") queues.insert(rows.front().second);
      }
      for (const std::string& queue : queues) announce(tx, queue);
      return released;
    });
  });
}

std::optional<Job> SqlJobQueue::get(Transaction& tx, const JobScope& scope, std::int64_t job_id) {
  return in_scope(tx, scope, [&] { return find_job(tx, scope, job_id); });
}

JobPage SqlJobQueue::list(Transaction& tx, const JobFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxListLimit) {
    throw AppError(invalid_fields({{"limit", "must be between 1 and 500"}}));
  }
  return in_scope(tx, filter.scope, [&] {
    Params params;
    std::string where = "1 = 1" + scope_filter(filter.scope, params);
    // One state as an equality: the exact predicate of its partial index (SQLite needs that).
    if (filter.states.size() == 1) {
      where += " AND state = " + quoted_states(filter.states);
    } else if (!filter.states.empty()) {
      where += " AND state IN (" + quoted_states(filter.states) + ")";
    }
    if (filter.queue.has_value()) {
      where += " AND queue = :queue";
      params.text("queue", *filter.queue);
    }
    if (filter.kind.has_value()) {
      where += " AND kind = :kind";
      params.text("kind", *filter.kind);
    }
    if (filter.before_id.has_value()) {
      where += " AND id < :before";
      params.integer("before", *filter.before_id);
    }
    params.integer("limit", filter.limit + 1);
    JobPage page;
    page.jobs = job_rows::fetch<job_rows::JobColumns>(soci_session(tx),
                                                      "SELECT " + job_rows::job_columns("", false) +
                                                          " FROM jobs WHERE " + where +
                                                          " ORDER BY id DESC LIMIT :limit",
                                                      params);
    if (page.jobs.size() > static_cast<std::size_t>(filter.limit)) {
      page.jobs.pop_back();
      page.next_before_id = page.jobs.back().id;
    }
    return page;
  });
}

Job SqlJobQueue::cancel(Transaction& tx, const JobScope& scope, std::int64_t job_id,
                        std::int64_t now_unix_ms) {
  return in_scope(tx, scope, [&] {
    Params params;
    params.integer("now", now_unix_ms).integer("id", job_id);
    const std::string filter = scope_filter(scope, params);
    const std::int64_t changed = job_rows::execute(
        soci_session(tx),
        "UPDATE jobs SET state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END, "
        "finished_at = CASE WHEN state = 'queued' THEN CAST(:now AS BIGINT) ELSE finished_at END, "
        "cancel_requested = CASE WHEN state = 'running' THEN 1 ELSE cancel_requested END, updated_at = :now "
        "WHERE id = :id AND state IN ('queued', 'running')" +
            filter,
        params);
    if (changed == 0) throw_transition_refused(tx, scope, job_id, "cancelled");
    return load_scoped(tx, scope, job_id);
  });
}

Job SqlJobQueue::retry_now(Transaction& tx, const JobScope& scope, std::int64_t job_id,
                           std::int64_t now_unix_ms) {
  return in_scope(tx, scope, [&] {
    Params params;
    params.integer("now", now_unix_ms).integer("id", job_id);
    const std::string filter = scope_filter(scope, params);
    const auto queues = job_rows::fetch<TextColumns>(
        soci_session(tx),
        "UPDATE jobs SET run_at = CASE WHEN run_at > :now THEN CAST(:now AS BIGINT) ELSE run_at END, "
        "updated_at = :now WHERE id = :id AND state = 'queued'" +
            filter + " RETURNING queue",
        params);
    if (queues.empty()) throw_transition_refused(tx, scope, job_id, "retried now (only queued jobs can)");
    announce(tx, queues.front());
    return load_scoped(tx, scope, job_id);
  });
}

Job SqlJobQueue::replay(Transaction& tx, const JobScope& scope, std::int64_t job_id,
                        std::int64_t now_unix_ms) {
  return in_scope(tx, scope, [&] {
    soci::session& sql = soci_session(tx);
    const Job job = load_scoped(tx, scope, job_id);
    if (job.state != JobState::kDead && job.state != JobState::kCancelled) {
      throw AppError(ErrorCode::kConflict, "only dead or cancelled jobs can be replayed; this one is " +
                                               std::string(to_string(job.state)));
    }
    if (job.unique_key.has_value()) {
      if (const auto holder = live_holder(sql, job.tenant_id, *job.unique_key)) {
        throw AppError(ErrorCode::kConflict,
                       "job " + std::to_string(*holder) + " holds the same unique key and is still live");
      }
    }
    Params params;
    params.integer("now", now_unix_ms).integer("id", job_id);
    const std::string filter = scope_filter(scope, params);
    const std::int64_t changed = job_rows::execute(
        sql,
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = :now, finished_at = NULL, cancel_requested "
        "= 0, "
        "result = NULL, progress = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now "
        "WHERE id = :id AND state IN ('dead', 'cancelled')" +
            filter,
        params);
    if (changed == 0) throw_transition_refused(tx, scope, job_id, "replayed");
    announce(tx, job.queue);
    return load_scoped(tx, scope, job_id);
  });
}

std::vector<QueueStats> SqlJobQueue::stats(Transaction& tx, const StatsRequest& request) {
  return in_scope(tx, request.scope, [&] {
    Params params;
    params.integer("now", request.now_unix_ms);
    const std::string filter = scope_filter(request.scope, params);
    // Each part reads one partial index; the finished part only the requested window.
    std::string query =
        "SELECT queue, 'queued', SUM(CASE WHEN run_at <= :now THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN run_at > :now THEN 1 ELSE 0 END), MIN(CASE WHEN run_at <= :now THEN run_at END) "
        "FROM jobs WHERE state = 'queued'" +
        filter +
        " GROUP BY queue "
        "UNION ALL SELECT queue, 'running', COUNT(*), 0, NULL FROM jobs WHERE state = 'running'" +
        filter +
        " GROUP BY queue "
        "UNION ALL SELECT queue, 'dead', COUNT(*), 0, NULL FROM jobs WHERE state = 'dead'" +
        filter + " GROUP BY queue";
    if (request.finished_since_unix_ms.has_value()) {
      // Whole minutes from the per-minute counters (0006_job_finished_counts), the part of a
      // minute before them counted exactly (at most one minute of jobs_finished).
      const std::int64_t since = *request.finished_since_unix_ms;
      const std::int64_t first_whole_minute = since / kMinuteMs + (since % kMinuteMs > 0 ? 1 : 0);
      params.integer("since", since)
          .integer("first_minute", first_whole_minute)
          .integer("whole_from", first_whole_minute * kMinuteMs);
      query +=
          " UNION ALL SELECT queue, state, SUM(jobs), 0, NULL FROM job_finished_counts "
          "WHERE minute >= :first_minute" +
          filter +
          " GROUP BY queue, state HAVING SUM(jobs) <> 0"
          " UNION ALL SELECT queue, state, COUNT(*), 0, NULL FROM jobs WHERE " +
          kFinished + " AND state <> 'dead' AND finished_at >= :since AND finished_at < :whole_from" +
          filter + " GROUP BY queue, state";
    }
    std::map<std::string, QueueStats> by_queue;
    for (const StatsColumns::Row& row : job_rows::fetch<StatsColumns>(soci_session(tx), query, params)) {
      QueueStats& stats = by_queue[row.queue];
      stats.queue = row.queue;
      if (row.kind == "queued") {
        stats.available = row.first;
        stats.scheduled = row.second;
        if (row.oldest.has_value())
          stats.oldest_available_age_ms = std::max<std::int64_t>(0, request.now_unix_ms - *row.oldest);
      } else if (row.kind == "running") {
        stats.running = row.first;
      } else if (row.kind == "dead") {
        stats.dead = row.first;
      } else if (row.kind == "succeeded") {
        stats.succeeded_recently += row.first;
      } else if (row.kind == "cancelled") {
        stats.cancelled_recently += row.first;
      }
    }
    std::vector<QueueStats> result;
    result.reserve(by_queue.size());
    for (auto& [queue, stats] : by_queue) result.push_back(std::move(stats));
    return result;
  });
}

std::size_t SqlJobQueue::purge_finished(const PurgeRequest& request) {
  if (request.batch_size < 1)
    throw AppError(ErrorCode::kInvalidArgument, "the purge batch must be at least 1");
  std::vector<JobState> states;
  for (const JobState state : request.states) {
    if (is_finished(state)) states.push_back(state);
  }
  if (states.empty()) return 0;
  return database_.write([&](Transaction& tx) {
    return bypass_tenant_scope(tx, [&] {
      Params params;
      params.integer("cutoff", request.finished_before_unix_ms).integer("limit", request.batch_size);
      const std::string pick = std::string("SELECT id FROM jobs WHERE ") + kFinished + " AND state IN (" +
                               quoted_states(states) +
                               ") AND finished_at < :cutoff ORDER BY finished_at LIMIT :limit";
      // PostgreSQL: materialized first, so that the LIMIT applies once (an IN subquery with a
      // locking clause may be rescanned per row).
      const std::string query =
          tx.dialect() == Dialect::kPostgresql
              ? "WITH picked AS MATERIALIZED (" + pick +
                    " FOR UPDATE SKIP LOCKED) DELETE FROM jobs USING picked WHERE jobs.id = picked.id"
              : "DELETE FROM jobs WHERE id IN (" + pick + ")";
      return static_cast<std::size_t>(job_rows::execute(soci_session(tx), query, params));
    });
  });
}

std::size_t SqlJobQueue::fold_finished_counts() {
  // In batches of keys, one transaction each, so that neither a backlog of deltas (a restore, a
  // sweep that did not run for a while) nor a stale plan makes one statement long: each batch
  // takes the keys of the oldest unfolded deltas and rewrites only their rows, found through
  // job_finished_counts_key.
  constexpr long long kDeltasPerBatch = 2'000;
  constexpr int kMaxBatches = 500;
  // The keys of the oldest unfolded deltas (with `bound`, among the rows up to :last_id).
  const auto batch_keys = [](const std::string& bound) {
    return "SELECT DISTINCT tenant_id, minute, queue, state FROM (SELECT tenant_id, minute, queue, state "
           "FROM job_finished_counts WHERE folded = 0" +
           bound + " ORDER BY id LIMIT :limit) AS unfolded";
  };
  const std::string same_key =
      "c.tenant_id = k.tenant_id AND c.minute = k.minute AND c.queue = k.queue AND c.state = k.state";
  std::size_t total = 0;
  for (int batch = 0; batch < kMaxBatches; ++batch) {
    const std::optional<std::size_t> folded = database_.write([&](Transaction& tx) {
      return bypass_tenant_scope(tx, [&]() -> std::optional<std::size_t> {
        soci::session& session = soci_session(tx);
        Params params;
        params.integer("limit", kDeltasPerBatch);
        if (tx.dialect() == Dialect::kPostgresql) {
          // A second sweep running at once leaves the work to the first.
          int locked = 0;
          session << "SELECT CASE WHEN pg_try_advisory_xact_lock(" << kFoldLock << ") THEN 1 ELSE 0 END",
              soci::into(locked);
          if (locked == 0) return std::nullopt;
          // Index lookups by key, whatever the statistics say: right after a bulk change (a
          // restore, a million jobs purged) they still describe a small table, and a plan that
          // scans it once per key took minutes instead of a second.
          session << "SET LOCAL enable_seqscan = off";
          // One statement: the rows deleted are exactly the rows summed, whatever the triggers of
          // concurrent transactions append meanwhile.
          const auto moved = job_rows::fetch<IdColumns>(
              session,
              "WITH k AS MATERIALIZED (" + batch_keys("") +
                  "), moved AS (DELETE FROM job_finished_counts c USING k WHERE " + same_key +
                  " RETURNING c.tenant_id, c.minute, c.queue, c.state, c.jobs), "
                  "folded AS (INSERT INTO job_finished_counts (tenant_id, minute, queue, state, jobs, "
                  "folded) "
                  "SELECT tenant_id, minute, queue, state, SUM(jobs), 1 FROM moved "
                  "GROUP BY tenant_id, minute, queue, state HAVING SUM(jobs) <> 0) "
                  "SELECT COUNT(*) FROM moved",
              params);
          return static_cast<std::size_t>(moved.front());
        }
        // SQLite: one writer, so nothing changes between the statements; the rows summed are
        // those up to the last id, and the keys are read the same way twice.
        long long last_id = 0;
        session << "SELECT COALESCE(MAX(id), 0) FROM job_finished_counts", soci::into(last_id);
        params.integer("last_id", last_id);
        const std::string in_batch = " WHERE c.id <= :last_id AND EXISTS (SELECT 1 FROM (" +
                                     batch_keys(" AND id <= :last_id") + ") AS k WHERE " + same_key + ")";
        job_rows::execute(session,
                          "INSERT INTO job_finished_counts (tenant_id, minute, queue, state, jobs, folded) "
                          "SELECT c.tenant_id, c.minute, c.queue, c.state, SUM(c.jobs), 1 "
                          "FROM job_finished_counts c" +
                              in_batch +
                              " GROUP BY c.tenant_id, c.minute, c.queue, c.state HAVING SUM(c.jobs) <> 0",
                          params);
        return static_cast<std::size_t>(
            job_rows::execute(session, "DELETE FROM job_finished_counts AS c" + in_batch, params));
      });
    });
    if (!folded.has_value() || *folded == 0) break;
    total += *folded;
  }
  return total;
}

namespace {

// Every column but the tenant and the creation time (which an update never changes).
void bind_schedule(Params& params, const JobSchedule& schedule) {
  params.text("id", schedule.id)
      .text("cron", schedule.cron)
      .text("time_zone", schedule.time_zone)
      .text("queue", schedule.queue)
      .text("kind", schedule.kind)
      .text("payload", schedule.payload_json)
      .integer("priority", schedule.priority)
      .integer("max_attempts", schedule.max_attempts)
      .integer("enabled", schedule.enabled ? 1 : 0)
      .optional_integer("next_run_at",
                        schedule.enabled ? std::optional<long long>(schedule.next_run_at_unix_ms.value_or(0))
                                         : std::nullopt)
      .integer("updated_at", schedule.updated_at_unix_ms);
}

JobScope scope_of(const JobSchedule& schedule) {
  return schedule.tenant_id.has_value() ? JobScope::tenant(*schedule.tenant_id) : JobScope::system();
}

}  // namespace

void SqlJobQueue::create_schedule(Transaction& tx, const JobSchedule& schedule) {
  job_rows::validate_schedule(schedule);
  in_scope(tx, scope_of(schedule), [&] {
    Params params;
    bind_schedule(params, schedule);
    params.optional_text("tenant_id", schedule.tenant_id)
        .optional_integer("last_run_at", schedule.last_run_at_unix_ms)
        .optional_integer("last_job_id", schedule.last_job_id)
        .integer("created_at", schedule.created_at_unix_ms);
    const std::int64_t inserted =
        job_rows::execute(soci_session(tx),
                          "INSERT INTO job_schedules (" + job_rows::schedule_columns() +
                              ") VALUES (:id, :tenant_id, :cron, :time_zone, :queue, :kind, :payload, "
                              ":priority, :max_attempts, "
                              ":enabled, :next_run_at, :last_run_at, :last_job_id, :created_at, :updated_at) "
                              "ON CONFLICT DO NOTHING",
                          params);
    if (inserted == 0) throw AppError(ErrorCode::kConflict, "a schedule with this id exists");
  });
}

void SqlJobQueue::update_schedule(Transaction& tx, const JobSchedule& schedule) {
  job_rows::validate_schedule(schedule);
  in_scope(tx, scope_of(schedule), [&] {
    Params params;
    bind_schedule(params, schedule);
    std::string tenant_filter = "tenant_id IS NULL";
    if (schedule.tenant_id.has_value()) {
      params.text("tenant_id", *schedule.tenant_id);
      tenant_filter = "tenant_id = :tenant_id";
    }
    const std::int64_t changed = job_rows::execute(
        soci_session(tx),
        "UPDATE job_schedules SET cron = :cron, time_zone = :time_zone, queue = :queue, kind = :kind, "
        "payload = :payload, priority = :priority, max_attempts = :max_attempts, enabled = :enabled, "
        "next_run_at = :next_run_at, updated_at = :updated_at WHERE id = :id AND " +
            tenant_filter,
        params);
    if (changed == 0) throw AppError(ErrorCode::kNotFound, "no such schedule");
  });
}

bool SqlJobQueue::delete_schedule(Transaction& tx, const JobScope& scope, const std::string& id) {
  return in_scope(tx, scope, [&] {
    Params params;
    params.text("id", id);
    const std::string filter = scope_filter(scope, params);
    return job_rows::execute(soci_session(tx), "DELETE FROM job_schedules WHERE id = :id" + filter, params) >
           0;
  });
}

std::optional<JobSchedule> SqlJobQueue::get_schedule(Transaction& tx, const JobScope& scope,
                                                     const std::string& id) {
  return in_scope(tx, scope, [&]() -> std::optional<JobSchedule> {
    Params params;
    params.text("id", id);
    const std::string filter = scope_filter(scope, params);
    auto rows = job_rows::fetch<job_rows::ScheduleColumns>(
        soci_session(tx),
        "SELECT " + job_rows::schedule_columns() + " FROM job_schedules WHERE id = :id" + filter, params);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  });
}

std::vector<JobSchedule> SqlJobQueue::list_schedules(Transaction& tx, const JobScope& scope) {
  return in_scope(tx, scope, [&] {
    Params params;
    const std::string filter = scope_filter(scope, params);
    return job_rows::fetch<job_rows::ScheduleColumns>(soci_session(tx),
                                                      "SELECT " + job_rows::schedule_columns() +
                                                          " FROM job_schedules WHERE 1 = 1" + filter +
                                                          " ORDER BY id",
                                                      params);
  });
}

std::vector<JobSchedule> SqlJobQueue::due_schedules(std::int64_t now_unix_ms, int limit) {
  return database_.read([&](Transaction& tx) {
    return bypass_tenant_scope(tx, [&] {
      Params params;
      params.integer("now", now_unix_ms).integer("limit", std::max(limit, 1));
      return job_rows::fetch<job_rows::ScheduleColumns>(
          soci_session(tx),
          "SELECT " + job_rows::schedule_columns() +
              " FROM job_schedules WHERE enabled = 1 AND next_run_at <= :now ORDER BY next_run_at LIMIT "
              ":limit",
          params);
    });
  });
}

std::optional<std::int64_t> SqlJobQueue::fire_schedule(const JobSchedule& due,
                                                       std::optional<std::int64_t> next_run_at_unix_ms,
                                                       std::int64_t now_unix_ms) {
  if (!due.next_run_at_unix_ms.has_value()) return std::nullopt;
  const std::int64_t slot = *due.next_run_at_unix_ms;
  JobSpec spec;
  spec.queue = due.queue;
  spec.kind = due.kind;
  spec.payload_json = due.payload_json;
  spec.tenant_id = due.tenant_id;
  spec.priority = due.priority;
  spec.max_attempts = due.max_attempts;
  spec.run_at_unix_ms = std::min(slot, now_unix_ms);
  spec.unique_key = "schedule:" + due.id + ":" + std::to_string(slot);
  job_rows::validate_spec(spec);
  return database_.write([&](Transaction& tx) -> std::optional<std::int64_t> {
    return bypass_tenant_scope(tx, [&]() -> std::optional<std::int64_t> {
      soci::session& sql = soci_session(tx);
      Params params;
      params.optional_integer("next", next_run_at_unix_ms)
          .integer("slot", slot)
          .integer("now", now_unix_ms)
          .text("id", due.id);
      // The compare-and-set that makes a slot fire once however many workers see it due.
      const std::int64_t moved = job_rows::execute(
          sql,
          "UPDATE job_schedules SET next_run_at = :next, last_run_at = :slot, updated_at = :now "
          "WHERE id = :id AND enabled = 1 AND next_run_at = :slot",
          params);
      if (moved == 0) return std::nullopt;
      const EnqueueResult result = insert_jobs(tx, std::span<const JobSpec>(&spec, 1), now_unix_ms).front();
      Params job;
      job.integer("job", result.job_id).text("id", due.id);
      job_rows::execute(sql, "UPDATE job_schedules SET last_job_id = :job WHERE id = :id", job);
      return result.job_id;
    });
  });
}

}  // namespace personae

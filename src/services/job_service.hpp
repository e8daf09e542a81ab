#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/authorization/authorization.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"
#include "ports/job_queue.hpp"
#include "services/audit_log_service.hpp"
#include "services/service_support.hpp"

namespace personae {

struct JobListQuery {
  std::vector<JobState> states;  ///< empty: every state
  std::optional<std::string> queue;
  std::optional<std::string> kind;
  std::optional<std::int64_t> before_id;  ///< the cursor
  int limit = 50;                         ///< 1..200
};

/// A tenant's view of the job queue (the dashboard's jobs page, the roadmap's Flower): list and
/// filter, one job with its attempts, retry now / cancel / replay, and per-queue figures. Always
/// scoped to the principal's tenant (another tenant's job is kNotFound). Operator actions are
/// audited. Blocking; thread-safe; holds references that must outlive it.
class JobService {
 public:
  JobService(Database& database, JobQueue& jobs, AuditLogService& audit, const Clock& clock);

  Result<JobPage> list(const Principal& principal, const JobListQuery& query);
  Result<Job> get(const Principal& principal, std::int64_t id);
  /// A queued job (waiting for its time or its retry) runs now. kConflict otherwise.
  Result<Job> retry_now(const Principal& principal, std::int64_t id, const ClientInfo& client);
  /// kConflict for a finished job.
  Result<Job> cancel(const Principal& principal, std::int64_t id, const ClientInfo& client);
  /// A dead or cancelled job is queued again with a fresh attempt budget. kConflict otherwise.
  Result<Job> replay(const Principal& principal, std::int64_t id, const ClientInfo& client);
  /// Per queue: available, scheduled, running, dead, finished in the last 24 hours, oldest age.
  Result<std::vector<QueueStats>> queues(const Principal& principal);

 private:
  template <class Change>
  Result<Job> change(const Principal& principal, std::int64_t id, const ClientInfo& client,
                     std::string_view action, Change&& apply);

  Database& database_;
  JobQueue& jobs_;
  AuditLogService& audit_;
  const Clock& clock_;
};

}  // namespace personae

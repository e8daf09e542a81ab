#include "services/job_service.hpp"

namespace personae {

using service_support::audit_entry;
using service_support::guarded;
using service_support::principal_actor;
using service_support::require;

namespace {

constexpr int kMaxPageSize = 200;
constexpr std::int64_t kRecentWindowMs = 24LL * 60 * 60 * 1000;

}  // namespace

JobService::JobService(Database& database, JobQueue& jobs, AuditLogService& audit, const Clock& clock)
    : database_(database), jobs_(jobs), audit_(audit), clock_(clock) {}

Result<JobPage> JobService::list(const Principal& principal, const JobListQuery& query) {
  return guarded([&]() -> Result<JobPage> {
    if (auto allowed = require(principal, Action::kJobRead); !allowed) return tl::unexpected(allowed.error());
    if (query.limit < 1 || query.limit > kMaxPageSize) {
      return tl::unexpected(invalid_fields({{"limit", "must be between 1 and 200"}}));
    }
    JobFilter filter;
    filter.scope = JobScope::tenant(principal.tenant_id);
    filter.states = query.states;
    filter.queue = query.queue;
    filter.kind = query.kind;
    filter.before_id = query.before_id;
    filter.limit = query.limit;
    return database_.read([&](Transaction& tx) { return jobs_.list(tx, filter); });
  });
}

Result<Job> JobService::get(const Principal& principal, std::int64_t id) {
  return guarded([&]() -> Result<Job> {
    if (auto allowed = require(principal, Action::kJobRead); !allowed) return tl::unexpected(allowed.error());
    auto job = database_.read(
        [&](Transaction& tx) { return jobs_.get(tx, JobScope::tenant(principal.tenant_id), id); });
    if (!job) return make_error(ErrorCode::kNotFound, "no such job");
    return std::move(*job);
  });
}

template <class Change>
Result<Job> JobService::change(const Principal& principal, std::int64_t id, const ClientInfo& client,
                               std::string_view action, Change&& apply) {
  return guarded([&]() -> Result<Job> {
    if (auto allowed = require(principal, Action::kJobManage); !allowed)
      return tl::unexpected(allowed.error());
    return database_.write([&](Transaction& tx) {
      Job job = apply(tx, JobScope::tenant(principal.tenant_id), clock_.now_unix_ms());
      audit_.append(tx,
                    audit_entry(principal.tenant_id, principal_actor(principal), std::string(action),
                                "job:" + std::to_string(id), client,
                                {{"kind", job.kind}, {"queue", job.queue}, {"state", to_string(job.state)}}));
      return job;
    });
  });
}

Result<Job> JobService::retry_now(const Principal& principal, std::int64_t id, const ClientInfo& client) {
  return change(principal, id, client, "job.retried",
                [&](Transaction& tx, const JobScope& scope, std::int64_t now) {
                  return jobs_.retry_now(tx, scope, id, now);
                });
}

Result<Job> JobService::cancel(const Principal& principal, std::int64_t id, const ClientInfo& client) {
  return change(principal, id, client, "job.cancelled",
                [&](Transaction& tx, const JobScope& scope, std::int64_t now) {
                  return jobs_.cancel(tx, scope, id, now);
                });
}

Result<Job> JobService::replay(const Principal& principal, std::int64_t id, const ClientInfo& client) {
  return change(principal, id, client, "job.replayed",
                [&](Transaction& tx, const JobScope& scope, std::int64_t now) {
                  return jobs_.replay(tx, scope, id, now);
                });
}

Result<std::vector<QueueStats>> JobService::queues(const Principal& principal) {
  return guarded([&]() -> Result<std::vector<QueueStats>> {
    if (auto allowed = require(principal, Action::kJobRead); !allowed) return tl::unexpected(allowed.error());
    const std::int64_t now = clock_.now_unix_ms();
    StatsRequest request;
    request.scope = JobScope::tenant(principal.tenant_id);
    request.now_unix_ms = now;
    request.finished_since_unix_ms = now - kRecentWindowMs;
    return database_.read([&](Transaction& tx) { return jobs_.stats(tx, request); });
  });
}

}  // namespace personae

#include "services/jobs/job_scheduler.hpp"

#include "observability/log.hpp"
#include "services/jobs/cron_schedule.hpp"

namespace personae {

JobScheduler::JobScheduler(Database& database, JobQueue& queue, const Clock& clock)
    : database_(database), queue_(queue), clock_(clock) {}

namespace {

// The stored schedule for `spec`, with its next run computed from now.
Result<JobSchedule> build(const ScheduleSpec& spec, std::int64_t now_unix_ms) {
  Result<CronSchedule> cron = CronSchedule::parse(spec.cron, spec.time_zone);
  if (!cron.has_value()) return tl::unexpected(cron.error());
  JobSchedule schedule;
  schedule.id = spec.id;
  schedule.tenant_id = spec.tenant_id;
  schedule.cron = spec.cron;
  schedule.time_zone = spec.time_zone;
  schedule.queue = spec.queue;
  schedule.kind = spec.kind;
  schedule.payload_json = spec.payload_json;
  schedule.priority = spec.priority;
  schedule.max_attempts = spec.max_attempts;
  schedule.enabled = spec.enabled;
  if (spec.enabled) {
    schedule.next_run_at_unix_ms = cron->next_after(now_unix_ms);
    if (!schedule.next_run_at_unix_ms.has_value()) {
      return tl::unexpected(invalid_fields({{"cron", "has no run time in the next eight years"}}));
    }
  }
  schedule.created_at_unix_ms = now_unix_ms;
  schedule.updated_at_unix_ms = now_unix_ms;
  return schedule;
}

}  // namespace

Result<JobSchedule> JobScheduler::create(const ScheduleSpec& spec) {
  Result<JobSchedule> schedule = build(spec, clock_.now_unix_ms());
  if (!schedule.has_value()) return schedule;
  try {
    database_.write([&](Transaction& tx) { queue_.create_schedule(tx, *schedule); });
  } catch (const AppError& error) {
    if (error.error().code == ErrorCode::kInvalidArgument || error.error().code == ErrorCode::kConflict) {
      return tl::unexpected(error.error());
    }
    throw;
  }
  return schedule;
}

Result<JobSchedule> JobScheduler::update(const ScheduleSpec& spec) {
  Result<JobSchedule> schedule = build(spec, clock_.now_unix_ms());
  if (!schedule.has_value()) return schedule;
  try {
    return database_.write([&](Transaction& tx) {
      const JobScope scope =
          spec.tenant_id.has_value() ? JobScope::tenant(*spec.tenant_id) : JobScope::system();
      const std::optional<JobSchedule> existing = queue_.get_schedule(tx, scope, spec.id);
      // Another tenant's schedule is as missing as a deleted one.
      if (!existing.has_value() || existing->tenant_id != spec.tenant_id) {
        throw AppError(ErrorCode::kNotFound, "no such schedule");
      }
      schedule->created_at_unix_ms = existing->created_at_unix_ms;
      schedule->last_run_at_unix_ms = existing->last_run_at_unix_ms;
      schedule->last_job_id = existing->last_job_id;
      queue_.update_schedule(tx, *schedule);
      return *schedule;
    });
  } catch (const AppError& error) {
    if (error.error().code == ErrorCode::kInvalidArgument || error.error().code == ErrorCode::kNotFound) {
      return tl::unexpected(error.error());
    }
    throw;
  }
}

bool JobScheduler::remove(const JobScope& scope, const std::string& id) {
  return database_.write([&](Transaction& tx) { return queue_.delete_schedule(tx, scope, id); });
}

std::optional<JobSchedule> JobScheduler::get(const JobScope& scope, const std::string& id) {
  return database_.read([&](Transaction& tx) { return queue_.get_schedule(tx, scope, id); });
}

std::vector<JobSchedule> JobScheduler::list(const JobScope& scope) {
  return database_.read([&](Transaction& tx) { return queue_.list_schedules(tx, scope); });
}

std::size_t JobScheduler::tick(int limit) {
  return fire_due_schedules(queue_, clock_.now_unix_ms(), limit);
}

std::size_t fire_due_schedules(JobQueue& queue, std::int64_t now_unix_ms, int limit) {
  std::size_t fired = 0;
  for (const JobSchedule& due : queue.due_schedules(now_unix_ms, limit)) {
    const Result<CronSchedule> cron = CronSchedule::parse(due.cron, due.time_zone);
    std::optional<std::int64_t> next;
    if (cron.has_value()) {
      // From now, not from the slot: missed slots collapse into this one firing.
      next = cron->next_after(std::max(now_unix_ms, due.next_run_at_unix_ms.value_or(now_unix_ms)));
    } else {
      // A zone removed from the tz database, or a row edited by hand: fire this slot, then stop.
      log::warn("job schedule no longer parses; disabling its next runs",
                {{"schedule", due.id}, {"error", cron.error().message}});
    }
    if (queue.fire_schedule(due, next, now_unix_ms).has_value()) ++fired;
  }
  return fired;
}

}  // namespace personae

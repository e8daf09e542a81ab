#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"
#include "ports/job_queue.hpp"

namespace personae {

/// A recurring job as its owner writes it; the scheduler computes the run times.
struct ScheduleSpec {
  std::string id;                        ///< 1-128 characters of [A-Za-z0-9._:-], unique
  std::optional<std::string> tenant_id;  ///< nullopt: a system schedule
  std::string cron;                      ///< see CronSchedule
  std::string time_zone = "UTC";         ///< the persona's or tenant's IANA zone
  std::string queue = "default";
  std::string kind;
  std::string payload_json = "{}";
  int priority = 0;
  int max_attempts = kDefaultJobMaxAttempts;
  bool enabled = true;
};

/// Recurring schedules: create, update, delete, list (scoped like jobs), and the tick that fires
/// due slots. Validation errors come back as kInvalidArgument with field errors ("cron",
/// "time_zone", and JobSpec's fields); database failures throw AppError as usual.
///
/// Firing is exactly once per slot across any number of workers (JobQueue::fire_schedule is a
/// compare-and-set on the slot). A schedule that was due several times while no worker ran (a
/// long outage) fires once for the latest missed slot, then resumes from the next slot after
/// now: no burst of catch-up jobs. Blocking; thread-safe; holds references that must outlive it.
class JobScheduler {
 public:
  JobScheduler(Database& database, JobQueue& queue, const Clock& clock);

  /// kConflict when the id is taken.
  Result<JobSchedule> create(const ScheduleSpec& spec);
  /// Replaces every field but the id and tenant; the next run is recomputed from now. kNotFound
  /// when missing (or another tenant's).
  Result<JobSchedule> update(const ScheduleSpec& spec);
  /// Whether it existed within `scope`.
  bool remove(const JobScope& scope, const std::string& id);
  std::optional<JobSchedule> get(const JobScope& scope, const std::string& id);
  std::vector<JobSchedule> list(const JobScope& scope);

  /// Fires every schedule due at the clock's now (at most `limit` per call); returns how many jobs
  /// it enqueued. Workers call it every second or so.
  std::size_t tick(int limit = 100);

 private:
  Database& database_;
  JobQueue& queue_;
  const Clock& clock_;
};

/// JobScheduler::tick without the CRUD side: what a runner needs.
std::size_t fire_due_schedules(JobQueue& queue, std::int64_t now_unix_ms, int limit = 100);

}  // namespace personae

#include <soci/soci.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <set>
#include <thread>

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/tenant_scope.hpp"
#include "services/jobs/job_runner.hpp"
#include "services/jobs/job_scheduler.hpp"
#include "tests/contract/jobs/jobs_fixture.hpp"

namespace personae::testing {
namespace {

using std::chrono::milliseconds;

class JobRunnerTest : public JobsTest {
 protected:
  /// Options for tests: short intervals, so that the suite stays quick.
  static JobRunnerOptions options(const std::string& worker_id, int threads = 2) {
    JobRunnerOptions options;
    options.worker_id = worker_id;
    options.threads = threads;
    options.lease = milliseconds(5'000);
    options.heartbeat_interval = milliseconds(100);
    options.poll_interval = milliseconds(50);
    options.schedule_interval = milliseconds(50);
    options.stats_interval = milliseconds(50);
    options.shutdown_grace = milliseconds(2'000);
    options.retention.reset();
    options.run_scheduler = false;
    return options;
  }

  std::vector<Job> all_jobs() {
    JobFilter filter;
    filter.limit = 500;
    return database_->read([&](Transaction& tx) { return queue_->list(tx, filter); }).jobs;
  }
  bool all_in(JobState state, std::size_t count) {
    const std::vector<Job> jobs = all_jobs();
    return jobs.size() == count &&
           std::all_of(jobs.begin(), jobs.end(), [&](const Job& job) { return job.state == state; });
  }

  JobHandlerRegistry handlers_;
};

TEST_P(JobRunnerTest, RunsJobsAndRecordsTheirResults) {
  handlers_.add("double", [](const Job& job, JobContext& context) -> Result<std::string> {
    EXPECT_EQ(context.attempt(), 1);
    const int value = std::stoi(job.payload_json.substr(5));
    return "{\"doubled\":" + std::to_string(value * 2) + "}";
  });
  std::vector<JobSpec> specs;
  for (int i = 0; i < 40; ++i) {
    JobSpec job = spec("double");
    job.payload_json = "{\"n\":" + std::to_string(i) + "}";
    specs.push_back(job);
  }
  const std::vector<EnqueueResult> ids = database_->write(
      [&](Transaction& tx) { return queue_->enqueue_many(tx, specs, clock_.now_unix_ms()); });
  SystemClock clock;
  observability::MetricsRegistry metrics;
  JobRunner runner(*database_, *queue_, handlers_, clock, options("runner-1"), &metrics);
  runner.start();
  ASSERT_TRUE(eventually([&] { return all_in(JobState::kSucceeded, 40); }));
  for (int i = 0; i < 40; i += 13) {
    EXPECT_EQ(get(ids[static_cast<std::size_t>(i)].job_id).result_json,
              "{\"doubled\":" + std::to_string(i * 2) + "}");
  }
  ASSERT_TRUE(eventually([&] { return runner.counters().succeeded == 40; }));
  EXPECT_EQ(runner.counters().claimed, 40U);
  // The gauges are refreshed in the background.
  ASSERT_TRUE(eventually([&] {
    const std::string text = metrics.render();
    return text.find("personae_jobs_completed_total{queue=\"default\",kind=\"double\"} 40") !=
               std::string::npos &&
           text.find("personae_jobs_depth{queue=\"default\"} 0") != std::string::npos;
  })) << metrics.render();
  const std::string text = metrics.render();
  EXPECT_NE(text.find("personae_jobs_oldest_age_seconds{queue=\"default\"}"), std::string::npos);
  EXPECT_NE(text.find("personae_jobs_duration_seconds_count{queue=\"default\",kind=\"double\"} 40"),
            std::string::npos);
  EXPECT_NE(text.find("personae_jobs_pickup_latency_seconds_count{queue=\"default\"} 40"), std::string::npos);
  runner.stop();
}

TEST_P(JobRunnerTest, AnEnqueueWakesAnIdleRunnerWithoutWaitingForThePoll) {
  std::atomic<std::int64_t> started_at_ms{0};
  handlers_.add("ping", [&](const Job&, JobContext&) -> Result<std::string> {
    started_at_ms = SystemClock().now_unix_ms();
    return "null";
  });
  SystemClock clock;
  JobRunnerOptions slow_poll = options("runner-1");
  slow_poll.poll_interval = milliseconds(60'000);
  JobRunner runner(*database_, *queue_, handlers_, clock, slow_poll);
  runner.start();
  if (GetParam() == Backend::kPostgresql) {
    ASSERT_TRUE(eventually([&] { return queue_->listening(); }));
  }
  std::this_thread::sleep_for(milliseconds(200));  // the first poll has passed
  const std::int64_t enqueued_at = clock.now_unix_ms();
  database_->write([&](Transaction& tx) { queue_->enqueue(tx, spec("ping"), enqueued_at); });
  ASSERT_TRUE(eventually([&] { return started_at_ms.load() != 0; }, milliseconds(10'000)));
  // Far below the 60 s poll: the notification woke it.
  EXPECT_LT(started_at_ms.load() - enqueued_at, 5'000);
  runner.stop();
}

TEST_P(JobRunnerTest, TwoRunnersNeverRunAJobTwice) {
  std::mutex mutex;
  std::condition_variable both_started;
  std::map<std::int64_t, int> runs;
  std::set<std::string> workers;
  handlers_.add("count", [&](const Job& job, JobContext& context) -> Result<std::string> {
    std::unique_lock lock(mutex);
    ++runs[job.id];
    workers.insert(context.worker_id());
    // The first jobs wait until the other runner holds one too, so that the two really run at
    // the same time (a loaded machine could otherwise let one runner drain the queue alone).
    both_started.notify_all();
    both_started.wait_for(lock, std::chrono::seconds(10), [&] { return workers.size() == 2; });
    lock.unlock();
    std::this_thread::sleep_for(milliseconds(1));
    return "null";
  });
  constexpr int kJobs = 300;
  std::vector<JobSpec> specs(kJobs, spec("count"));
  SystemClock clock;
  Worker other = open_worker(4);
  JobRunner first(*database_, *queue_, handlers_, clock, options("runner-1", 3));
  JobRunner second(*other.database, *other.queue, handlers_, clock, options("runner-2", 3));
  first.start();
  second.start();
  database_->write([&](Transaction& tx) { queue_->enqueue_many(tx, specs, clock.now_unix_ms()); });
  ASSERT_TRUE(
      eventually([&] { return count_jobs("state = 'succeeded'") == kJobs; }, std::chrono::seconds(60)));
  first.stop();
  second.stop();
  std::lock_guard lock(mutex);
  EXPECT_EQ(runs.size(), static_cast<std::size_t>(kJobs));
  for (const auto& [id, count] : runs) EXPECT_EQ(count, 1) << "job " << id;
  EXPECT_EQ(first.counters().succeeded + second.counters().succeeded, static_cast<std::uint64_t>(kJobs));
  EXPECT_GT(first.counters().succeeded, 0U);
  EXPECT_GT(second.counters().succeeded, 0U);
}

TEST_P(JobRunnerTest, RetriesWithFullJitterBackoffThenDeadLetters) {
  std::atomic<int> calls{0};
  handlers_.add("flaky", [&](const Job&, JobContext& context) -> Result<std::string> {
    ++calls;
    return make_error(ErrorCode::kUnavailable,
                      "upstream down (attempt " + std::to_string(context.attempt()) + ")",
                      "connect: refused");
  });
  JobSpec job = spec("flaky");
  job.max_attempts = 4;
  const std::int64_t id = enqueue(job);
  // The clock is the test's: retries become due only when it says so. Jitter is scripted.
  ScriptedRandom random({0.5, 0.25, 0.9});
  JobRunnerOptions retrying = options("runner-1");
  retrying.retry = RetryPolicy{milliseconds(1'000), milliseconds(3'000)};
  JobRunner runner(*database_, *queue_, handlers_, clock_, retrying, nullptr, &random);
  runner.start();

  // Attempt n's delay is u * min(cap, base * 2^(n-1)): 0.5 * 1 s, 0.25 * 2 s, 0.9 * min(3 s, 4 s).
  const std::vector<std::int64_t> delays{500, 500, 2'700};
  for (std::size_t n = 0; n < delays.size(); ++n) {
    const std::int64_t failed_at = clock_.now_unix_ms();
    ASSERT_TRUE(eventually([&] {
      return get(id).attempts == static_cast<int>(n + 1) && get(id).state == JobState::kQueued;
    })) << n;
    const Job waiting = get(id);
    EXPECT_EQ(waiting.run_at_unix_ms - failed_at, delays[n]) << n;
    EXPECT_EQ(waiting.last_error, "upstream down (attempt " + std::to_string(n + 1) + ")");
    // Not before its time.
    clock_.advance(milliseconds(delays[n] - 1));
    std::this_thread::sleep_for(milliseconds(200));
    EXPECT_EQ(calls.load(), static_cast<int>(n + 1));
    clock_.advance(milliseconds(1));
  }
  ASSERT_TRUE(eventually([&] { return get(id).state == JobState::kDead; }));
  const Job dead = get(id);
  ASSERT_EQ(dead.history.size(), 4U);
  for (std::size_t n = 0; n < 4; ++n) {
    EXPECT_EQ(dead.history[n].outcome, AttemptOutcome::kFailed);
    EXPECT_EQ(dead.history[n].error, "upstream down (attempt " + std::to_string(n + 1) + ")");
    EXPECT_EQ(dead.history[n].worker_id, "runner-1");
  }
  ASSERT_TRUE(eventually([&] { return runner.counters().dead == 1; }));
  EXPECT_EQ(runner.counters().failed, 4U);
  runner.stop();
}

TEST_P(JobRunnerTest, RetryAfterIsHonouredAndInvalidPayloadsDieAtOnce) {
  handlers_.add("throttled", [](const Job&, JobContext&) -> Result<std::string> {
    Error error{ErrorCode::kResourceExhausted, "rate limited by the platform", ""};
    error.retry_after = milliseconds(7'000);
    return tl::unexpected(error);
  });
  handlers_.add("broken", [](const Job&, JobContext&) -> Result<std::string> {
    return make_error(ErrorCode::kInvalidArgument, "the payload names no persona");
  });
  handlers_.add("throws", [](const Job&, JobContext&) -> Result<std::string> {
    throw std::runtime_error("secret internals: password=hunter2");
  });
  JobSpec throttled = spec("throttled");
  const std::int64_t throttled_id = enqueue(throttled);
  const std::int64_t broken_id = enqueue(spec("broken"));
  JobSpec throws = spec("throws");
  throws.max_attempts = 1;
  const std::int64_t throws_id = enqueue(throws);
  const std::int64_t unknown_id = enqueue(spec("nobody-handles-this"));
  ScriptedRandom random({0.999});  // jitter alone: 1998 ms (0.999 of the 2 s base)
  const std::int64_t started = clock_.now_unix_ms();
  JobRunner runner(*database_, *queue_, handlers_, clock_, options("runner-1"), nullptr, &random);
  runner.start();
  ASSERT_TRUE(eventually([&] {
    return get(throttled_id).attempts == 1 && get(throttled_id).state == JobState::kQueued &&
           get(broken_id).state == JobState::kDead && get(throws_id).state == JobState::kDead &&
           get(unknown_id).attempts == 1 && get(unknown_id).state == JobState::kQueued;
  }));
  runner.stop();
  EXPECT_EQ(get(throttled_id).run_at_unix_ms, started + 7'000);
  EXPECT_EQ(get(unknown_id).run_at_unix_ms, started + 1'998);
  EXPECT_EQ(get(broken_id).attempts, 1);
  EXPECT_EQ(get(broken_id).last_error, "the payload names no persona");
  // An exception's text stays in the log: operators see a generic error.
  EXPECT_EQ(get(throws_id).last_error, "internal error");
  EXPECT_EQ(get(unknown_id).last_error, "no handler is registered for kind nobody-handles-this");
}

TEST_P(JobRunnerTest, ACancelledRunningJobStopsAtItsNextHeartbeat) {
  std::atomic<bool> started{false};
  std::atomic<std::int64_t> saw_cancel_after_ms{-1};
  handlers_.add("slow", [&](const Job&, JobContext& context) -> Result<std::string> {
    started = true;
    const auto begin = std::chrono::steady_clock::now();
    if (!context.wait_for_cancellation(std::chrono::seconds(30))) return "\"finished\"";
    saw_cancel_after_ms =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - begin).count();
    EXPECT_EQ(context.cancel_reason(), CancelReason::kCancelled);
    return make_error(ErrorCode::kDeadlineExceeded, "stopped on request");
  });
  const std::int64_t id = enqueue(spec("slow"));
  SystemClock clock;
  JobRunner runner(*database_, *queue_, handlers_, clock, options("runner-1"));
  runner.start();
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  database_->write([&](Transaction& tx) { queue_->cancel(tx, JobScope::system(), id, clock.now_unix_ms()); });
  ASSERT_TRUE(eventually([&] { return get(id).state == JobState::kCancelled; }));
  EXPECT_GE(saw_cancel_after_ms.load(), 0);
  const Job cancelled = get(id);
  EXPECT_EQ(cancelled.history.back().outcome, AttemptOutcome::kCancelled);
  EXPECT_EQ(cancelled.history.back().error, "stopped on request");
  ASSERT_TRUE(eventually([&] { return runner.counters().cancelled == 1; }));
  runner.stop();
}

TEST_P(JobRunnerTest, ALostLeaseCancelsTheHandlerAndDiscardsItsResult) {
  std::atomic<bool> started{false};
  std::atomic<int> reason{-1};
  handlers_.add("slow", [&](const Job&, JobContext& context) -> Result<std::string> {
    started = true;
    context.wait_for_cancellation(std::chrono::seconds(30));
    reason = static_cast<int>(context.cancel_reason());
    return "\"too late\"";
  });
  const std::int64_t id = enqueue(spec("slow"));
  SystemClock clock;
  JobRunner runner(*database_, *queue_, handlers_, clock, options("runner-1"));
  runner.start();
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  // Another worker took the job over (as after an expired lease).
  database_->write([&](Transaction& tx) {
    bypass_tenant_scope(tx, [&] {
      soci_session(tx) << "UPDATE jobs SET lease_owner = 'someone-else', attempt_number = attempt_number + 1";
    });
  });
  ASSERT_TRUE(eventually([&] { return reason.load() == static_cast<int>(CancelReason::kLeaseLost); }));
  ASSERT_TRUE(eventually([&] { return runner.counters().discarded == 1; }));
  runner.stop();
  const Job job = get(id);
  EXPECT_EQ(job.state, JobState::kRunning);
  EXPECT_EQ(job.lease_owner, "someone-else");
  EXPECT_FALSE(job.result_json.has_value());
}

TEST_P(JobRunnerTest, PerQueueConcurrencyLimitHoldsAcrossTwoRunners) {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  handlers_.add("exclusive", [&](const Job&, JobContext&) -> Result<std::string> {
    const int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(milliseconds(20));
    --running;
    return "null";
  });
  std::vector<JobSpec> specs(12, spec("exclusive", "publish"));
  database_->write([&](Transaction& tx) { queue_->enqueue_many(tx, specs, clock_.now_unix_ms()); });
  SystemClock clock;
  Worker other = open_worker(4);
  JobRunnerOptions limited = options("runner-1", 4);
  limited.queues = {RunnerQueueOptions{"publish", 4, 1}};
  JobRunnerOptions limited_too = limited;
  limited_too.worker_id = "runner-2";
  JobRunner first(*database_, *queue_, handlers_, clock, limited);
  JobRunner second(*other.database, *other.queue, handlers_, clock, limited_too);
  first.start();
  second.start();
  ASSERT_TRUE(eventually([&] { return count_jobs("state = 'succeeded'") == 12; }, std::chrono::seconds(60)));
  first.stop();
  second.stop();
  EXPECT_EQ(peak.load(), 1);
}

TEST_P(JobRunnerTest, RecurringSchedulesFireOncePerSlotAcrossTwoRunners) {
  std::atomic<int> runs{0};
  handlers_.add("digest", [&](const Job& job, JobContext&) -> Result<std::string> {
    EXPECT_EQ(job.tenant_id, acme_.id);
    ++runs;
    return "null";
  });
  // 2025-06-01 06:59 UTC; the schedule is 09:00 in Paris (07:00 UTC in summer).
  FakeClock clock(1'748'761'140'000);
  JobScheduler scheduler(*database_, *queue_, clock);
  ScheduleSpec schedule;
  schedule.id = "acme-digest";
  schedule.tenant_id = acme_.id;
  schedule.cron = "0 9 * * *";
  schedule.time_zone = "Europe/Paris";
  schedule.kind = "digest";
  const Result<JobSchedule> created = scheduler.create(schedule);
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->next_run_at_unix_ms, 1'748'761'200'000);
  ScheduleSpec bad = schedule;
  bad.id = "bad";
  bad.cron = "0 25 * * *";
  EXPECT_EQ(scheduler.create(bad).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(scheduler.create(schedule).error().code, ErrorCode::kConflict);

  Worker other = open_worker(4);
  JobRunnerOptions scheduling = options("runner-1");
  scheduling.run_scheduler = true;
  JobRunnerOptions scheduling_too = scheduling;
  scheduling_too.worker_id = "runner-2";
  JobRunner first(*database_, *queue_, handlers_, clock, scheduling);
  JobRunner second(*other.database, *other.queue, handlers_, clock, scheduling_too);
  first.start();
  second.start();
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(runs.load(), 0);  // not due yet

  for (int day = 0; day < 3; ++day) {
    clock.advance(milliseconds(60'000));  // 07:00 UTC: due
    ASSERT_TRUE(eventually([&] { return runs.load() == day + 1; })) << day;
    std::this_thread::sleep_for(milliseconds(300));  // several ticks of both runners
    EXPECT_EQ(runs.load(), day + 1) << day;
    clock.advance(milliseconds(86'400'000 - 60'000));
  }
  first.stop();
  second.stop();
  EXPECT_EQ(count_jobs("kind = 'digest'"), 3);
  const std::optional<JobSchedule> after = scheduler.get(JobScope::tenant(acme_.id), "acme-digest");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->next_run_at_unix_ms, 1'748'761'200'000 + 3 * 86'400'000LL);
  // A missed stretch fires once, then resumes from now.
  clock.advance(milliseconds(5 * 86'400'000LL));
  EXPECT_EQ(scheduler.tick(), 1U);
  EXPECT_EQ(scheduler.tick(), 0U);
  EXPECT_EQ(count_jobs("kind = 'digest'"), 4);
}

TEST_P(JobRunnerTest, StopReleasesJobsNotStartedAndJobsOverTheGracePeriod) {
  std::atomic<int> started{0};
  handlers_.add("stubborn", [&](const Job&, JobContext& context) -> Result<std::string> {
    ++started;
    context.wait_for_cancellation(std::chrono::seconds(30));
    EXPECT_EQ(context.cancel_reason(), CancelReason::kShutdown);
    return make_error(ErrorCode::kUnavailable, "interrupted");
  });
  for (int i = 0; i < 3; ++i) enqueue(spec("stubborn"));
  SystemClock clock;
  JobRunnerOptions one_thread = options("runner-1", 1);
  one_thread.queues = {RunnerQueueOptions{"default", 3, std::nullopt}};
  JobRunner runner(*database_, *queue_, handlers_, clock, one_thread);
  runner.start();
  ASSERT_TRUE(eventually([&] { return started.load() == 1 && count_jobs("state = 'running'") == 3; }));
  const auto begin = std::chrono::steady_clock::now();
  runner.stop(milliseconds(300));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(10));
  EXPECT_EQ(started.load(), 1);
  EXPECT_EQ(runner.counters().released, 3U);
  for (const Job& job : all_jobs()) {
    EXPECT_EQ(job.state, JobState::kQueued);
    EXPECT_EQ(job.attempts, 0);         // released attempts do not count
    ASSERT_EQ(job.history.size(), 0U);  // list() leaves history out
    const Job detail = get(job.id);
    ASSERT_EQ(detail.history.size(), 1U);
    EXPECT_EQ(detail.history[0].outcome, AttemptOutcome::kReleased);
  }
}

TEST_P(JobRunnerTest, RetentionSweepPurgesOldFinishedJobs) {
  handlers_.add("noop", [](const Job&, JobContext&) -> Result<std::string> { return "null"; });
  for (int i = 0; i < 25; ++i) enqueue(spec());
  SystemClock clock;
  {
    JobRunner runner(*database_, *queue_, handlers_, clock, options("runner-1"));
    runner.start();
    ASSERT_TRUE(eventually([&] { return count_jobs("state = 'succeeded'") == 25; }));
  }
  JobSpec waiting = spec();
  waiting.run_at_unix_ms = clock.now_unix_ms() + 3'600'000;
  enqueue(waiting);
  JobRunnerOptions sweeping = options("runner-2");
  sweeping.retention = JobRetention{milliseconds(0), milliseconds(0), milliseconds(50), 10};
  JobRunner runner(*database_, *queue_, handlers_, clock, sweeping);
  runner.start();
  ASSERT_TRUE(eventually([&] { return count_jobs() == 1; }));
  // The sweep also folds the finished-job counters: the purge's deltas cancel the completions'.
  EXPECT_TRUE(eventually([&] { return count_rows("job_finished_counts") == 0; }));
  runner.stop();
  EXPECT_EQ(count_jobs("state = 'queued'"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, JobRunnerTest, ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         backend_name);

}  // namespace
}  // namespace personae::testing

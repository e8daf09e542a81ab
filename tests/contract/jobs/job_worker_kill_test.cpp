#include <csignal>
#include <thread>

#include "services/jobs/job_runner.hpp"
#include "tests/contract/jobs/jobs_fixture.hpp"
#include "tests/support/child_process.hpp"

namespace personae::testing {
namespace {

using std::chrono::milliseconds;

// QUEUE-LEASE / C2: a worker killed with SIGKILL while it runs a job loses nothing. Its lease
// expires, another worker takes the job and completes it: exactly one completion is recorded,
// and the history shows the lost attempt. A real process on the real database (a throwaway
// PostgreSQL cluster, or a SQLite file shared by both processes).
class JobWorkerKillTest : public JobsTest {};

TEST_P(JobWorkerKillTest, AJobOfAKilledWorkerRunsAgainAfterItsLeaseExpires) {
  JobSpec job = spec("slow");
  job.max_attempts = 3;
  const std::int64_t id = enqueue(job);

  constexpr milliseconds kLease{1'500};
  ChildProcess probe(ChildProcess::Options{
      {PERSONAE_JOB_WORKER_PROBE, url_, "probe-1", std::to_string(kLease.count())}, {}, {}, std::nullopt});
  const std::optional<std::string> started = probe.wait_for_output_line("started", std::chrono::seconds(30));
  ASSERT_TRUE(started.has_value()) << probe.standard_error();
  EXPECT_EQ(*started, "started " + std::to_string(id) + " attempt 1");
  const Job held = get(id);
  EXPECT_EQ(held.state, JobState::kRunning);
  EXPECT_EQ(held.lease_owner, "probe-1");

  probe.signal(SIGKILL);
  ASSERT_EQ(probe.wait(std::chrono::seconds(10)), 128 + SIGKILL);

  std::atomic<int> completions{0};
  JobHandlerRegistry handlers;
  handlers.add("slow", [&](const Job& running, JobContext& context) -> Result<std::string> {
    EXPECT_EQ(running.id, id);
    EXPECT_EQ(context.attempt_number(), 2);
    ++completions;
    return "\"survivor\"";
  });
  JobRunnerOptions options;
  options.worker_id = "survivor";
  options.threads = 1;
  options.lease = kLease;
  options.heartbeat_interval = milliseconds(500);
  options.poll_interval = milliseconds(100);
  options.retention.reset();
  options.run_scheduler = false;
  SystemClock clock;
  const auto killed_at = std::chrono::steady_clock::now();
  JobRunner runner(*database_, *queue_, handlers, clock, options);
  runner.start();
  ASSERT_TRUE(eventually([&] { return get(id).state == JobState::kSucceeded; }, std::chrono::seconds(30)));
  // Not before the dead worker's lease ran out.
  EXPECT_GE(std::chrono::steady_clock::now() - killed_at, kLease / 2);
  runner.stop();

  EXPECT_EQ(completions.load(), 1);
  const Job done = get(id);
  EXPECT_EQ(done.result_json, "\"survivor\"");
  ASSERT_EQ(done.history.size(), 2U);
  EXPECT_EQ(done.history[0].number, 1);
  EXPECT_EQ(done.history[0].worker_id, "probe-1");
  EXPECT_EQ(done.history[0].outcome, AttemptOutcome::kLeaseExpired);
  EXPECT_EQ(done.history[1].number, 2);
  EXPECT_EQ(done.history[1].worker_id, "survivor");
  EXPECT_EQ(done.history[1].outcome, AttemptOutcome::kSucceeded);
  // Nothing is left running past its lease (invariant I4).
  EXPECT_EQ(count_jobs("state = 'running'"), 0);
}

TEST_P(JobWorkerKillTest, AStoppedWorkerReleasesItsJobAtOnce) {
  const std::int64_t id = enqueue(spec("slow"));
  ChildProcess probe(
      ChildProcess::Options{{PERSONAE_JOB_WORKER_PROBE, url_, "probe-2", "60000"}, {}, {}, std::nullopt});
  ASSERT_TRUE(probe.wait_for_output_line("started", std::chrono::seconds(30)).has_value())
      << probe.standard_error();
  probe.signal(SIGTERM);
  ASSERT_EQ(probe.wait(std::chrono::seconds(20)), 0) << probe.standard_error();
  // A 60 s lease, yet the job is available again now: the worker gave it back.
  const Job released = get(id);
  EXPECT_EQ(released.state, JobState::kQueued);
  EXPECT_EQ(released.attempts, 0);
  ASSERT_EQ(released.history.size(), 1U);
  EXPECT_EQ(released.history[0].outcome, AttemptOutcome::kReleased);
  // The probe released it at its own (real) time.
  EXPECT_EQ(
      queue_
          ->claim(ClaimRequest{"w-next", {QueueDemand{"default", 1, std::nullopt}}, std::chrono::seconds(30)},
                  SystemClock().now_unix_ms())
          .size(),
      1U);
}

INSTANTIATE_TEST_SUITE_P(Backends, JobWorkerKillTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql), backend_name);

}  // namespace
}  // namespace personae::testing

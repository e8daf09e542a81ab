#include <soci/soci.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <set>
#include <thread>

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_migrator.hpp"
#include "adapters/db/tenant_scope.hpp"
#include "tests/contract/jobs/jobs_fixture.hpp"

namespace personae::testing {
namespace {

using std::chrono::milliseconds;

class JobQueueTest : public JobsTest {};

TEST_P(JobQueueTest, EnqueueCommitsWithItsTransactionAndRollsBackWithIt) {
  // The business write and its job commit together...
  database_->write([&](Transaction& tx) {
    tenants_.create(tx, Tenant{"t-gamma", "gamma", false, clock_.now_unix_ms()});
    JobSpec job = spec("welcome");
    job.tenant_id = "t-gamma";
    queue_->enqueue(tx, job, clock_.now_unix_ms());
  });
  // ...or neither does.
  EXPECT_THROW(database_->write([&](Transaction& tx) {
    tenants_.create(tx, Tenant{"t-delta", "delta", false, clock_.now_unix_ms()});
    JobSpec job = spec("welcome");
    job.tenant_id = "t-delta";
    queue_->enqueue(tx, job, clock_.now_unix_ms());
    throw AppError(ErrorCode::kConflict, "the business rule said no");
  }),
               AppError);
  EXPECT_EQ(count_jobs("kind = 'welcome'"), 1);
  EXPECT_EQ(count_jobs("tenant_id = 't-gamma'"), 1);
  EXPECT_EQ(count_jobs("tenant_id = 't-delta'"), 0);
  // Nothing rolled back is ever claimed.
  EXPECT_EQ(claim(*queue_, "w-1", 10).size(), 1U);
}

TEST_P(JobQueueTest, EnqueueStoresTheSpecAndRefusesABadOne) {
  JobSpec job = spec("captions.generate", "captions");
  job.payload_json = R"({"persona":"p-1"})";
  job.tenant_id = acme_.id;
  job.priority = 5;
  job.run_at_unix_ms = clock_.now_unix_ms() + 60'000;
  job.max_attempts = 3;
  job.unique_key = "captions:p-1";
  const std::int64_t id = enqueue(job);
  const Job stored = get(id);
  EXPECT_EQ(stored.queue, "captions");
  EXPECT_EQ(stored.kind, "captions.generate");
  EXPECT_EQ(stored.payload_json, R"({"persona":"p-1"})");
  EXPECT_EQ(stored.tenant_id, acme_.id);
  EXPECT_EQ(stored.priority, 5);
  EXPECT_EQ(stored.state, JobState::kQueued);
  EXPECT_EQ(stored.run_at_unix_ms, clock_.now_unix_ms() + 60'000);
  EXPECT_EQ(stored.attempts, 0);
  EXPECT_EQ(stored.max_attempts, 3);
  EXPECT_EQ(stored.unique_key, "captions:p-1");
  EXPECT_EQ(stored.created_at_unix_ms, clock_.now_unix_ms());
  EXPECT_FALSE(stored.finished_at_unix_ms.has_value());
  EXPECT_TRUE(stored.history.empty());

  JobSpec bad = spec("", "Bad Queue");
  bad.payload_json = "{";
  try {
    enqueue(bad);
    FAIL() << "expected kInvalidArgument";
  } catch (const AppError& error) {
    EXPECT_EQ(error.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(error.error().field_errors.size(), 3U);
  }
}

TEST_P(JobQueueTest, UniqueKeyReturnsTheLiveJobAndIsFreeOnceItFinished) {
  JobSpec job = spec();
  job.unique_key = "daily-report";
  const EnqueueResult first = database_->write([&](Transaction& tx) { return queue_->enqueue(tx, job, 1); });
  EXPECT_TRUE(first.created);
  const EnqueueResult again = database_->write([&](Transaction& tx) { return queue_->enqueue(tx, job, 2); });
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.job_id, first.job_id);

  // Keys are per tenant; system jobs have their own space.
  JobSpec acme_job = job;
  acme_job.tenant_id = acme_.id;
  JobSpec beta_job = job;
  beta_job.tenant_id = beta_.id;
  const std::int64_t acme_id = enqueue(acme_job);
  const std::int64_t beta_id = enqueue(beta_job);
  EXPECT_NE(acme_id, first.job_id);
  EXPECT_NE(acme_id, beta_id);
  EXPECT_EQ(enqueue(acme_job), acme_id);

  // Still live while running.
  const std::vector<Job> claimed = claim(*queue_, "w-1", 10);
  ASSERT_EQ(claimed.size(), 3U);
  EXPECT_EQ(enqueue(job), first.job_id);
  for (const Job& running : claimed) {
    EXPECT_EQ(queue_->complete(std::vector{JobCompletion{running.lease(), "null"}}, clock_.now_unix_ms()),
              std::vector<bool>{true});
  }
  // Finished: the key is free again.
  const std::int64_t fresh = enqueue(job);
  EXPECT_NE(fresh, first.job_id);
  EXPECT_EQ(get(fresh).state, JobState::kQueued);
}

TEST_P(JobQueueTest, EnqueueManyKeepsTheOrderAndHonoursUniqueKeys) {
  JobSpec holder = spec();
  holder.unique_key = "k-existing";
  const std::int64_t existing = enqueue(holder);

  std::vector<JobSpec> specs;
  for (int i = 0; i < 1'200; ++i) {  // more than one chunk
    JobSpec job = spec("bulk");
    job.payload_json = "{\"i\":" + std::to_string(i) + "}";
    specs.push_back(job);
  }
  specs[10].unique_key = "k-existing";
  specs[20].unique_key = "k-new";
  specs[700].unique_key = "k-new";  // duplicate within the batch, in another chunk
  const std::vector<EnqueueResult> results = database_->write(
      [&](Transaction& tx) { return queue_->enqueue_many(tx, specs, clock_.now_unix_ms()); });
  ASSERT_EQ(results.size(), specs.size());
  EXPECT_FALSE(results[10].created);
  EXPECT_EQ(results[10].job_id, existing);
  EXPECT_TRUE(results[20].created);
  EXPECT_FALSE(results[700].created);
  EXPECT_EQ(results[700].job_id, results[20].job_id);
  std::set<std::int64_t> ids;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (i == 10 || i == 700) continue;
    EXPECT_TRUE(results[i].created) << i;
    ids.insert(results[i].job_id);
    if (i % 250 == 0) {
      EXPECT_EQ(get(results[i].job_id).payload_json, "{\"i\":" + std::to_string(i) + "}");
    }
  }
  EXPECT_EQ(ids.size(), specs.size() - 2);
  EXPECT_EQ(count_jobs("kind = 'bulk'"), static_cast<long long>(specs.size()) - 2);
}

TEST_P(JobQueueTest, ClaimsDueJobsByPriorityThenRunAt) {
  const std::int64_t now = clock_.now_unix_ms();
  const auto at = [&](int priority, std::int64_t run_at) {
    JobSpec job = spec();
    job.priority = priority;
    job.run_at_unix_ms = run_at;
    return enqueue(job);
  };
  const std::int64_t late_low = at(0, now - 1'000);
  const std::int64_t early_low = at(0, now - 5'000);
  const std::int64_t high = at(10, now);
  const std::int64_t future = at(100, now + 60'000);
  const std::int64_t other_queue = enqueue(spec("noop", "other"));

  const std::vector<Job> first = claim(*queue_, "w-1", 2, std::chrono::hours(1));
  ASSERT_EQ(first.size(), 2U);
  EXPECT_EQ(first[0].id, high);
  EXPECT_EQ(first[1].id, early_low);
  EXPECT_EQ(first[0].state, JobState::kRunning);
  EXPECT_EQ(first[0].attempts, 1);
  EXPECT_EQ(first[0].attempt_number, 1);
  EXPECT_EQ(first[0].lease_owner, "w-1");
  EXPECT_EQ(first[0].lease_expires_at_unix_ms, now + 3'600'000);
  EXPECT_EQ(first[0].started_at_unix_ms, now);

  const std::vector<Job> second = claim(*queue_, "w-1", 10, std::chrono::hours(1));
  ASSERT_EQ(second.size(), 1U);
  EXPECT_EQ(second[0].id, late_low);
  EXPECT_TRUE(
      claim(*queue_, "w-1", 10, std::chrono::hours(1)).empty());  // the future job waits for its run_at

  clock_.advance(milliseconds(60'000));
  const std::vector<Job> later = claim(*queue_, "w-1", 10);
  ASSERT_EQ(later.size(), 1U);
  EXPECT_EQ(later[0].id, future);
  EXPECT_EQ(claim(*queue_, "w-1", 10, std::chrono::seconds(30), "other").front().id, other_queue);
}

TEST_P(JobQueueTest, AnExpiredLeaseMakesTheJobClaimableAgain) {
  JobSpec job = spec();
  job.max_attempts = 2;
  const std::int64_t id = enqueue(job);
  Worker other = open_worker();
  const std::vector<Job> first = claim(*queue_, "w-a", 1, milliseconds(1'000));
  ASSERT_EQ(first.size(), 1U);

  clock_.advance(milliseconds(999));
  EXPECT_TRUE(claim(*other.queue, "w-b", 1, milliseconds(1'000)).empty());  // still leased
  clock_.advance(milliseconds(2));
  const std::vector<Job> second = claim(*other.queue, "w-b", 1, milliseconds(1'000));
  ASSERT_EQ(second.size(), 1U);
  EXPECT_EQ(second[0].id, id);
  EXPECT_EQ(second[0].attempts, 2);
  EXPECT_EQ(second[0].lease_owner, "w-b");

  // The first worker's lease is gone: nothing it does counts.
  EXPECT_EQ(queue_->heartbeat(std::vector{LeaseRenewal{first[0].lease(), std::nullopt}}, milliseconds(1'000),
                              clock_.now_unix_ms()),
            std::vector<LeaseStatus>{LeaseStatus::kLost});
  EXPECT_EQ(queue_->complete(std::vector{JobCompletion{first[0].lease(), "\"a\""}}, clock_.now_unix_ms()),
            std::vector<bool>{false});
  EXPECT_FALSE(
      queue_->fail(JobFailure{first[0].lease(), "late", std::nullopt}, clock_.now_unix_ms()).has_value());

  const Job during = get(id);
  ASSERT_EQ(during.history.size(), 2U);
  EXPECT_EQ(during.history[0].worker_id, "w-a");
  EXPECT_EQ(during.history[0].outcome, AttemptOutcome::kLeaseExpired);
  EXPECT_EQ(during.history[1].worker_id, "w-b");
  EXPECT_EQ(during.history[1].outcome, AttemptOutcome::kRunning);

  // The last attempt's lease expiring dead-letters the job instead.
  clock_.advance(milliseconds(1'001));
  EXPECT_EQ(other.queue->rescue_expired(clock_.now_unix_ms()), 1U);
  const Job dead = get(id);
  EXPECT_EQ(dead.state, JobState::kDead);
  EXPECT_EQ(dead.history.back().outcome, AttemptOutcome::kLeaseExpired);
  EXPECT_TRUE(dead.last_error.has_value());
}

TEST_P(JobQueueTest, HeartbeatExtendsTheLeaseAndStoresProgress) {
  const std::int64_t id = enqueue(spec());
  Worker other = open_worker();
  const Job running = claim(*queue_, "w-a", 1, milliseconds(1'000)).at(0);
  clock_.advance(milliseconds(800));
  EXPECT_EQ(queue_->heartbeat(std::vector{LeaseRenewal{running.lease(), std::string(R"({"done":3})")}},
                              milliseconds(1'000), clock_.now_unix_ms()),
            std::vector<LeaseStatus>{LeaseStatus::kHeld});
  clock_.advance(milliseconds(700));  // past the first lease, within the extended one
  EXPECT_TRUE(claim(*other.queue, "w-b", 1, milliseconds(1'000)).empty());
  const Job stored = get(id);
  EXPECT_EQ(stored.lease_expires_at_unix_ms, clock_.now_unix_ms() - 700 + 1'000);
  EXPECT_EQ(stored.progress_json, R"({"done":3})");
  // A heartbeat without progress keeps the last report.
  queue_->heartbeat(std::vector{LeaseRenewal{running.lease(), std::nullopt}}, milliseconds(1'000),
                    clock_.now_unix_ms());
  EXPECT_EQ(get(id).progress_json, R"({"done":3})");
  EXPECT_EQ(
      queue_->complete(std::vector{JobCompletion{running.lease(), R"({"ok":true})"}}, clock_.now_unix_ms()),
      std::vector<bool>{true});
  const Job done = get(id);
  EXPECT_EQ(done.state, JobState::kSucceeded);
  EXPECT_EQ(done.result_json, R"({"ok":true})");
  EXPECT_EQ(done.finished_at_unix_ms, clock_.now_unix_ms());
  EXPECT_FALSE(done.lease_owner.has_value());
  ASSERT_EQ(done.history.size(), 1U);
  EXPECT_EQ(done.history[0], (JobAttempt{1, "w-a", running.started_at_unix_ms.value(), clock_.now_unix_ms(),
                                         AttemptOutcome::kSucceeded, ""}));
}

TEST_P(JobQueueTest, ConcurrentWorkersNeverClaimTheSameJob) {
  constexpr int kJobs = 400;
  std::vector<JobSpec> specs(kJobs, spec());
  database_->write([&](Transaction& tx) { queue_->enqueue_many(tx, specs, clock_.now_unix_ms()); });
  std::mutex mutex;
  std::map<std::int64_t, int> claims;
  std::vector<std::thread> threads;
  threads.reserve(4);
  std::atomic<int> errors{0};
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      Worker worker = open_worker();
      const std::string id = "w-" + std::to_string(w);
      try {
        while (true) {
          const std::vector<Job> jobs = worker.queue->claim(
              ClaimRequest{id, {QueueDemand{"default", 7, std::nullopt}}, std::chrono::seconds(60)},
              clock_.now_unix_ms());
          if (jobs.empty()) return;
          std::vector<JobCompletion> completions;
          completions.reserve(jobs.size());
          {
            std::lock_guard lock(mutex);
            for (const Job& job : jobs) {
              ++claims[job.id];
              completions.push_back(JobCompletion{job.lease(), "null"});
            }
          }
          for (const bool recorded : worker.queue->complete(completions, clock_.now_unix_ms())) {
            if (!recorded) ++errors;
          }
        }
      } catch (const std::exception& error) {
        ADD_FAILURE() << error.what();
        ++errors;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(claims.size(), static_cast<std::size_t>(kJobs));
  for (const auto& [id, count] : claims) EXPECT_EQ(count, 1) << "job " << id;
  EXPECT_EQ(count_jobs("state = 'succeeded'"), kJobs);
}

TEST_P(JobQueueTest, FailedAttemptsRetryThenDeadLetterWithTheirHistory) {
  JobSpec job = spec();
  job.max_attempts = 3;
  const std::int64_t id = enqueue(job);
  std::vector<std::string> errors;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const std::vector<Job> claimed = claim(*queue_, "w-1", 1);
    ASSERT_EQ(claimed.size(), 1U) << attempt;
    errors.push_back("boom " + std::to_string(attempt));
    const std::int64_t retry_at = clock_.now_unix_ms() + std::int64_t{1'000} * attempt;
    const std::optional<JobState> state =
        queue_->fail(JobFailure{claimed[0].lease(), errors.back(), retry_at}, clock_.now_unix_ms());
    if (attempt < 3) {
      EXPECT_EQ(state, JobState::kQueued);
      const Job waiting = get(id);
      EXPECT_TRUE(waiting.retrying());
      EXPECT_EQ(waiting.run_at_unix_ms, retry_at);
      EXPECT_EQ(waiting.last_error, errors.back());
      EXPECT_TRUE(claim(*queue_, "w-1", 1).empty());  // not before its retry time
      clock_.advance(milliseconds(1'000 * attempt));
    } else {
      EXPECT_EQ(state, JobState::kDead);  // max_attempts used, whatever retry_at says
    }
  }
  const Job dead = get(id);
  EXPECT_EQ(dead.state, JobState::kDead);
  EXPECT_EQ(dead.attempts, 3);
  EXPECT_TRUE(dead.finished_at_unix_ms.has_value());
  ASSERT_EQ(dead.history.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(dead.history[i].number, static_cast<int>(i + 1));
    EXPECT_EQ(dead.history[i].outcome, AttemptOutcome::kFailed);
    EXPECT_EQ(dead.history[i].error, errors[i]);
  }
  EXPECT_TRUE(claim(*queue_, "w-1", 1).empty());

  // A failure without a retry time dead-letters at once.
  const std::int64_t permanent = enqueue(spec());
  const Job running = claim(*queue_, "w-1", 1).at(0);
  EXPECT_EQ(queue_->fail(JobFailure{running.lease(), "bad payload", std::nullopt}, clock_.now_unix_ms()),
            JobState::kDead);
  EXPECT_EQ(get(permanent).attempts, 1);
}

TEST_P(JobQueueTest, ReplayQueuesADeadJobAgainAndKeepsItsHistory) {
  JobSpec job = spec();
  job.max_attempts = 1;
  job.unique_key = "replayed";
  const std::int64_t id = enqueue(job);
  const Job first = claim(*queue_, "w-1", 1).at(0);
  queue_->fail(JobFailure{first.lease(), "first failure", std::nullopt}, clock_.now_unix_ms());
  ASSERT_EQ(get(id).state, JobState::kDead);

  // Not while another live job holds its unique key.
  const std::int64_t holder = enqueue(job);
  const auto replay = [&] {
    return database_->write(
        [&](Transaction& tx) { return queue_->replay(tx, JobScope::system(), id, clock_.now_unix_ms()); });
  };
  EXPECT_EQ(error_code_of(replay), ErrorCode::kConflict);
  database_->write(
      [&](Transaction& tx) { queue_->cancel(tx, JobScope::system(), holder, clock_.now_unix_ms()); });

  clock_.advance(milliseconds(5'000));
  const Job replayed = replay();
  EXPECT_EQ(replayed.state, JobState::kQueued);
  EXPECT_EQ(replayed.attempts, 0);
  EXPECT_EQ(replayed.run_at_unix_ms, clock_.now_unix_ms());
  EXPECT_FALSE(replayed.finished_at_unix_ms.has_value());
  EXPECT_EQ(replayed.history.size(), 1U);
  // Replaying twice is refused: it is queued now.
  EXPECT_EQ(error_code_of(replay), ErrorCode::kConflict);

  const Job second = claim(*queue_, "w-2", 1).at(0);
  EXPECT_EQ(second.id, id);
  EXPECT_EQ(second.attempts, 1);
  EXPECT_EQ(second.attempt_number, 2);
  queue_->complete(std::vector{JobCompletion{second.lease(), "null"}}, clock_.now_unix_ms());
  const Job done = get(id);
  EXPECT_EQ(done.state, JobState::kSucceeded);
  ASSERT_EQ(done.history.size(), 2U);
  EXPECT_EQ(done.history[0].error, "first failure");
  EXPECT_EQ(done.history[1].number, 2);
  EXPECT_EQ(done.history[1].outcome, AttemptOutcome::kSucceeded);
}

TEST_P(JobQueueTest, CancelStopsQueuedJobsAtOnceAndRunningJobsThroughTheirWorker) {
  const std::int64_t queued = enqueue(spec("noop", "later"));
  const Job cancelled = database_->write(
      [&](Transaction& tx) { return queue_->cancel(tx, JobScope::system(), queued, clock_.now_unix_ms()); });
  EXPECT_EQ(cancelled.state, JobState::kCancelled);
  EXPECT_TRUE(cancelled.finished_at_unix_ms.has_value());
  EXPECT_TRUE(claim(*queue_, "w-1", 1, std::chrono::seconds(30), "later").empty());
  const auto cancel = [&](std::int64_t id) {
    return database_->write(
        [&](Transaction& tx) { return queue_->cancel(tx, JobScope::system(), id, clock_.now_unix_ms()); });
  };
  EXPECT_EQ(error_code_of([&] { cancel(queued); }), ErrorCode::kConflict);
  EXPECT_EQ(error_code_of([&] { cancel(987'654); }), ErrorCode::kNotFound);

  // Running: the worker learns at its heartbeat, stops, and the job ends cancelled.
  const std::int64_t running_id = enqueue(spec());
  const Job running = claim(*queue_, "w-1", 1).at(0);
  const Job requested = cancel(running_id);
  EXPECT_EQ(requested.state, JobState::kRunning);
  EXPECT_TRUE(requested.cancel_requested);
  EXPECT_EQ(queue_->heartbeat(std::vector{LeaseRenewal{running.lease(), std::nullopt}}, milliseconds(30'000),
                              clock_.now_unix_ms()),
            std::vector<LeaseStatus>{LeaseStatus::kCancelRequested});
  EXPECT_EQ(
      queue_->fail(JobFailure{running.lease(), "stopped", clock_.now_unix_ms(), AttemptOutcome::kCancelled},
                   clock_.now_unix_ms()),
      JobState::kCancelled);
  const Job ended = get(running_id);
  EXPECT_EQ(ended.state, JobState::kCancelled);
  EXPECT_EQ(ended.history.back().outcome, AttemptOutcome::kCancelled);

  // A handler that finishes anyway is recorded as succeeded: its effects happened.
  const std::int64_t finishing_id = enqueue(spec());
  const Job finishing = claim(*queue_, "w-1", 1).at(0);
  cancel(finishing_id);
  EXPECT_EQ(queue_->complete(std::vector{JobCompletion{finishing.lease(), "null"}}, clock_.now_unix_ms()),
            std::vector<bool>{true});
  EXPECT_EQ(get(finishing_id).state, JobState::kSucceeded);
}

TEST_P(JobQueueTest, RetryNowMakesAWaitingJobDue) {
  JobSpec job = spec();
  job.run_at_unix_ms = clock_.now_unix_ms() + 3'600'000;
  const std::int64_t id = enqueue(job);
  EXPECT_TRUE(claim(*queue_, "w-1", 1).empty());
  const Job due = database_->write(
      [&](Transaction& tx) { return queue_->retry_now(tx, JobScope::system(), id, clock_.now_unix_ms()); });
  EXPECT_EQ(due.run_at_unix_ms, clock_.now_unix_ms());
  const Job running = claim(*queue_, "w-1", 1).at(0);
  EXPECT_EQ(running.id, id);
  EXPECT_EQ(error_code_of([&] {
              database_->write([&](Transaction& tx) {
                queue_->retry_now(tx, JobScope::system(), id, clock_.now_unix_ms());
              });
            }),
            ErrorCode::kConflict);
}

TEST_P(JobQueueTest, ReleasedJobsAreQueuedAgainWithoutUsingAnAttempt) {
  JobSpec job = spec();
  job.max_attempts = 1;
  const std::int64_t id = enqueue(job);
  const Job running = claim(*queue_, "w-1", 1).at(0);
  EXPECT_EQ(queue_->release(std::vector{running.lease()}, "worker stopping", clock_.now_unix_ms()), 1U);
  EXPECT_EQ(queue_->release(std::vector{running.lease()}, "again", clock_.now_unix_ms()), 0U);
  const Job released = get(id);
  EXPECT_EQ(released.state, JobState::kQueued);
  EXPECT_EQ(released.attempts, 0);
  EXPECT_EQ(released.history.back().outcome, AttemptOutcome::kReleased);
  // Its only attempt is still available.
  const Job again = claim(*queue_, "w-2", 1).at(0);
  EXPECT_EQ(again.attempt_number, 2);
  EXPECT_EQ(queue_->complete(std::vector{JobCompletion{again.lease(), "null"}}, clock_.now_unix_ms()),
            std::vector<bool>{true});
}

TEST_P(JobQueueTest, ConcurrencyLimitCountsRunningJobsOfEveryWorker) {
  for (int i = 0; i < 5; ++i) enqueue(spec("noop", "limited"));
  Worker other = open_worker();
  const std::vector<Job> a = claim(*queue_, "w-a", 5, std::chrono::seconds(30), "limited", 2);
  EXPECT_EQ(a.size(), 2U);
  EXPECT_TRUE(claim(*other.queue, "w-b", 5, std::chrono::seconds(30), "limited", 2).empty());
  queue_->complete(std::vector{JobCompletion{a[0].lease(), "null"}}, clock_.now_unix_ms());
  EXPECT_EQ(claim(*other.queue, "w-b", 5, std::chrono::seconds(30), "limited", 2).size(), 1U);
  // Without a limit, the rest.
  EXPECT_EQ(claim(*other.queue, "w-b", 5, std::chrono::seconds(30), "limited").size(), 2U);
}

TEST_P(JobQueueTest, ConcurrentLimitedClaimsStayWithinTheLimit) {
  for (int i = 0; i < 60; ++i) enqueue(spec("noop", "limited"));
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  threads.reserve(3);
  for (int w = 0; w < 3; ++w) {
    threads.emplace_back([&, w] {
      Worker worker = open_worker();
      const std::string id = "w-" + std::to_string(w);
      while (done.load() < 60) {
        const std::vector<Job> jobs = worker.queue->claim(
            ClaimRequest{id, {QueueDemand{"limited", 2, 3}}, std::chrono::seconds(60)}, clock_.now_unix_ms());
        if (jobs.empty()) {
          std::this_thread::sleep_for(milliseconds(1));
          continue;
        }
        const int now_running = running += static_cast<int>(jobs.size());
        int seen = peak.load();
        while (now_running > seen && !peak.compare_exchange_weak(seen, now_running)) {
        }
        std::this_thread::sleep_for(milliseconds(2));
        std::vector<JobCompletion> completions;
        completions.reserve(jobs.size());
        for (const Job& job : jobs) completions.push_back(JobCompletion{job.lease(), "null"});
        // Counted down before the completion commits: a claim seeing the old count errs low.
        running -= static_cast<int>(jobs.size());
        worker.queue->complete(completions, clock_.now_unix_ms());
        done += static_cast<int>(jobs.size());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(peak.load(), 3);
  EXPECT_EQ(count_jobs("state = 'succeeded'"), 60);
}

TEST_P(JobQueueTest, PurgeDeletesOnlyFinishedJobsOlderThanTheCutoff) {
  const auto finish = [&](JobState state) {
    const std::int64_t id = enqueue(spec());
    const Job job = claim(*queue_, "w-1", 1).at(0);
    if (state == JobState::kSucceeded)
      queue_->complete(std::vector{JobCompletion{job.lease(), "null"}}, clock_.now_unix_ms());
    if (state == JobState::kDead)
      queue_->fail(JobFailure{job.lease(), "x", std::nullopt}, clock_.now_unix_ms());
    if (state == JobState::kCancelled) {
      database_->write(
          [&](Transaction& tx) { queue_->cancel(tx, JobScope::system(), id, clock_.now_unix_ms()); });
      queue_->fail(JobFailure{job.lease(), "x", std::nullopt, AttemptOutcome::kCancelled},
                   clock_.now_unix_ms());
    }
    return id;
  };
  std::vector<std::int64_t> old_finished;
  old_finished.reserve(7);
  for (int i = 0; i < 5; ++i) old_finished.push_back(finish(JobState::kSucceeded));
  old_finished.push_back(finish(JobState::kDead));
  old_finished.push_back(finish(JobState::kCancelled));
  const std::int64_t old_queued = enqueue(spec("noop", "idle"));
  const std::int64_t old_running = enqueue(spec("noop", "busy"));
  claim(*queue_, "w-1", 1, std::chrono::hours(1), "busy");
  clock_.advance(milliseconds(10'000));
  const std::int64_t cutoff = clock_.now_unix_ms();
  const std::int64_t recent = finish(JobState::kSucceeded);

  // Dead letters kept while succeeded ones go.
  EXPECT_EQ(queue_->purge_finished(PurgeRequest{cutoff, 2, {JobState::kSucceeded, JobState::kCancelled}}),
            2U);
  EXPECT_EQ(queue_->purge_finished(PurgeRequest{cutoff, 100, {JobState::kSucceeded, JobState::kCancelled}}),
            4U);
  EXPECT_EQ(queue_->purge_finished(PurgeRequest{cutoff, 100, {JobState::kSucceeded, JobState::kCancelled}}),
            0U);
  EXPECT_EQ(count_jobs("state = 'dead'"), 1);
  EXPECT_EQ(queue_->purge_finished(PurgeRequest{cutoff, 100, {JobState::kDead}}), 1U);
  // Live jobs are never purged, whatever the states asked.
  EXPECT_EQ(
      queue_->purge_finished(PurgeRequest{cutoff + 1'000'000, 100, {JobState::kQueued, JobState::kRunning}}),
      0U);
  EXPECT_EQ(count_jobs(), 3);
  EXPECT_NO_THROW(get(old_queued));
  EXPECT_NO_THROW(get(old_running));
  EXPECT_NO_THROW(get(recent));
  for (const std::int64_t id : old_finished) EXPECT_THROW(get(id), std::runtime_error);
}

TEST_P(JobQueueTest, ListingIsScopedToTheTenantAndPagedNewestFirst) {
  std::vector<std::int64_t> acme_ids;
  for (int i = 0; i < 5; ++i) {
    JobSpec job = spec(i % 2 == 0 ? "even" : "odd", i < 3 ? "default" : "other");
    job.tenant_id = acme_.id;
    acme_ids.push_back(enqueue(job));
  }
  JobSpec beta_job = spec("even");
  beta_job.tenant_id = beta_.id;
  const std::int64_t beta_id = enqueue(beta_job);
  const std::int64_t system_id = enqueue(spec("even"));

  const auto list = [&](JobFilter filter) {
    return database_->read([&](Transaction& tx) { return queue_->list(tx, filter); });
  };
  const auto ids = [](const JobPage& page) {
    std::vector<std::int64_t> result;
    for (const Job& job : page.jobs) result.push_back(job.id);
    return result;
  };
  JobFilter filter;
  filter.scope = JobScope::tenant(acme_.id);
  filter.limit = 2;
  JobPage page = list(filter);
  EXPECT_EQ(ids(page), (std::vector<std::int64_t>{acme_ids[4], acme_ids[3]}));
  ASSERT_TRUE(page.next_before_id.has_value());
  filter.before_id = page.next_before_id;
  page = list(filter);
  EXPECT_EQ(ids(page), (std::vector<std::int64_t>{acme_ids[2], acme_ids[1]}));
  filter.before_id = page.next_before_id;
  page = list(filter);
  EXPECT_EQ(ids(page), (std::vector<std::int64_t>{acme_ids[0]}));
  EXPECT_FALSE(page.next_before_id.has_value());

  JobFilter by_kind;
  by_kind.scope = JobScope::tenant(acme_.id);
  by_kind.kind = "even";
  by_kind.queue = "default";
  EXPECT_EQ(ids(list(by_kind)), (std::vector<std::int64_t>{acme_ids[2], acme_ids[0]}));
  JobFilter by_state;
  by_state.scope = JobScope::tenant(acme_.id);
  by_state.states = {JobState::kSucceeded, JobState::kDead};
  EXPECT_TRUE(list(by_state).jobs.empty());

  // The system sees every tenant's jobs and its own.
  JobFilter everything;
  everything.kind = "even";
  EXPECT_EQ(ids(list(everything)),
            (std::vector<std::int64_t>{system_id, beta_id, acme_ids[4], acme_ids[2], acme_ids[0]}));

  // Another tenant's job does not exist for acme.
  const JobScope acme = JobScope::tenant(acme_.id);
  EXPECT_FALSE(database_->read([&](Transaction& tx) { return queue_->get(tx, acme, beta_id); }).has_value());
  EXPECT_FALSE(
      database_->read([&](Transaction& tx) { return queue_->get(tx, acme, system_id); }).has_value());
  EXPECT_EQ(
      error_code_of([&] {
        database_->write([&](Transaction& tx) { queue_->cancel(tx, acme, beta_id, clock_.now_unix_ms()); });
      }),
      ErrorCode::kNotFound);
  EXPECT_EQ(get(beta_id).state, JobState::kQueued);
}

TEST_P(JobQueueTest, StatsCountPerQueue) {
  for (int i = 0; i < 3; ++i) enqueue(spec("noop", "alpha"));
  JobSpec later = spec("noop", "alpha");
  later.run_at_unix_ms = clock_.now_unix_ms() + 60'000;
  enqueue(later);
  clock_.advance(milliseconds(4'000));
  const Job running = claim(*queue_, "w-1", 1, std::chrono::seconds(30), "alpha").at(0);
  enqueue(spec("noop", "beta"));
  const Job finished = claim(*queue_, "w-1", 1, std::chrono::seconds(30), "beta").at(0);
  queue_->complete(std::vector{JobCompletion{finished.lease(), "null"}}, clock_.now_unix_ms());
  JobSpec tenant_job = spec("noop", "beta");
  tenant_job.tenant_id = acme_.id;
  tenant_job.max_attempts = 1;
  enqueue(tenant_job);
  const Job failing = claim(*queue_, "w-1", 1, std::chrono::seconds(30), "beta").at(0);
  queue_->fail(JobFailure{failing.lease(), "x", std::nullopt}, clock_.now_unix_ms());

  const std::vector<QueueStats> stats = database_->read([&](Transaction& tx) {
    return queue_->stats(
        tx, StatsRequest{JobScope::system(), clock_.now_unix_ms(), clock_.now_unix_ms() - 1'000});
  });
  ASSERT_EQ(stats.size(), 2U);
  EXPECT_EQ(stats[0].queue, "alpha");
  EXPECT_EQ(stats[0].available, 2);
  EXPECT_EQ(stats[0].scheduled, 1);
  EXPECT_EQ(stats[0].running, 1);
  EXPECT_EQ(stats[0].oldest_available_age_ms, 4'000);
  EXPECT_EQ(stats[1].queue, "beta");
  EXPECT_EQ(stats[1].available, 0);
  EXPECT_FALSE(stats[1].oldest_available_age_ms.has_value());
  EXPECT_EQ(stats[1].succeeded_recently, 1);
  EXPECT_EQ(stats[1].dead, 1);
  (void)running;

  const std::vector<QueueStats> acme = database_->read([&](Transaction& tx) {
    return queue_->stats(tx, StatsRequest{JobScope::tenant(acme_.id), clock_.now_unix_ms(), std::nullopt});
  });
  ASSERT_EQ(acme.size(), 1U);
  EXPECT_EQ(acme[0].queue, "beta");
  EXPECT_EQ(acme[0].dead, 1);
  EXPECT_EQ(acme[0].succeeded_recently, 0);
}

// "Succeeded / cancelled since" as stats() reports it, per queue, against the same figure counted
// row by row in the jobs table.
class FinishedCounts {
 public:
  using Figures =
      std::map<std::string, std::pair<std::int64_t, std::int64_t>>;  // queue -> (succeeded, cancelled)

  static Figures reported(Database& database, JobQueue& queue, const JobScope& scope, std::int64_t now,
                          std::int64_t since) {
    Figures figures;
    for (const QueueStats& stats : database.read([&](Transaction& tx) {
           return queue.stats(tx, StatsRequest{scope, now, since});
         })) {
      if (stats.succeeded_recently != 0 || stats.cancelled_recently != 0)
        figures[stats.queue] = {stats.succeeded_recently, stats.cancelled_recently};
    }
    return figures;
  }

  static Figures counted(Database& database, const JobScope& scope, std::int64_t since) {
    return database.read([&](Transaction& tx) {
      return bypass_tenant_scope(tx, [&] {
        std::string query =
            "SELECT queue, state FROM jobs WHERE state IN ('succeeded', 'cancelled') "
            "AND finished_at >= " +
            std::to_string(since);
        if (scope.tenant_id.has_value()) query += " AND tenant_id = '" + *scope.tenant_id + "'";
        Figures figures;
        soci::rowset<soci::row> rows = (soci_session(tx).prepare << query);
        for (const soci::row& row : rows) {
          auto& [succeeded, cancelled] = figures[row.get<std::string>(0)];
          ++(row.get<std::string>(1) == "succeeded" ? succeeded : cancelled);
        }
        return figures;
      });
    });
  }
};

std::string describe(const FinishedCounts::Figures& figures) {
  std::string text;
  for (const auto& [queue, counts] : figures)
    text += queue + ":" + std::to_string(counts.first) + "/" + std::to_string(counts.second) + " ";
  return text;
}

TEST_P(JobQueueTest, FinishedCountsStayExactThroughEveryTransition) {
  // Every window, scope and moment below compares stats() with a row-by-row count: the counters
  // (0006_job_finished_counts) must agree through completions, cancellations, replays and purges,
  // before and after they are folded, for windows that start inside a minute or on one.
  const auto check = [&](const char* moment) {
    const std::int64_t now = clock_.now_unix_ms();
    for (const std::int64_t since : {now - 1, now - 30'000, now - 60'000, now - 95'000, now - 3'600'000,
                                     (now / 60'000) * 60'000, std::int64_t{0}}) {
      for (const JobScope& scope :
           {JobScope::system(), JobScope::tenant(acme_.id), JobScope::tenant(beta_.id)}) {
        const auto expected = FinishedCounts::counted(*database_, scope, since);
        EXPECT_EQ(describe(FinishedCounts::reported(*database_, *queue_, scope, now, since)),
                  describe(expected))
            << moment << ", since now-" << now - since << " ms, tenant " << scope.tenant_id.value_or("(all)");
      }
    }
  };
  const auto complete_all = [&](const std::vector<Job>& jobs) {
    for (const Job& job : jobs)
      queue_->complete(std::vector{JobCompletion{job.lease(), "null"}}, clock_.now_unix_ms());
  };
  for (int i = 0; i < 5; ++i) enqueue(spec("noop", "alpha"));
  for (int i = 0; i < 4; ++i) {
    JobSpec job = spec("noop", "beta");
    job.tenant_id = i % 2 == 0 ? acme_.id : beta_.id;
    enqueue(job);
  }
  check("nothing finished");

  complete_all(claim(*queue_, "w-1", 2, std::chrono::seconds(30), "alpha"));
  clock_.advance(milliseconds(25'000));  // into the next minute (the clock starts 40 s into one)
  const std::vector<Job> beta = claim(*queue_, "w-1", 4, std::chrono::seconds(30), "beta");
  ASSERT_EQ(beta.size(), 4U);
  complete_all(std::vector<Job>(beta.begin(), beta.begin() + 3));
  check("completed");

  // Cancelled while queued, and while running (the worker's failure then finishes it cancelled).
  const Job queued_alpha = claim(*queue_, "w-1", 1, std::chrono::seconds(30), "alpha").at(0);
  database_->write([&](Transaction& tx) {
    queue_->cancel(tx, JobScope::system(), queued_alpha.id, clock_.now_unix_ms());
    queue_->cancel(tx, JobScope::tenant(beta[3].tenant_id.value()), beta[3].id, clock_.now_unix_ms());
  });
  queue_->fail(JobFailure{queued_alpha.lease(), "stopped", std::nullopt}, clock_.now_unix_ms());
  queue_->fail(JobFailure{beta[3].lease(), "stopped", std::nullopt}, clock_.now_unix_ms());
  const Job still_queued = claim(*queue_, "w-1", 1, std::chrono::seconds(30), "alpha").at(0);
  queue_->release(std::vector{still_queued.lease()}, "shutdown", clock_.now_unix_ms());
  const std::int64_t queued_id = still_queued.id;
  database_->write(
      [&](Transaction& tx) { queue_->cancel(tx, JobScope::system(), queued_id, clock_.now_unix_ms()); });
  ASSERT_EQ(get(queued_id).state, JobState::kCancelled);
  check("cancelled");
  clock_.advance(milliseconds(70'000));

  // Replayed: no longer cancelled, then finished again in another minute.
  database_->write([&](Transaction& tx) {
    queue_->replay(tx, JobScope::system(), queued_alpha.id, clock_.now_unix_ms());
  });
  check("replayed");
  complete_all(claim(*queue_, "w-1", 5, std::chrono::seconds(30), "alpha"));
  check("completed again");

  EXPECT_GT(queue_->fold_finished_counts(), 0U);
  check("folded");
  EXPECT_EQ(queue_->fold_finished_counts(), 0U);

  // Purged: the first completions leave every window.
  const std::size_t purged = queue_->purge_finished(PurgeRequest{clock_.now_unix_ms() - 60'000, 100});
  EXPECT_GE(purged, 2U);
  check("purged");
  queue_->fold_finished_counts();
  check("purged and folded");
  clock_.advance(milliseconds(3'600'000));
  check("an hour later");
}

TEST_P(JobQueueTest, FinishedCountsHoldUnderConcurrentWorkersAndFolds) {
  constexpr int kJobs = 600;
  std::vector<JobSpec> specs;
  for (int i = 0; i < kJobs; ++i) {
    JobSpec job = spec("noop", i % 3 == 0 ? "alpha" : "beta");
    if (i % 2 == 0) job.tenant_id = acme_.id;
    specs.push_back(job);
  }
  database_->write([&](Transaction& tx) { queue_->enqueue_many(tx, specs, clock_.now_unix_ms()); });
  std::atomic<bool> working{true};
  std::atomic<int> finished{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w) {
    workers.emplace_back([&, w] {
      Worker worker = open_worker();
      for (;;) {
        std::vector<Job> jobs;
        for (const char* queue_name : {"alpha", "beta"}) {
          auto claimed =
              claim(*worker.queue, "w-" + std::to_string(w), 7, std::chrono::seconds(30), queue_name);
          jobs.insert(jobs.end(), claimed.begin(), claimed.end());
        }
        if (jobs.empty()) break;
        std::vector<JobCompletion> completions;
        for (const Job& job : jobs) completions.push_back(JobCompletion{job.lease(), "null"});
        for (const bool accepted : worker.queue->complete(completions, clock_.now_unix_ms()))
          finished += accepted ? 1 : 0;
        clock_.advance(milliseconds(97));  // spread over a few minutes, well within the leases
      }
    });
  }
  std::thread folder([&] {
    Worker worker = open_worker();
    // A pause between folds: on SQLite a writer in a tight loop would starve the workers.
    while (working) {
      worker.queue->fold_finished_counts();
      std::this_thread::sleep_for(milliseconds(3));
    }
  });
  for (std::thread& thread : workers) thread.join();
  working = false;
  folder.join();
  EXPECT_EQ(finished.load(), kJobs);
  for (const JobScope& scope : {JobScope::system(), JobScope::tenant(acme_.id)}) {
    const auto expected = FinishedCounts::counted(*database_, scope, 0);
    EXPECT_EQ(describe(FinishedCounts::reported(*database_, *queue_, scope, clock_.now_unix_ms(), 0)),
              describe(expected));
    queue_->fold_finished_counts();
    EXPECT_EQ(describe(FinishedCounts::reported(*database_, *queue_, scope, clock_.now_unix_ms(), 0)),
              describe(expected));
  }
}

TEST_P(JobQueueTest, FinishedCountsFoldABacklogInBatches) {
  // Finished jobs written directly (as a restore does), more deltas than one fold batch takes.
  const std::int64_t now = clock_.now_unix_ms();
  database_->write([&](Transaction& tx) {
    bypass_tenant_scope(tx, [&] {
      for (int i = 0; i < 4'500; ++i) {
        const std::int64_t finished = now - 200'000 + i * 41;
        soci_session(tx) << "INSERT INTO jobs (tenant_id, queue, kind, payload, state, run_at, max_attempts, "
                            "attempts, attempt_number, created_at, updated_at, finished_at) VALUES (" +
                                std::string(i % 3 == 0 ? "'" + acme_.id + "'" : "NULL") + ", '" +
                                (i % 2 == 0 ? "alpha" : "beta") + "', 'noop', '{}', '" +
                                (i % 5 == 0 ? "cancelled" : "succeeded") + "', 0, 1, 1, 1, 0, 0, " +
                                std::to_string(finished) + ")";
      }
    });
  });
  const auto unfolded = [&] { return count_rows("job_finished_counts", "folded = 0"); };
  EXPECT_EQ(unfolded(), 4'500);
  EXPECT_EQ(queue_->fold_finished_counts(), 4'500U);
  EXPECT_EQ(unfolded(), 0);
  for (const std::int64_t since : {std::int64_t{0}, now - 100'001, now - 60'000}) {
    for (const JobScope& scope : {JobScope::system(), JobScope::tenant(acme_.id)}) {
      EXPECT_EQ(describe(FinishedCounts::reported(*database_, *queue_, scope, now, since)),
                describe(FinishedCounts::counted(*database_, scope, since)));
    }
  }
}

TEST_P(JobQueueTest, FinishedCountsCoverJobsFinishedBeforeTheirMigration) {
  SqlMigrator migrator(*database_, clock_);
  const int latest = migrator.migrations().back().version;
  // Back to the schema before the counters, with jobs finished there...
  const auto before =
      std::find_if(migrator.migrations().begin(), migrator.migrations().end(),
                   [](const Migration& migration) { return migration.name == "job_finished_counts"; });
  ASSERT_NE(before, migrator.migrations().end());
  migrator.migrate(before->version - 1);
  for (int i = 0; i < 3; ++i) enqueue(spec("noop", "alpha"));
  for (const Job& job : claim(*queue_, "w-1", 2, std::chrono::seconds(30), "alpha"))
    queue_->complete(std::vector{JobCompletion{job.lease(), "null"}}, clock_.now_unix_ms());
  const std::int64_t running_id = claim(*queue_, "w-1", 1, std::chrono::seconds(30), "alpha").at(0).id;
  database_->write(
      [&](Transaction& tx) { queue_->cancel(tx, JobScope::system(), running_id, clock_.now_unix_ms()); });
  // ...and forward again: they are counted.
  migrator.migrate(std::nullopt);
  ASSERT_EQ(migrator.status().current_version, latest);
  const std::int64_t now = clock_.now_unix_ms();
  EXPECT_EQ(describe(FinishedCounts::reported(*database_, *queue_, JobScope::system(), now, now - 60'000)),
            "alpha:2/0 ");
}

TEST_P(JobQueueTest, ASlotFiresOnceAcrossConcurrentWorkers) {
  JobSchedule schedule;
  schedule.id = "nightly";
  schedule.tenant_id = acme_.id;
  schedule.cron = "0 3 * * *";
  schedule.kind = "report";
  schedule.next_run_at_unix_ms = clock_.now_unix_ms();
  schedule.created_at_unix_ms = schedule.updated_at_unix_ms = clock_.now_unix_ms();
  database_->write([&](Transaction& tx) { queue_->create_schedule(tx, schedule); });
  EXPECT_EQ(error_code_of(
                [&] { database_->write([&](Transaction& tx) { queue_->create_schedule(tx, schedule); }); }),
            ErrorCode::kConflict);

  const std::vector<JobSchedule> due = queue_->due_schedules(clock_.now_unix_ms(), 10);
  ASSERT_EQ(due.size(), 1U);
  std::atomic<int> fired{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&] {
      Worker worker = open_worker();
      if (worker.queue->fire_schedule(due[0], clock_.now_unix_ms() + 86'400'000, clock_.now_unix_ms()))
        ++fired;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(fired.load(), 1);
  EXPECT_EQ(count_jobs("kind = 'report'"), 1);
  EXPECT_EQ(count_jobs("tenant_id = 't-acme' AND unique_key LIKE 'schedule:nightly:%'"), 1);
  EXPECT_TRUE(queue_->due_schedules(clock_.now_unix_ms(), 10).empty());
  const std::optional<JobSchedule> after = database_->read(
      [&](Transaction& tx) { return queue_->get_schedule(tx, JobScope::tenant(acme_.id), "nightly"); });
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->next_run_at_unix_ms, clock_.now_unix_ms() + 86'400'000);
  EXPECT_EQ(after->last_run_at_unix_ms, clock_.now_unix_ms());
  EXPECT_TRUE(after->last_job_id.has_value());

  // Scoped like jobs: beta sees nothing, and cannot delete it.
  EXPECT_TRUE(
      database_->read([&](Transaction& tx) { return queue_->list_schedules(tx, JobScope::tenant(beta_.id)); })
          .empty());
  EXPECT_FALSE(database_->write(
      [&](Transaction& tx) { return queue_->delete_schedule(tx, JobScope::tenant(beta_.id), "nightly"); }));
  EXPECT_TRUE(database_->write(
      [&](Transaction& tx) { return queue_->delete_schedule(tx, JobScope::tenant(acme_.id), "nightly"); }));
}

TEST_P(JobQueueTest, SubscribersHearOfCommittedEnqueuesOnly) {
  std::mutex mutex;
  std::condition_variable heard;
  std::vector<std::string> queues;
  const std::uint64_t subscription = queue_->subscribe([&](std::string_view queue) {
    std::lock_guard lock(mutex);
    if (!queue.empty()) queues.emplace_back(queue);
    heard.notify_all();
  });
  if (GetParam() == Backend::kPostgresql) {
    ASSERT_TRUE(eventually([&] { return queue_->listening(); }));
  }
  // From another connection pool (another process, on PostgreSQL).
  Worker producer = open_worker();
  EXPECT_THROW(producer.database->write([&](Transaction& tx) {
    producer.queue->enqueue(tx, spec("noop", "rolled-back"), clock_.now_unix_ms());
    throw AppError(ErrorCode::kConflict, "no");
  }),
               AppError);
  producer.database->write(
      [&](Transaction& tx) { producer.queue->enqueue(tx, spec("noop", "committed"), clock_.now_unix_ms()); });
  // Same process on SQLite: this queue object must be the one enqueueing.
  database_->write(
      [&](Transaction& tx) { queue_->enqueue(tx, spec("noop", "local"), clock_.now_unix_ms()); });
  {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(heard.wait_for(lock, std::chrono::seconds(10), [&] {
      return std::find(queues.begin(), queues.end(), "local") != queues.end();
    }));
  }
  queue_->unsubscribe(subscription);
  std::lock_guard lock(mutex);
  EXPECT_EQ(std::count(queues.begin(), queues.end(), "rolled-back"), 0);
  if (GetParam() == Backend::kPostgresql) {
    EXPECT_EQ(std::count(queues.begin(), queues.end(), "committed"), 1);
  }
}

TEST_P(JobQueueTest, RowLevelSecurityHidesOtherTenantsJobs) {
  if (GetParam() != Backend::kPostgresql) GTEST_SKIP() << "SQLite has no row-level security";
  JobSpec acme_job = spec();
  acme_job.tenant_id = acme_.id;
  enqueue(acme_job);
  JobSpec beta_job = spec();
  beta_job.tenant_id = beta_.id;
  enqueue(beta_job);
  enqueue(spec());
  const auto visible = [&](const std::function<void(Transaction&)>& scope) {
    return database_->read([&](Transaction& tx) {
      scope(tx);
      std::vector<std::string> tenants(16);
      std::vector<soci::indicator> indicators(16);
      soci_session(tx) << "SELECT tenant_id FROM jobs ORDER BY id", soci::into(tenants, indicators);
      std::vector<std::string> result;
      for (std::size_t i = 0; i < tenants.size(); ++i)
        result.push_back(indicators[i] == soci::i_ok ? tenants[i] : "-");
      return result;
    });
  };
  // Raw queries without any tenant filter: the policies alone decide.
  EXPECT_EQ(visible([&](Transaction& tx) { scope_to_tenant(tx, acme_.id); }),
            std::vector<std::string>{acme_.id});
  EXPECT_EQ(visible([&](Transaction& tx) { scope_to_tenant(tx, beta_.id); }),
            std::vector<std::string>{beta_.id});
  EXPECT_TRUE(visible([](Transaction&) {}).empty());
  EXPECT_EQ(visible([&](Transaction& tx) { detail::set_tenant_scope_bypass(tx, true); }),
            (std::vector<std::string>{acme_.id, beta_.id, "-"}));
  // A tenant-scoped transaction can create neither another tenant's job nor a system job.
  for (const char* tenant : {"'t-beta'", "NULL"}) {
    EXPECT_THROW(database_->write([&](Transaction& tx) {
      scope_to_tenant(tx, acme_.id);
      soci_session(tx) << std::string(
                              "INSERT INTO jobs (tenant_id, queue, kind, payload, state, run_at, "
                              "max_attempts, created_at, updated_at) VALUES (") +
                              tenant + ", 'default', 'x', '{}', 'queued', 0, 1, 0, 0)";
    }),
                 AppError)
        << tenant;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, JobQueueTest, ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         backend_name);

}  // namespace
}  // namespace personae::testing

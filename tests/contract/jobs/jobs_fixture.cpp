#include "tests/contract/jobs/jobs_fixture.hpp"

#include <soci/soci.h>

#include <thread>

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/tenant_scope.hpp"

namespace personae::testing {

void JobsTest::SetUp() {
  AccountsTest::SetUp();
  acme_ = create_tenant("acme");
  beta_ = create_tenant("beta");
  queue_ = std::make_unique<SqlJobQueue>(*database_, queue_options());
}

void JobsTest::TearDown() {
  queue_.reset();
  AccountsTest::TearDown();
}

SqlJobQueueOptions JobsTest::queue_options() const {
  SqlJobQueueOptions options;
  // Expired leases are swept at every claim, so that tests driving a fake clock see them at once
  // (the default sweeps at most once a second per queue object).
  options.rescue_interval = std::chrono::milliseconds(0);
  if (GetParam() == Backend::kPostgresql) options.listen_url = url_;
  return options;
}

JobsTest::Worker JobsTest::open_worker(std::size_t pool_size) {
  Worker worker;
  SociDatabaseOptions options;
  options.pool_size = pool_size;
  worker.database = open(options);
  worker.queue = std::make_unique<SqlJobQueue>(*worker.database, queue_options());
  return worker;
}

JobSpec JobsTest::spec(const std::string& kind, const std::string& queue) {
  JobSpec job;
  job.kind = kind;
  job.queue = queue;
  return job;
}

std::int64_t JobsTest::enqueue(const JobSpec& job_spec) {
  return database_
      ->write([&](Transaction& tx) { return queue_->enqueue(tx, job_spec, clock_.now_unix_ms()); })
      .job_id;
}

Job JobsTest::get(std::int64_t id) {
  std::optional<Job> job =
      database_->read([&](Transaction& tx) { return queue_->get(tx, JobScope::system(), id); });
  if (!job.has_value()) throw std::runtime_error("no job " + std::to_string(id));
  return *job;
}

std::vector<Job> JobsTest::claim(JobQueue& queue, const std::string& worker, int count,
                                 std::chrono::milliseconds lease, const std::string& queue_name,
                                 std::optional<int> limit) {
  return queue.claim(ClaimRequest{worker, {QueueDemand{queue_name, count, limit}}, lease},
                     clock_.now_unix_ms());
}

long long JobsTest::count_jobs(const std::string& where) {
  return count_rows("jobs", where);
}

long long JobsTest::count_rows(const std::string& table, const std::string& where) {
  return database_->read([&](Transaction& tx) {
    return bypass_tenant_scope(tx, [&] {
      long long count = 0;
      soci_session(tx) << "SELECT COUNT(*) FROM " + table + " WHERE " + where, soci::into(count);
      return count;
    });
  });
}

bool JobsTest::eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace personae::testing

#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "adapters/queue/sql_job_queue.hpp"
#include "core/error.hpp"
#include "ports/job_queue.hpp"
#include "services/jobs/retry_policy.hpp"
#include "tests/contract/accounts_fixture.hpp"

namespace personae::testing {

/// A migrated database (SQLite file, or a PostgreSQL database owned by an ordinary role so that
/// row-level security applies) with two tenants and a SqlJobQueue.
class JobsTest : public AccountsTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// A second SqlJobQueue on its own connection pool, as another worker process would have.
  struct Worker {
    std::unique_ptr<SociDatabase> database;
    std::unique_ptr<SqlJobQueue> queue;
  };
  Worker open_worker(std::size_t pool_size = 2);
  SqlJobQueueOptions queue_options() const;

  /// A job of kind `kind` on `queue` (system job unless `tenant` is set).
  static JobSpec spec(const std::string& kind = "noop", const std::string& queue = "default");
  std::int64_t enqueue(const JobSpec& job_spec);
  Job get(std::int64_t id);
  std::vector<Job> claim(JobQueue& queue, const std::string& worker, int count,
                         std::chrono::milliseconds lease = std::chrono::seconds(30),
                         const std::string& queue_name = "default", std::optional<int> limit = std::nullopt);
  /// Counts rows of `jobs` matching `where` (system view).
  long long count_jobs(const std::string& where = "1 = 1");
  /// Counts rows of `table` matching `where` (system view).
  long long count_rows(const std::string& table, const std::string& where = "1 = 1");

  /// Polls `condition` every 10 ms for up to `timeout`.
  static bool eventually(const std::function<bool()>& condition,
                         std::chrono::milliseconds timeout = std::chrono::seconds(20));

  Tenant acme_;
  Tenant beta_;
  std::unique_ptr<SqlJobQueue> queue_;
};

/// Jitter from a fixed list (cycled), for exact backoff expectations.
class ScriptedRandom final : public RandomSource {
 public:
  explicit ScriptedRandom(std::vector<double> values) : values_(std::move(values)) {}
  double uniform01() override {
    std::lock_guard lock(mutex_);
    const double value = values_[next_ % values_.size()];
    ++next_;
    return value;
  }

 private:
  std::mutex mutex_;
  std::vector<double> values_;
  std::size_t next_ = 0;
};

}  // namespace personae::testing

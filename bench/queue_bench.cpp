// Job queue figures for bench/queue.md (bench/queue.sh runs it against a throwaway PostgreSQL and
// compares with pg-boss doing the same work in bench/pgboss_bench.mjs).
//
//   personae_queue_bench URL reset
//   personae_queue_bench URL enqueue JOBS BATCH        jobs/s enqueued, BATCH jobs per transaction
//   personae_queue_bench URL work JOBS WORKERS BATCH   jobs/s completed by WORKERS runners (no-op
//                                                      handler) from JOBS queued beforehand,
//                                                      claiming up to BATCH jobs at a time
//   personae_queue_bench URL latency JOBS RATE         enqueue-to-handler-start latency, one job
//                                                      at a time at RATE jobs/s, one runner
//   personae_queue_bench URL fill JOBS                 adds JOBS finished jobs (retained history)
//   personae_queue_bench URL ops                       one call of each operator query (stats,
//                                                      listings, purge, due schedules), timed; with
//                                                      auto_explain on, their plans land in the log
//
// Every runner has its own connection pool and (on PostgreSQL) its own LISTEN connection, like a
// separate `personae worker` process. Output: one `key=value` line per measurement.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <soci/soci.h>

#include "adapters/db/soci_database.hpp"
#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_migrator.hpp"
#include "adapters/db/tenant_scope.hpp"
#include "adapters/queue/sql_job_queue.hpp"
#include "services/jobs/job_runner.hpp"

namespace {

using namespace personae;
using Steady = std::chrono::steady_clock;

double seconds_since(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<SociDatabase> open_database(const std::string& url, std::size_t pool) {
  SociDatabaseOptions options;
  options.url = url;
  options.pool_size = pool;
  return std::make_unique<SociDatabase>(options);
}

SqlJobQueueOptions queue_options(const std::string& url, const Database& database) {
  SqlJobQueueOptions options;
  if (database.dialect() == Dialect::kPostgresql) options.listen_url = url;
  return options;
}

void run_sql(Database& database, const std::string& sql) {
  database.write([&](Transaction& tx) { bypass_tenant_scope(tx, [&] { soci_session(tx) << sql; }); });
}

long long count(Database& database, const std::string& where) {
  return database.read([&](Transaction& tx) {
    return bypass_tenant_scope(tx, [&] {
      long long value = 0;
      soci_session(tx) << "SELECT COUNT(*) FROM jobs WHERE " + where, soci::into(value);
      return value;
    });
  });
}

void enqueue_noops(Database& database, JobQueue& queue, int jobs, int batch) {
  JobSpec spec;
  spec.kind = "noop";
  std::vector<JobSpec> specs(static_cast<std::size_t>(batch), spec);
  for (int done = 0; done < jobs; done += batch) {
    const int count = std::min(batch, jobs - done);
    database.write([&](Transaction& tx) {
      if (count == 1) {
        queue.enqueue(tx, spec, SystemClock().now_unix_ms());
      } else {
        queue.enqueue_many(tx, std::span<const JobSpec>(specs.data(), static_cast<std::size_t>(count)),
                           SystemClock().now_unix_ms());
      }
    });
  }
}

int enqueue(const std::string& url, int jobs, int batch) {
  auto database = open_database(url, 2);
  SqlJobQueue queue(*database, queue_options(url, *database));
  const auto start = Steady::now();
  enqueue_noops(*database, queue, jobs, batch);
  const double elapsed = seconds_since(start);
  std::printf("enqueue batch=%d jobs=%d seconds=%.3f rate=%.0f\n", batch, jobs, elapsed, jobs / elapsed);
  return 0;
}

JobRunnerOptions runner_options(const std::string& worker_id, int batch) {
  JobRunnerOptions options;
  options.worker_id = worker_id;
  options.threads = 2;
  options.claim_batch = batch;
  options.completion_batch = std::max(batch, 100);
  // Room for the next claim while the previous batch is being recorded.
  options.queues = {RunnerQueueOptions{"default", 2 * batch, std::nullopt}};
  options.retention.reset();
  options.run_scheduler = false;
  return options;
}

int work(const std::string& url, int jobs, int workers, int batch) {
  {
    auto database = open_database(url, 2);
    SqlJobQueue queue(*database, queue_options(url, *database));
    enqueue_noops(*database, queue, jobs, 1'000);
  }
  JobHandlerRegistry handlers;
  handlers.add("noop", [](const Job&, JobContext&) -> Result<std::string> { return "null"; });
  SystemClock clock;
  struct Worker {
    std::unique_ptr<SociDatabase> database;
    std::unique_ptr<SqlJobQueue> queue;
    std::unique_ptr<JobRunner> runner;
  };
  std::vector<Worker> pool;
  for (int i = 0; i < workers; ++i) {
    Worker worker;
    worker.database = open_database(url, 4);
    worker.queue = std::make_unique<SqlJobQueue>(*worker.database, queue_options(url, *worker.database));
    worker.runner = std::make_unique<JobRunner>(*worker.database, *worker.queue, handlers, clock,
                                                runner_options("bench-" + std::to_string(i), batch));
    pool.push_back(std::move(worker));
  }
  const auto start = Steady::now();
  for (Worker& worker : pool) worker.runner->start();
  const auto done = [&] {
    std::uint64_t succeeded = 0;
    for (const Worker& worker : pool) succeeded += worker.runner->counters().succeeded;
    return succeeded;
  };
  while (done() < static_cast<std::uint64_t>(jobs)) {
    if (seconds_since(start) > 600) {
      std::fprintf(stderr, "work: gave up after 600 s with %llu done\n",
                   static_cast<unsigned long long>(done()));
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double elapsed = seconds_since(start);
  for (Worker& worker : pool) worker.runner->stop();
  std::printf("work workers=%d batch=%d jobs=%d seconds=%.3f rate=%.0f\n", workers, batch, jobs, elapsed,
              jobs / elapsed);
  return 0;
}

int latency(const std::string& url, int jobs, double rate) {
  auto database = open_database(url, 4);
  SqlJobQueue queue(*database, queue_options(url, *database));
  std::mutex mutex;
  std::vector<double> latencies_ms;
  JobHandlerRegistry handlers;
  handlers.add("ping", [&](const Job& job, JobContext&) -> Result<std::string> {
    const std::int64_t started = now_us();
    const std::int64_t enqueued = std::stoll(job.payload_json.substr(5));  // {"t":<us>}
    std::lock_guard lock(mutex);
    latencies_ms.push_back(static_cast<double>(started - enqueued) / 1000.0);
    return "null";
  });
  SystemClock clock;
  JobRunnerOptions options = runner_options("latency", 10);
  options.poll_interval = std::chrono::seconds(1);  // the default: pickup must come from the wake-up
  JobRunner runner(*database, queue, handlers, clock, options);
  runner.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the listener is up
  const auto period = std::chrono::duration<double>(1.0 / rate);
  auto next = Steady::now();
  for (int i = 0; i < jobs; ++i) {
    std::this_thread::sleep_until(next);
    next += std::chrono::duration_cast<Steady::duration>(period);
    JobSpec spec;
    spec.kind = "ping";
    spec.payload_json = "{\"t\":" + std::to_string(now_us()) + "}";
    database->write([&](Transaction& tx) { queue.enqueue(tx, spec, clock.now_unix_ms()); });
  }
  const auto deadline = Steady::now() + std::chrono::seconds(30);
  while (Steady::now() < deadline) {
    {
      std::lock_guard lock(mutex);
      if (latencies_ms.size() >= static_cast<std::size_t>(jobs)) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  runner.stop();
  std::vector<double> sorted = latencies_ms;
  std::sort(sorted.begin(), sorted.end());
  if (sorted.size() < static_cast<std::size_t>(jobs)) {
    std::fprintf(stderr, "latency: only %zu of %d jobs ran\n", sorted.size(), jobs);
    return 1;
  }
  const auto percentile = [&](double p) {
    return sorted[std::min(sorted.size() - 1,
                           static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
  };
  std::printf("latency jobs=%d rate=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", jobs, rate, percentile(0.5),
              percentile(0.99), sorted.back());
  return 0;
}

int fill(const std::string& url, int jobs) {
  auto database = open_database(url, 2);
  const std::int64_t now = SystemClock().now_unix_ms();
  const auto start = Steady::now();
  // Finished jobs as the runner leaves them (result, one history line), spread over the last day.
  const std::string entry = R"({"n":1,"outcome":"succeeded","started_at":0,"worker":"bench-0"})";
  const std::string select = "SELECT 'default', 'noop', '{}', 0, 'succeeded', " + std::to_string(now) +
                             " - n, 1, 8, 1, " + std::to_string(now) + " - n, " + std::to_string(now) +
                             " - n, " + std::to_string(now) + " - n, " + std::to_string(now) +
                             " - n + 1, 'null', '" + entry + "\n' FROM ";
  const std::string insert =
      "INSERT INTO jobs (queue, kind, payload, priority, state, run_at, attempts, max_attempts, "
      "attempt_number, "
      "created_at, updated_at, started_at, finished_at, result, history) ";
  for (int done = 0; done < jobs; done += 100'000) {
    const int count = std::min(100'000, jobs - done);
    std::string sql;
    if (database->dialect() == Dialect::kPostgresql) {
      sql = insert;
      sql += select;
      sql += "generate_series(1, " + std::to_string(count) + ") AS g(n)";
    } else {
      sql = "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < " +
            std::to_string(count) + ") ";
      sql += insert;
      sql += select;
      sql += "g";
    }
    run_sql(*database, sql);
  }
  // As the retention sweep would within a minute: the counters of the jobs just added, folded.
  SqlJobQueue(*database, queue_options(url, *database)).fold_finished_counts();
  run_sql(*database, "ANALYZE jobs");
  std::printf("fill jobs=%d seconds=%.1f finished_kept=%lld\n", jobs, seconds_since(start),
              count(*database, "state = 'succeeded'"));
  return 0;
}

int ops(const std::string& url) {
  auto database = open_database(url, 2);
  SqlJobQueue queue(*database, queue_options(url, *database));
  const std::int64_t now = SystemClock().now_unix_ms();
  const auto timed = [](const char* name, const auto& work) {
    const auto start = Steady::now();
    const auto result = work();
    std::printf("ops query=%s ms=%.2f result=%zu\n", name, seconds_since(start) * 1000,
                static_cast<std::size_t>(result));
  };
  timed("stats", [&] {
    return database->read([&](Transaction& tx) {
      return queue.stats(tx, StatsRequest{JobScope::system(), now, now - 3'600'000}).size();
    });
  });
  timed("list_all", [&] {
    return database->read([&](Transaction& tx) { return queue.list(tx, JobFilter{}).jobs.size(); });
  });
  timed("list_dead", [&] {
    JobFilter filter;
    filter.states = {JobState::kDead};
    return database->read([&](Transaction& tx) { return queue.list(tx, filter).jobs.size(); });
  });
  timed("list_tenant", [&] {
    JobFilter filter;
    filter.scope = JobScope::tenant("t-none");
    return database->read([&](Transaction& tx) { return queue.list(tx, filter).jobs.size(); });
  });
  timed("purge_batch", [&] { return queue.purge_finished(PurgeRequest{now - 23 * 3'600'000LL, 1'000}); });
  timed("fold_counts", [&] { return queue.fold_finished_counts(); });
  timed("stats_after_fold", [&] {
    return database->read([&](Transaction& tx) {
      return queue.stats(tx, StatsRequest{JobScope::system(), now, now - 86'400'000}).size();
    });
  });
  timed("due_schedules", [&] { return queue.due_schedules(now, 100).size(); });
  timed("rescue", [&] { return queue.rescue_expired(now); });
  return 0;
}

int reset(const std::string& url) {
  auto database = open_database(url, 1);
  SystemClock clock;
  SqlMigrator(*database, clock).migrate(std::nullopt);
  run_sql(*database, "DELETE FROM jobs");
  run_sql(*database, "DELETE FROM job_finished_counts");
  std::printf("reset jobs=%lld\n", count(*database, "1 = 1"));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 2 && args[1] == "reset") return reset(args[0]);
    if (args.size() == 4 && args[1] == "enqueue")
      return enqueue(args[0], std::stoi(args[2]), std::stoi(args[3]));
    if (args.size() == 5 && args[1] == "work") {
      return work(args[0], std::stoi(args[2]), std::stoi(args[3]), std::stoi(args[4]));
    }
    if (args.size() == 4 && args[1] == "latency")
      return latency(args[0], std::stoi(args[2]), std::stod(args[3]));
    if (args.size() == 3 && args[1] == "fill") return fill(args[0], std::stoi(args[2]));
    if (args.size() == 2 && args[1] == "ops") return ops(args[0]);
  } catch (const AppError& error) {
    std::fprintf(stderr, "%s: %s (%s)\n", argv[0], error.what(), error.error().detail.c_str());
    return 1;
  }
  std::fprintf(stderr,
               "usage: %s URL reset | enqueue JOBS BATCH | work JOBS WORKERS BATCH | latency JOBS RATE | "
               "fill JOBS | ops\n",
               argv[0]);
  return 2;
}

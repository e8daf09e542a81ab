// A worker process for the SIGKILL test: runs a JobRunner whose "slow" handler prints
// "started <job id> attempt <n>" and then waits (up to two minutes) to be cancelled, so that the
// test can kill the process while it holds the job. Exits 0 on SIGTERM or SIGINT.
//   personae_job_worker_probe DATABASE_URL WORKER_ID LEASE_MS
#include <csignal>
#include <cstdio>
#include <string>

#include "adapters/db/soci_database.hpp"
#include "adapters/queue/sql_job_queue.hpp"
#include "services/jobs/job_runner.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DATABASE_URL WORKER_ID LEASE_MS\n", argv[0]);
    return 2;
  }
  using namespace personae;
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: they inherit it

  SociDatabaseOptions database_options;
  database_options.url = argv[1];
  database_options.pool_size = 4;
  SociDatabase database(database_options);
  SqlJobQueueOptions queue_options;
  if (database.dialect() == Dialect::kPostgresql) queue_options.listen_url = argv[1];
  SqlJobQueue queue(database, queue_options);

  JobHandlerRegistry handlers;
  handlers.add("slow", [](const Job& job, JobContext& context) -> Result<std::string> {
    std::printf("started %lld attempt %d\n", static_cast<long long>(job.id), context.attempt_number());
    std::fflush(stdout);
    context.wait_for_cancellation(std::chrono::minutes(2));
    return "\"probe\"";
  });
  JobRunnerOptions options;
  options.worker_id = argv[2];
  options.threads = 1;
  options.lease = std::chrono::milliseconds(std::stoll(argv[3]));
  options.heartbeat_interval = options.lease / 3;
  options.poll_interval = std::chrono::milliseconds(100);
  options.retention.reset();
  options.run_scheduler = false;
  SystemClock clock;
  JobRunner runner(database, queue, handlers, clock, options);
  runner.start();
  std::printf("ready\n");
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  runner.stop(std::chrono::seconds(1));
  return 0;
}

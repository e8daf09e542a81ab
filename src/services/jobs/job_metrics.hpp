#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "observability/metrics.hpp"
#include "ports/job_queue.hpp"

namespace personae {

/// The job queue's Prometheus series:
///   personae_jobs_depth{queue}                  available (queued and due) jobs, gauge
///   personae_jobs_oldest_age_seconds{queue}     age of the oldest available job, gauge
///   personae_jobs_running{queue}                running jobs (every worker), gauge
///   personae_jobs_dead{queue}                   dead letters kept, gauge
///   personae_jobs_completed_total{queue,kind}   successes recorded by this process
///   personae_jobs_failed_total{queue,kind}      failed attempts (each retry counts)
///   personae_jobs_dead_total{queue,kind}        jobs this process dead-lettered
///   personae_jobs_duration_seconds{queue,kind}  handler run time, histogram
///   personae_jobs_pickup_latency_seconds{queue} due time (run_at) to handler start, histogram
/// The gauges are callbacks reading figures that update() caches (scrapes never query the
/// database); the cache is shared with the callbacks, so they stay valid after this object goes.
/// Thread-safe.
class JobMetrics {
 public:
  explicit JobMetrics(observability::MetricsRegistry& registry);

  void completed(const std::string& queue, const std::string& kind);
  void failed(const std::string& queue, const std::string& kind);
  void dead(const std::string& queue, const std::string& kind);
  void duration(const std::string& queue, const std::string& kind, double seconds);
  void pickup(const std::string& queue, double seconds);

  /// Registers the gauges of `queue` (they read 0 until update() sees it).
  void track(const std::string& queue);
  /// Replaces the cached figures (queues missing from `stats` read 0).
  void update(const std::vector<QueueStats>& stats);

 private:
  struct Figures {
    double depth = 0;
    double oldest_age_seconds = 0;
    double running = 0;
    double dead = 0;
  };
  struct Cache {
    std::mutex mutex;
    std::map<std::string, Figures> figures;
  };

  observability::CallbackGaugeFamily& depth_;
  observability::CallbackGaugeFamily& oldest_age_;
  observability::CallbackGaugeFamily& running_;
  observability::CallbackGaugeFamily& dead_gauge_;
  observability::CounterFamily& completed_;
  observability::CounterFamily& failed_;
  observability::CounterFamily& dead_;
  observability::HistogramFamily& duration_;
  observability::HistogramFamily& pickup_;
  std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

}  // namespace personae

#include "services/jobs/job_metrics.hpp"

namespace personae {

JobMetrics::JobMetrics(observability::MetricsRegistry& registry)
    : depth_(registry.callback_gauge("personae_jobs_depth", "Jobs queued and due, per queue.", {"queue"})),
      oldest_age_(registry.callback_gauge("personae_jobs_oldest_age_seconds",
                                          "Age of the oldest queued and due job, per queue.", {"queue"})),
      running_(registry.callback_gauge("personae_jobs_running", "Jobs running on any worker, per queue.",
                                       {"queue"})),
      dead_gauge_(
          registry.callback_gauge("personae_jobs_dead", "Dead-lettered jobs kept, per queue.", {"queue"})),
      completed_(
          registry.counter("personae_jobs_completed_total", "Jobs that succeeded.", {"queue", "kind"})),
      failed_(registry.counter("personae_jobs_failed_total", "Failed job attempts (each retry counts).",
                               {"queue", "kind"})),
      dead_(registry.counter("personae_jobs_dead_total", "Jobs dead-lettered after their last attempt.",
                             {"queue", "kind"})),
      duration_(registry.histogram("personae_jobs_duration_seconds", "Job handler run time.",
                                   {"queue", "kind"},
                                   {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900})),
      pickup_(registry.histogram(
          "personae_jobs_pickup_latency_seconds", "Time from a job being due to its handler starting.",
          {"queue"}, {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60})) {}

void JobMetrics::completed(const std::string& queue, const std::string& kind) {
  completed_.labels({queue, kind}).inc();
}

void JobMetrics::failed(const std::string& queue, const std::string& kind) {
  failed_.labels({queue, kind}).inc();
}

void JobMetrics::dead(const std::string& queue, const std::string& kind) {
  dead_.labels({queue, kind}).inc();
}

void JobMetrics::duration(const std::string& queue, const std::string& kind, double seconds) {
  duration_.labels({queue, kind}).observe(seconds);
}

void JobMetrics::pickup(const std::string& queue, double seconds) {
  pickup_.labels({queue}).observe(seconds);
}

void JobMetrics::track(const std::string& queue) {
  {
    std::lock_guard lock(cache_->mutex);
    if (!cache_->figures.emplace(queue, Figures{}).second) return;
  }
  const std::shared_ptr<Cache> cache = cache_;
  const auto reader = [cache, queue](double Figures::*field) {
    return [cache, queue, field] {
      std::lock_guard lock(cache->mutex);
      const auto found = cache->figures.find(queue);
      return found == cache->figures.end() ? 0.0 : found->second.*field;
    };
  };
  depth_.set({queue}, reader(&Figures::depth));
  oldest_age_.set({queue}, reader(&Figures::oldest_age_seconds));
  running_.set({queue}, reader(&Figures::running));
  dead_gauge_.set({queue}, reader(&Figures::dead));
}

void JobMetrics::update(const std::vector<QueueStats>& stats) {
  for (const QueueStats& queue : stats) track(queue.queue);
  std::lock_guard lock(cache_->mutex);
  for (auto& [queue, figures] : cache_->figures) figures = Figures{};
  for (const QueueStats& queue : stats) {
    Figures& figures = cache_->figures[queue.queue];
    figures.depth = static_cast<double>(queue.available);
    figures.oldest_age_seconds = static_cast<double>(queue.oldest_available_age_ms.value_or(0)) / 1000.0;
    figures.running = static_cast<double>(queue.running);
    figures.dead = static_cast<double>(queue.dead);
  }
}

}  // namespace personae

#pragma once

#include <memory>
#include <vector>

#include "adapters/db/sql_caption_repository.hpp"
#include "adapters/http_client/http_client.hpp"
#include "adapters/queue/sql_job_queue.hpp"
#include "app/config.hpp"
#include "app/storage.hpp"
#include "app/vault_wiring.hpp"
#include "observability/metrics.hpp"
#include "ports/llm_provider.hpp"
#include "ports/rate_limiter.hpp"
#include "services/captions/caption_generator.hpp"
#include "services/captions/caption_service.hpp"
#include "services/job_service.hpp"
#include "services/jobs/job_handler.hpp"
#include "services/jobs/job_runner.hpp"
#include "services/llm/llm_gateway.hpp"

namespace personae {

/// The content side, built once from the configuration: the job queue, the language-model
/// gateway over `llm.providers`, captions (service and generation handler), the jobs API's
/// service, and the handlers a job runner dispatches to. Owned by the command; the storage and the
/// vault it was built on must outlive it.
struct Content {
  std::unique_ptr<outbound::HttpClient> http;
  std::unique_ptr<SqlJobQueue> queue;
  SqlCaptionRepository captions;
  SqlContentSettingsRepository settings;
  SteadyMonotonicClock monotonic_clock;
  std::vector<std::shared_ptr<llm::LlmProvider>> providers;
  std::unique_ptr<llm::LlmGateway> gateway;  ///< null when no provider is configured
  std::unique_ptr<CaptionService> caption_service;
  std::unique_ptr<JobService> job_service;
  std::unique_ptr<CaptionGenerator> generator;
  JobHandlerRegistry handlers;
  std::unique_ptr<JobRunner> runner;  ///< made by start_job_runner()
};

/// The providers of `llm.providers`, in fallback order.
std::vector<std::shared_ptr<llm::LlmProvider>> make_llm_providers(const LlmConfig& config,
                                                                  outbound::HttpClient& client);

/// The gateway over `providers` with the breaker and timeout settings of `llm`; null when there is no
/// provider. `metrics` may be null.
std::unique_ptr<llm::LlmGateway> make_llm_gateway(const LlmConfig& config,
                                                  std::vector<std::shared_ptr<llm::LlmProvider>> providers,
                                                  MonotonicClock& clock,
                                                  observability::MetricsRegistry* metrics);

/// Throws ConfigError for settings it cannot use. `metrics` may be null.
std::unique_ptr<Content> build_content(const Config& config, Storage& storage, Vault& vault,
                                       const Clock& clock, observability::MetricsRegistry* metrics);

/// Starts a job runner over every configured queue (`serve` with jobs.in_process, and `worker`).
void start_job_runner(Content& content, const Config& config, Storage& storage, const Clock& clock,
                      observability::MetricsRegistry* metrics);

}  // namespace personae

#include "app/content_wiring.hpp"

#include "adapters/llm/ollama_llm_provider.hpp"
#include "adapters/llm/openai_llm_provider.hpp"
#include "observability/log.hpp"

namespace personae {

namespace {

/// The adapter's options from one [[llm.providers]] entry (both adapters share these fields).
template <class Options>
Options provider_options(const LlmProviderConfig& provider) {
  Options options;
  options.name = provider.name;
  options.base_url = provider.url;
  options.default_model = provider.model;
  options.timeout = provider.timeout;
  options.api_key = provider.api_key.reveal();
  return options;
}

}  // namespace

std::vector<std::shared_ptr<llm::LlmProvider>> make_llm_providers(const LlmConfig& config,
                                                                  outbound::HttpClient& client) {
  std::vector<std::shared_ptr<llm::LlmProvider>> providers;
  for (const auto& provider : config.providers) {
    if (provider.type == "ollama") {
      providers.push_back(
          std::make_shared<llm::OllamaLlmProvider>(provider_options<llm::OllamaOptions>(provider), client));
    } else {
      providers.push_back(
          std::make_shared<llm::OpenAiLlmProvider>(provider_options<llm::OpenAiOptions>(provider), client));
    }
  }
  return providers;
}

std::unique_ptr<llm::LlmGateway> make_llm_gateway(const LlmConfig& config,
                                                  std::vector<std::shared_ptr<llm::LlmProvider>> providers,
                                                  MonotonicClock& clock,
                                                  observability::MetricsRegistry* metrics) {
  if (providers.empty()) return nullptr;
  llm::LlmGatewayOptions options;
  options.request_timeout = config.request_timeout;
  options.breaker.failure_threshold = config.breaker_failures;
  options.breaker.open_duration = config.breaker_open;
  return std::make_unique<llm::LlmGateway>(std::move(providers), options, clock, metrics);
}

std::unique_ptr<Content> build_content(const Config& config, Storage& storage, Vault& vault,
                                       const Clock& clock, observability::MetricsRegistry* metrics) {
  auto content = std::make_unique<Content>();
  Content& c = *content;
  Database& db = *storage.database;
  c.http = std::make_unique<outbound::HttpClient>();

  SqlJobQueueOptions queue_options;
  if (db.dialect() == Dialect::kPostgresql) {
    // A LISTEN connection wakes this process's workers when any process enqueues.
    queue_options.listen_url = config.database.url;
    if (!config.database.password.empty()) queue_options.listen_password = config.database.password.reveal();
  }
  c.queue = std::make_unique<SqlJobQueue>(db, std::move(queue_options));

  c.providers = make_llm_providers(config.llm, *c.http);
  c.gateway = make_llm_gateway(config.llm, c.providers, c.monotonic_clock, metrics);

  c.caption_service =
      std::make_unique<CaptionService>(db, vault.persona_repository, vault.media_repository, c.captions,
                                       c.settings, *c.queue, *storage.audit, clock, config.jobs.max_attempts);
  c.job_service = std::make_unique<JobService>(db, *c.queue, *storage.audit, clock);
  c.generator =
      std::make_unique<CaptionGenerator>(db, vault.persona_repository, vault.media_repository, c.captions,
                                         c.settings, *storage.audit, c.gateway.get(), clock);
  c.handlers.add(std::string(kCaptionJobKind),
                 [generator = c.generator.get()](const Job& job, JobContext& context) {
                   return generator->run(job, context);
                 });
  return content;
}

void start_job_runner(Content& content, const Config& config, Storage& storage, const Clock& clock,
                      observability::MetricsRegistry* metrics) {
  JobRunnerOptions options;
  options.threads = config.jobs.threads;
  options.lease = config.jobs.lease;
  options.heartbeat_interval = std::max(std::chrono::milliseconds(1'000), config.jobs.lease / 3);
  options.poll_interval = config.jobs.poll_interval;
  options.retry = RetryPolicy{config.jobs.retry_base, config.jobs.retry_cap};
  options.shutdown_grace = config.server.shutdown_timeout;
  options.queues.clear();
  for (const auto& queue : config.jobs.queues) {
    RunnerQueueOptions runner_queue;
    runner_queue.name = queue.name;
    runner_queue.max_in_flight = queue.max_in_flight;
    if (queue.concurrency > 0) runner_queue.concurrency_limit = queue.concurrency;
    options.queues.push_back(std::move(runner_queue));
  }
  JobRetention retention;
  retention.succeeded_after = config.jobs.keep_succeeded;
  retention.dead_after = config.jobs.keep_dead;
  options.retention = retention;
  content.runner = std::make_unique<JobRunner>(*storage.database, *content.queue, content.handlers, clock,
                                               std::move(options), metrics);
  content.runner->start();
}

}  // namespace personae

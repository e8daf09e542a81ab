#include "services/llm/llm_gateway.hpp"

#include <algorithm>
#include <future>
#include <stdexcept>
#include <utility>

#include "core/error_code_name.hpp"
#include "observability/log.hpp"

namespace personae::llm {
namespace {

using std::chrono::milliseconds;

bool falls_back(ErrorCode code) {
  return code == ErrorCode::kUnavailable || code == ErrorCode::kDeadlineExceeded ||
         code == ErrorCode::kResourceExhausted;
}

std::vector<double> latency_buckets() {
  return {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120};
}

std::vector<double> rate_buckets() {
  return {1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 500, 1000};
}

ChatResult cancelled_before_start(const std::string& model) {
  ChatResult result;
  result.model = model;
  result.done_reason = "cancelled";
  result.cancelled = true;
  return result;
}

}  // namespace

struct LlmGateway::Entry {
  Entry(std::shared_ptr<LlmProvider> provider, CircuitBreakerOptions options)
      : provider(std::move(provider)), breaker(options) {}

  std::shared_ptr<LlmProvider> provider;
  CircuitBreaker breaker;
  observability::Gauge* circuit_gauge = nullptr;
};

struct LlmGateway::Metrics {
  explicit Metrics(observability::MetricsRegistry& registry)
      : requests(registry.counter("personae_llm_requests_total",
                                  "Calls to language-model providers, by provider, model and outcome.",
                                  {"provider", "model", "outcome"})),
        time_to_first_token(registry.histogram("personae_llm_time_to_first_token_seconds",
                                               "Time from sending a streamed call to its first token.",
                                               {"provider", "model"}, latency_buckets())),
        tokens_per_second(
            registry.histogram("personae_llm_tokens_per_second",
                               "Generation rate of completed streamed calls, after the first token.",
                               {"provider", "model"}, rate_buckets())),
        duration(registry.histogram("personae_llm_request_duration_seconds",
                                    "Duration of each call to a language-model provider, failures included.",
                                    {"provider", "model"}, latency_buckets())),
        circuit_open(registry.gauge("personae_llm_circuit_open",
                                    "1 while a provider's circuit breaker is open or half-open.",
                                    {"provider"})) {}

  observability::CounterFamily& requests;
  observability::HistogramFamily& time_to_first_token;
  observability::HistogramFamily& tokens_per_second;
  observability::HistogramFamily& duration;
  observability::GaugeFamily& circuit_open;
};

LlmGateway::LlmGateway(std::vector<std::shared_ptr<LlmProvider>> providers, LlmGatewayOptions options,
                       const MonotonicClock& clock, observability::MetricsRegistry* metrics)
    : options_(options), clock_(clock) {
  if (options_.request_timeout.count() <= 0 || options_.status_timeout.count() <= 0) {
    throw std::invalid_argument("LLM gateway timeouts must be positive");
  }
  if (metrics != nullptr) metrics_ = std::make_unique<Metrics>(*metrics);
  for (auto& provider : providers) {
    if (!provider) throw std::invalid_argument("an LLM provider is null");
    if (find(provider->name()) != nullptr) {
      throw std::invalid_argument("two LLM providers are named \"" + provider->name() + "\"");
    }
    auto entry = std::make_unique<Entry>(std::move(provider), options_.breaker);
    if (metrics_) {
      entry->circuit_gauge = &metrics_->circuit_open.labels({entry->provider->name()});
      entry->circuit_gauge->set(0);
    }
    entries_.push_back(std::move(entry));
  }
}

LlmGateway::~LlmGateway() = default;

LlmGateway::Entry* LlmGateway::find(std::string_view name) const {
  for (const auto& entry : entries_) {
    if (entry->provider->name() == name) return entry.get();
  }
  return nullptr;
}

Result<std::vector<LlmGateway::Entry*>> LlmGateway::chain(const LlmRoute& route) const {
  if (entries_.empty()) {
    return make_error(ErrorCode::kFailedPrecondition, "No language model provider is configured.",
                      "llm.providers is empty");
  }
  std::vector<Entry*> order;
  order.reserve(entries_.size());
  if (!route.provider.empty()) {
    Entry* first = find(route.provider);
    if (first == nullptr) {
      return make_error(ErrorCode::kInvalidArgument,
                        "Unknown language model provider \"" + route.provider + "\".",
                        "no llm.providers entry is named \"" + route.provider + "\"");
    }
    order.push_back(first);
  }
  for (const auto& entry : entries_) {
    if (order.empty() || entry.get() != order.front()) order.push_back(entry.get());
  }
  return order;
}

void LlmGateway::count(Entry& entry, const std::string& model, std::string_view outcome) {
  if (!metrics_) return;
  metrics_->requests.labels({entry.provider->name(), model, outcome}).inc();
}

void LlmGateway::update_circuit_gauge(Entry& entry) {
  if (entry.circuit_gauge == nullptr) return;
  const auto state = entry.breaker.snapshot(clock_.now()).state;
  entry.circuit_gauge->set(state == CircuitState::kClosed ? 0.0 : 1.0);
}

void LlmGateway::record(Entry& entry, const std::string& model, const Result<ChatResult>& result,
                        std::chrono::steady_clock::duration took) {
  const auto before = entry.breaker.snapshot(clock_.now()).state;
  std::string_view outcome;
  if (result && result->cancelled) {
    entry.breaker.record_abandoned();
    outcome = "cancelled";
  } else if (result) {
    entry.breaker.record_success();
    outcome = "ok";
  } else {
    if (falls_back(result.error().code)) {
      entry.breaker.record_failure(clock_.now());
    } else {
      entry.breaker.record_abandoned();
    }
    outcome = error_code_name(result.error().code);
  }
  const auto after = entry.breaker.snapshot(clock_.now());
  if (after.state == CircuitState::kOpen && before != CircuitState::kOpen) {
    log::warn("LLM provider circuit opened", {{"provider", entry.provider->name()},
                                              {"consecutive_failures", after.consecutive_failures},
                                              {"open_ms", options_.breaker.open_duration.count()}});
  } else if (after.state == CircuitState::kClosed && before != CircuitState::kClosed) {
    log::info("LLM provider circuit closed", {{"provider", entry.provider->name()}});
  }
  update_circuit_gauge(entry);
  if (!metrics_) return;
  const std::string& provider = entry.provider->name();
  metrics_->requests.labels({provider, model, outcome}).inc();
  metrics_->duration.labels({provider, model}).observe(std::chrono::duration<double>(took).count());
  if (result && !result->cancelled) {
    if (result->time_to_first_token) {
      metrics_->time_to_first_token.labels({provider, model})
          .observe(std::chrono::duration<double>(*result->time_to_first_token).count());
    }
    if (result->tokens_per_second)
      metrics_->tokens_per_second.labels({provider, model}).observe(*result->tokens_per_second);
  }
}

template <class Call>
Result<ChatResult> LlmGateway::run(std::string_view operation, const LlmRoute& route,
                                   const std::string& request_model, std::optional<milliseconds> timeout,
                                   const CancellationToken& cancellation, const bool& delivered,
                                   const Call& call) {
  const auto started = clock_.now();
  const auto budget = timeout.value_or(options_.request_timeout);
  auto order = chain(route);
  if (!order) return tl::unexpected(std::move(order.error()));

  std::optional<Error> last;
  bool attempted = false;
  std::optional<milliseconds> soonest_probe;
  for (std::size_t i = 0; i < order->size(); ++i) {
    Entry& entry = *(*order)[i];
    std::string model = entry.provider->default_model();
    if (i == 0) {
      if (!route.model.empty()) {
        model = route.model;
      } else if (!request_model.empty()) {
        model = request_model;
      }
    } else if (model.empty()) {
      model = request_model;
    }
    if (cancellation.cancelled()) return cancelled_before_start(model);
    const auto now = clock_.now();
    const auto left = budget - std::chrono::duration_cast<milliseconds>(now - started);
    if (left.count() <= 0) {
      if (!last || last->code != ErrorCode::kDeadlineExceeded) {
        last =
            Error{ErrorCode::kDeadlineExceeded, "The language model did not answer in time.",
                  "LLM " + std::string(operation) + ": the " + std::to_string(budget.count()) +
                      " ms budget ran out before provider \"" + entry.provider->name() + "\" could be tried"};
      }
      break;
    }
    if (!entry.breaker.try_acquire(now)) {
      count(entry, model, "circuit_open");
      const auto snapshot = entry.breaker.snapshot(now);
      if (snapshot.retry_at) {
        const auto wait = std::chrono::ceil<milliseconds>(*snapshot.retry_at - now);
        if (!soonest_probe || wait < *soonest_probe) soonest_probe = wait;
      }
      continue;
    }
    attempted = true;
    const auto call_started = std::chrono::steady_clock::now();
    Result<ChatResult> result = call(*entry.provider, model, left);
    record(entry, model, result, std::chrono::steady_clock::now() - call_started);
    if (result) {
      if (result->provider.empty()) result->provider = entry.provider->name();
      return result;
    }
    if (!falls_back(result.error().code) || delivered) {
      log::warn("LLM call failed", {{"operation", operation},
                                    {"provider", entry.provider->name()},
                                    {"model", model},
                                    {"code", error_code_name(result.error().code)},
                                    {"detail", result.error().detail}});
      return result;
    }
    const bool more = i + 1 < order->size();
    log::warn(more ? "LLM provider failed; trying the next one" : "LLM provider failed; no provider left",
              {{"operation", operation},
               {"provider", entry.provider->name()},
               {"model", model},
               {"code", error_code_name(result.error().code)},
               {"detail", result.error().detail}});
    last = std::move(result.error());
  }
  if (!attempted && (!last || last->code != ErrorCode::kDeadlineExceeded)) {
    Error error{ErrorCode::kUnavailable, "No language model is available right now.",
                "LLM " + std::string(operation) + ": every provider's circuit is open"};
    error.retry_after = soonest_probe;
    return tl::unexpected(std::move(error));
  }
  return tl::unexpected(std::move(*last));
}

template <class Request, class Send>
Result<ChatResult> LlmGateway::stream(std::string_view operation, Request request,
                                      const TokenCallback& on_token, const LlmRoute& route,
                                      const Send& send) {
  // Without a callback nothing reaches the caller before the call returns, so a failure after
  // some tokens can still fall back.
  bool delivered = false;
  TokenCallback forward;
  if (on_token) {
    forward = [&](std::string_view token) {
      delivered = true;
      return on_token(token);
    };
  }
  const auto timeout = request.timeout;
  const std::string request_model = request.model;
  const auto cancellation = request.cancellation;
  return run(operation, route, request_model, timeout, cancellation, delivered,
             [&](LlmProvider& provider, const std::string& model, milliseconds left) {
               request.model = model;
               request.timeout = left;
               return send(provider, request, forward);
             });
}

Result<ChatResult> LlmGateway::chat(ChatRequest request, const TokenCallback& on_token,
                                    const LlmRoute& route) {
  return stream("chat", std::move(request), on_token, route,
                [](LlmProvider& provider, const ChatRequest& call, const TokenCallback& forward) {
                  return provider.chat(call, forward);
                });
}

Result<ChatResult> LlmGateway::generate(GenerateRequest request, const LlmRoute& route) {
  return generate(std::move(request), TokenCallback{}, route);
}

Result<ChatResult> LlmGateway::generate(GenerateRequest request, const TokenCallback& on_token,
                                        const LlmRoute& route) {
  return stream("generate", std::move(request), on_token, route,
                [](LlmProvider& provider, const GenerateRequest& call, const TokenCallback& forward) {
                  return provider.generate(call, forward);
                });
}

Result<EmbedResult> LlmGateway::embed(EmbedRequest request, const LlmRoute& route) {
  auto order = chain(route);
  if (!order) return tl::unexpected(std::move(order.error()));
  Entry& entry = *order->front();
  if (!route.model.empty()) {
    request.model = route.model;
  } else if (request.model.empty()) {
    request.model = entry.provider->default_model();
  }
  if (!request.timeout) request.timeout = options_.request_timeout;
  if (!entry.breaker.try_acquire(clock_.now())) {
    count(entry, request.model, "circuit_open");
    Error error{ErrorCode::kUnavailable, "No language model is available right now.",
                "LLM embed: the circuit of provider \"" + entry.provider->name() + "\" is open"};
    const auto snapshot = entry.breaker.snapshot(clock_.now());
    if (snapshot.retry_at) {
      error.retry_after = std::chrono::ceil<milliseconds>(*snapshot.retry_at - clock_.now());
    }
    return tl::unexpected(std::move(error));
  }
  const auto started = std::chrono::steady_clock::now();
  auto result = entry.provider->embed(request);
  // The breaker and the counters share record(): an embedding is a completed call or an error.
  Result<ChatResult> outcome = ChatResult{};
  if (!result) outcome = tl::unexpected(result.error());
  record(entry, request.model, outcome, std::chrono::steady_clock::now() - started);
  if (!result) {
    log::warn("LLM call failed", {{"operation", "embed"},
                                  {"provider", entry.provider->name()},
                                  {"model", request.model},
                                  {"code", error_code_name(result.error().code)},
                                  {"detail", result.error().detail}});
  }
  return result;
}

Result<std::vector<ModelInfo>> LlmGateway::list_models(std::string_view provider,
                                                       std::optional<milliseconds> timeout) {
  Entry* entry = find(provider);
  if (entry == nullptr) {
    return make_error(ErrorCode::kNotFound,
                      "Unknown language model provider \"" + std::string(provider) + "\".");
  }
  return entry->provider->list_models(timeout);
}

Result<PullResult> LlmGateway::pull(std::string_view provider, const PullRequest& request,
                                    const PullProgressCallback& on_progress) {
  Entry* entry = find(provider);
  if (entry == nullptr) {
    return make_error(ErrorCode::kNotFound,
                      "Unknown language model provider \"" + std::string(provider) + "\".");
  }
  auto result = entry->provider->pull(request, on_progress);
  if (!result) {
    log::warn("LLM pull failed", {{"provider", entry->provider->name()},
                                  {"model", request.model},
                                  {"code", error_code_name(result.error().code)},
                                  {"detail", result.error().detail}});
  }
  return result;
}

std::vector<ProviderStatus> LlmGateway::status() {
  std::vector<std::future<Result<std::vector<ModelInfo>>>> lists;
  lists.reserve(entries_.size());
  for (const auto& entry : entries_) {
    LlmProvider* provider = entry->provider.get();
    const auto timeout = options_.status_timeout;
    lists.push_back(
        std::async(std::launch::async, [provider, timeout] { return provider->list_models(timeout); }));
  }
  std::vector<ProviderStatus> statuses;
  statuses.reserve(entries_.size());
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Entry& entry = *entries_[i];
    ProviderStatus status;
    status.name = entry.provider->name();
    status.type = std::string(entry.provider->type());
    status.default_model = entry.provider->default_model();
    auto models = lists[i].get();
    if (models) {
      status.reachable = true;
      status.models = std::move(*models);
    } else {
      status.error = models.error().message;
      log::debug("LLM provider unreachable", {{"provider", status.name}, {"detail", models.error().detail}});
    }
    const auto now = clock_.now();
    const auto circuit = entry.breaker.snapshot(now);
    status.circuit = circuit.state;
    status.consecutive_failures = circuit.consecutive_failures;
    if (circuit.retry_at && *circuit.retry_at > now) {
      status.retry_in = std::chrono::ceil<milliseconds>(*circuit.retry_at - now);
    }
    statuses.push_back(std::move(status));
  }
  return statuses;
}

std::vector<std::string> LlmGateway::provider_names() const {
  std::vector<std::string> names;
  names.reserve(entries_.size());
  for (const auto& entry : entries_) names.push_back(entry->provider->name());
  return names;
}

bool LlmGateway::has_provider(std::string_view name) const {
  return find(name) != nullptr;
}

CircuitBreaker::Snapshot LlmGateway::circuit(std::string_view provider) const {
  const Entry* entry = find(provider);
  if (entry == nullptr) throw std::out_of_range("unknown LLM provider \"" + std::string(provider) + "\"");
  return entry->breaker.snapshot(clock_.now());
}

}  // namespace personae::llm

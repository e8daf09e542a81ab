#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "observability/metrics.hpp"
#include "ports/llm_provider.hpp"
#include "ports/rate_limiter.hpp"
#include "services/llm/circuit_breaker.hpp"

namespace personae::llm {

struct LlmGatewayOptions {
  /// The most one call may take across the whole chain (every fallback included), unless the
  /// request sets its own timeout. Each attempt gets what is left, cut to its provider's timeout.
  std::chrono::milliseconds request_timeout{120'000};
  /// One breaker per provider, all with these settings.
  CircuitBreakerOptions breaker{};
  /// The deadline of each provider's model list in status().
  std::chrono::milliseconds status_timeout{2'000};
};

/// A persona's override: "use provider X with model Y, then fall back to the chain".
struct LlmRoute {
  /// A configured provider's name, tried first; empty: the chain's order.
  std::string provider{};
  /// The model for the first attempt; empty: the request's model, else that provider's default.
  std::string model{};
};

/// One provider as status() sees it.
struct ProviderStatus {
  std::string name{};
  std::string type{};
  std::string default_model{};
  /// Whether its model list answered within LlmGatewayOptions::status_timeout.
  bool reachable = false;
  /// Why not (client-safe), when not reachable.
  std::string error{};
  std::vector<ModelInfo> models{};
  CircuitState circuit = CircuitState::kClosed;
  int consecutive_failures = 0;
  /// Open circuit: time until a probe call is let through.
  std::optional<std::chrono::milliseconds> retry_in{};
};

/// The one entry point to language models: an ordered chain of providers, each behind its own
/// circuit breaker, with per-model metrics.
///
/// A chat or generate call tries the route's provider first (when named), then the chain in order,
/// skipping providers whose circuit is open. It moves on to the next provider when one fails with
/// kUnavailable, kDeadlineExceeded or kResourceExhausted, or is skipped for an open circuit; any
/// other error (kInvalidArgument, kNotFound for an unknown model, kFailedPrecondition) is the
/// caller's or the configuration's and is returned at once. A chat (or generate) that already passed
/// tokens to the caller's callback is never retried elsewhere (the caller has shown part of a
/// reply): its failure is returned; without a callback it falls back like any failure. When every
/// provider fails the last error is returned; when every circuit is open,
/// kUnavailable "No language model is available right now." with `retry_after` set to the soonest
/// probe. Fallback attempts use their provider's default model (a model name belongs to one
/// server). Cancellation (see ports/llm_provider.hpp) ends the call at once, without fallback; it
/// counts neither for nor against a breaker.
///
/// Breakers count kUnavailable, kDeadlineExceeded and kResourceExhausted as failures and a
/// completed call as a success; other errors leave them as they are.
///
/// Metrics, when a registry is given (labels: provider, model as requested, outcome):
/// personae_llm_requests_total{provider,model,outcome} (outcome: ok, cancelled, circuit_open, or
/// the error code: unavailable, deadline_exceeded, resource_exhausted, not_found,
/// invalid_argument, ...), personae_llm_time_to_first_token_seconds{provider,model},
/// personae_llm_tokens_per_second{provider,model} (histograms of completed streamed calls),
/// personae_llm_request_duration_seconds{provider,model} (every attempt),
/// personae_llm_circuit_open{provider} (1 while open or half-open).
///
/// Thread-safe: calls may run concurrently. Providers, the clock and the registry must outlive it.
class LlmGateway {
 public:
  /// `providers` in fallback order (may be empty: every call then fails with kFailedPrecondition).
  /// Throws std::invalid_argument for a null provider or two with the same name. `clock` drives
  /// the breakers and the deadline.
  LlmGateway(std::vector<std::shared_ptr<LlmProvider>> providers, LlmGatewayOptions options,
             const MonotonicClock& clock, observability::MetricsRegistry* metrics = nullptr);
  ~LlmGateway();
  LlmGateway(const LlmGateway&) = delete;
  LlmGateway& operator=(const LlmGateway&) = delete;

  /// Streams a chat through the chain. An unknown route provider is kInvalidArgument.
  Result<ChatResult> chat(ChatRequest request, const TokenCallback& on_token = {},
                          const LlmRoute& route = {});
  /// Streams the completion of a prompt through the chain, like chat() (no fallback once tokens
  /// reached `on_token`).
  Result<ChatResult> generate(GenerateRequest request, const TokenCallback& on_token,
                              const LlmRoute& route = {});
  /// The same without a token callback.
  Result<ChatResult> generate(GenerateRequest request, const LlmRoute& route = {});
  /// Embeddings from the route's provider, else the chain's first, without fallback: vectors from
  /// two models cannot be compared, so a silent switch would corrupt whatever stores them. An open
  /// circuit is kUnavailable.
  Result<EmbedResult> embed(EmbedRequest request, const LlmRoute& route = {});
  /// One provider's models (unknown name: kNotFound).
  Result<std::vector<ModelInfo>> list_models(std::string_view provider,
                                             std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  /// Pulls a model onto one provider (Ollama only; unknown name: kNotFound).
  Result<PullResult> pull(std::string_view provider, const PullRequest& request,
                          const PullProgressCallback& on_progress = {});

  /// Every provider, in chain order: reachable (its model list, within status_timeout; the lists
  /// are fetched in parallel), models, circuit. Does not touch the breakers.
  std::vector<ProviderStatus> status();

  /// Provider names in chain order.
  std::vector<std::string> provider_names() const;
  bool has_provider(std::string_view name) const;
  /// The breaker of `provider` now (std::out_of_range for an unknown name).
  CircuitBreaker::Snapshot circuit(std::string_view provider) const;

 private:
  struct Entry;
  struct Metrics;

  Result<std::vector<Entry*>> chain(const LlmRoute& route) const;
  Entry* find(std::string_view name) const;
  // chat() and generate(): the fallback chain around `send`, which calls one provider.
  template <class Request, class Send>
  Result<ChatResult> stream(std::string_view operation, Request request, const TokenCallback& on_token,
                            const LlmRoute& route, const Send& send);
  template <class Call>
  Result<ChatResult> run(std::string_view operation, const LlmRoute& route, const std::string& request_model,
                         std::optional<std::chrono::milliseconds> timeout,
                         const CancellationToken& cancellation, const bool& delivered, const Call& call);
  void record(Entry& entry, const std::string& model, const Result<ChatResult>& result,
              std::chrono::steady_clock::duration took);
  void count(Entry& entry, const std::string& model, std::string_view outcome);
  void update_circuit_gauge(Entry& entry);

  std::vector<std::unique_ptr<Entry>> entries_;
  LlmGatewayOptions options_;
  const MonotonicClock& clock_;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace personae::llm

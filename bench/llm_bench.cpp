// personae_llm_bench: what the LLM gateway adds per streamed token (bench/llm.md).
//
// Streams a reply of N tokens from the in-process simulator with no delay, R times each way, the
// three ways interleaved in every round (same simulator, same client, same run):
//   raw:      outbound::HttpClient posts the same request and reads the stream, doing nothing with it;
//   provider: the adapter called directly (LlmProvider::chat), every token parsed and handed to a
//             callback;
//   gateway:  LlmGateway -> the same adapter (chain, circuit breaker, deadline, metrics).
// Prints the median time per run of each; the gateway's overhead per token: the median over rounds
// of (gateway - provider), divided by N (per call for N = 1); and (provider - raw) / N, the
// adapter's parsing per token.
//
//   personae_llm_bench [--tokens N] [--runs R] [--messages-per-chunk M] [--protocol ollama|openai|both]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/http_client/http_client.hpp"
#include "adapters/llm/ollama_llm_provider.hpp"
#include "adapters/llm/openai_llm_provider.hpp"
#include "observability/metrics.hpp"
#include "ports/rate_limiter.hpp"
#include "services/llm/llm_gateway.hpp"
#include "tests/fakes/llm_simulator.hpp"

namespace {

using namespace personae;  // NOLINT(google-build-using-namespace): a benchmark's main
using Clock = std::chrono::steady_clock;

struct Settings {
  int tokens = 20'000;
  int runs = 7;
  std::size_t messages_per_chunk = 1;
  std::string protocol = "both";
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

struct Figures {
  std::string protocol;
  double raw_ms = 0;
  double provider_ms = 0;
  double gateway_ms = 0;
  /// Median over rounds of (gateway - provider): the pairing cancels drift between rounds.
  double paired_overhead_ms = 0;
  std::uint64_t bytes = 0;
};

Figures measure(testing::LlmSimulator::Protocol protocol, const Settings& settings) {
  const bool ollama = protocol == testing::LlmSimulator::Protocol::kOllama;
  testing::LlmSimulator simulator(protocol);
  simulator.add_model(testing::SimulatedModel{
      .name = "bench",
      .tokens = std::vector<std::string>(static_cast<std::size_t>(settings.tokens), " tok")});
  simulator.set_messages_per_chunk(settings.messages_per_chunk);

  outbound::HttpClient client;
  std::shared_ptr<llm::LlmProvider> provider;
  if (ollama) {
    llm::OllamaOptions options;
    options.name = "bench";
    options.base_url = simulator.base_url();
    options.default_model = "bench";
    options.timeout = std::chrono::minutes(5);
    options.max_response_bytes = 1ULL << 30;
    provider = std::make_shared<llm::OllamaLlmProvider>(options, client);
  } else {
    llm::OpenAiOptions options;
    options.name = "bench";
    options.base_url = simulator.base_url();
    options.default_model = "bench";
    options.timeout = std::chrono::minutes(5);
    options.max_response_bytes = 1ULL << 30;
    provider = std::make_shared<llm::OpenAiLlmProvider>(options, client);
  }
  const SteadyMonotonicClock monotonic;
  observability::MetricsRegistry metrics;
  llm::LlmGatewayOptions gateway_options;
  gateway_options.request_timeout = std::chrono::minutes(5);
  llm::LlmGateway gateway({provider}, gateway_options, monotonic, &metrics);

  // The request the adapter sends, so that the raw run asks for exactly the same stream.
  nlohmann::json body = {{"model", "bench"},
                         {"messages", nlohmann::json::array({{{"role", "user"}, {"content", "go"}}})},
                         {"stream", true}};
  if (!ollama) body["stream_options"] = {{"include_usage", true}};
  outbound::Request raw;
  raw.method = "POST";
  raw.url = simulator.base_url() + (ollama ? "/api/chat" : "/v1/chat/completions");
  raw.headers = {{"Content-Type", "application/json"}};
  raw.body = body.dump();
  raw.timeout = std::chrono::minutes(5);
  raw.max_response_bytes = 1ULL << 30;
  raw.idempotent = true;
  std::uint64_t bytes = 0;
  raw.on_body = [&](std::string_view chunk) {
    bytes += chunk.size();
    return true;
  };

  llm::ChatRequest request;
  request.messages = {{llm::Role::kUser, "go"}};
  std::int64_t tokens_seen = 0;
  const llm::TokenCallback on_token = [&](std::string_view) {
    ++tokens_seen;
    return true;
  };

  std::vector<double> raw_ms;
  std::vector<double> provider_ms;
  std::vector<double> gateway_ms;
  for (int run = -1; run < settings.runs; ++run) {  // run -1 warms both paths up
    bytes = 0;
    const auto raw_start = Clock::now();
    const auto raw_result = client.send(raw);
    const auto raw_end = Clock::now();
    if (!raw_result || raw_result->status != 200) {
      std::cerr << "raw stream failed\n";
      std::exit(1);
    }
    tokens_seen = 0;
    const auto provider_start = Clock::now();
    const auto direct = provider->chat(request, on_token);
    const auto provider_end = Clock::now();
    if (!direct || tokens_seen != settings.tokens) {
      std::cerr << "provider stream failed: " << (direct ? "token count" : direct.error().detail) << "\n";
      std::exit(1);
    }
    tokens_seen = 0;
    const auto gateway_start = Clock::now();
    const auto result = gateway.chat(request, on_token);
    const auto gateway_end = Clock::now();
    if (!result || tokens_seen != settings.tokens) {
      std::cerr << "gateway stream failed: " << (result ? "token count" : result.error().detail) << "\n";
      std::exit(1);
    }
    if (run < 0) continue;
    raw_ms.push_back(std::chrono::duration<double, std::milli>(raw_end - raw_start).count());
    provider_ms.push_back(std::chrono::duration<double, std::milli>(provider_end - provider_start).count());
    gateway_ms.push_back(std::chrono::duration<double, std::milli>(gateway_end - gateway_start).count());
  }
  std::vector<double> overhead_ms;
  for (std::size_t i = 0; i < gateway_ms.size(); ++i) overhead_ms.push_back(gateway_ms[i] - provider_ms[i]);
  return Figures{ollama ? "ollama (NDJSON)" : "openai (SSE)",
                 median(raw_ms),
                 median(provider_ms),
                 median(gateway_ms),
                 median(overhead_ms),
                 bytes};
}

/// A provider that streams its tokens from memory: no HTTP, no parsing, so that what remains of
/// (gateway - provider) is the gateway alone.
class MemoryProvider final : public llm::LlmProvider {
 public:
  explicit MemoryProvider(int tokens) : tokens_(tokens) {}

  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "memory"; }
  const std::string& default_model() const override { return model_; }
  Result<llm::ChatResult> chat(const llm::ChatRequest& request, const llm::TokenCallback& on_token) override {
    llm::ChatResult result;
    result.model = request.model;
    result.done_reason = "stop";
    result.completion_tokens = tokens_;
    result.time_to_first_token = std::chrono::microseconds(1);
    result.tokens_per_second = 1000.0;
    for (int i = 0; i < tokens_; ++i) {
      if (on_token && !on_token(" tok")) {
        result.cancelled = true;
        break;
      }
      ++result.streamed_pieces;
    }
    return result;
  }
  using LlmProvider::generate;
  Result<llm::ChatResult> generate(const llm::GenerateRequest&, const llm::TokenCallback&) override {
    return llm::ChatResult{};
  }
  Result<std::vector<llm::ModelInfo>> list_models(std::optional<std::chrono::milliseconds>) override {
    return std::vector<llm::ModelInfo>{};
  }
  Result<llm::EmbedResult> embed(const llm::EmbedRequest&) override { return llm::EmbedResult{}; }
  Result<llm::PullResult> pull(const llm::PullRequest&, const llm::PullProgressCallback&) override {
    return llm::PullResult{};
  }

 private:
  int tokens_;
  std::string name_ = "memory";
  std::string model_ = "bench";
};

/// Median ns per call of provider.chat() and gateway.chat() over an in-memory stream of `tokens`.
std::pair<double, double> measure_in_memory(int tokens, int calls) {
  auto provider = std::make_shared<MemoryProvider>(tokens);
  const SteadyMonotonicClock monotonic;
  observability::MetricsRegistry metrics;
  llm::LlmGateway gateway({provider}, llm::LlmGatewayOptions{}, monotonic, &metrics);
  llm::ChatRequest request;
  request.messages = {{llm::Role::kUser, "go"}};
  request.model = "bench";
  std::int64_t seen = 0;
  const llm::TokenCallback on_token = [&](std::string_view) {
    ++seen;
    return true;
  };
  std::vector<double> direct_ns;
  std::vector<double> gateway_ns;
  for (int round = 0; round < 31; ++round) {
    const auto direct_start = Clock::now();
    for (int i = 0; i < calls; ++i) (void)provider->chat(request, on_token);
    const auto direct_end = Clock::now();
    for (int i = 0; i < calls; ++i) (void)gateway.chat(request, on_token);
    const auto gateway_end = Clock::now();
    direct_ns.push_back(std::chrono::duration<double, std::nano>(direct_end - direct_start).count() / calls);
    gateway_ns.push_back(std::chrono::duration<double, std::nano>(gateway_end - direct_end).count() / calls);
  }
  if (seen != static_cast<std::int64_t>(tokens) * calls * 31 * 2) {
    std::cerr << "in-memory stream lost tokens\n";
    std::exit(1);
  }
  return {median(direct_ns), median(gateway_ns)};
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--tokens") {
      settings.tokens = std::stoi(value);
    } else if (flag == "--runs") {
      settings.runs = std::stoi(value);
    } else if (flag == "--messages-per-chunk") {
      settings.messages_per_chunk = static_cast<std::size_t>(std::stoul(value));
    } else if (flag == "--protocol") {
      settings.protocol = value;
    } else {
      std::cerr << "usage: personae_llm_bench [--tokens N] [--runs R] [--messages-per-chunk M] "
                   "[--protocol ollama|openai|both]\n";
      return 2;
    }
  }
  if (settings.tokens < 1 || settings.runs < 1) return 2;

  std::vector<Figures> figures;
  if (settings.protocol != "openai")
    figures.push_back(measure(testing::LlmSimulator::Protocol::kOllama, settings));
  if (settings.protocol != "ollama")
    figures.push_back(measure(testing::LlmSimulator::Protocol::kOpenAi, settings));

  std::printf("tokens per stream: %d, runs: %d (medians), messages per HTTP chunk: %zu\n\n", settings.tokens,
              settings.runs, settings.messages_per_chunk);
  std::printf(
      "| protocol | stream bytes | raw HttpClient | provider (adapter) | gateway -> adapter "
      "| gateway overhead per token | adapter parsing per token | gateway per token |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const auto& row : figures) {
    const double gateway_overhead_us = row.paired_overhead_ms * 1000.0 / settings.tokens;
    const double adapter_us = (row.provider_ms - row.raw_ms) * 1000.0 / settings.tokens;
    const double per_token_us = row.gateway_ms * 1000.0 / settings.tokens;
    std::printf("| %s | %llu | %.1f ms | %.1f ms | %.1f ms | %.3f us | %.2f us | %.2f us |\n",
                row.protocol.c_str(), static_cast<unsigned long long>(row.bytes), row.raw_ms, row.provider_ms,
                row.gateway_ms, gateway_overhead_us, adapter_us, per_token_us);
  }

  std::printf("\nIn memory (no HTTP, no parsing): what the gateway adds to a call and to each token.\n\n");
  std::printf(
      "| tokens per call | provider.chat() | gateway.chat() | gateway overhead per call | per token |\n");
  std::printf("|---|---|---|---|---|\n");
  for (const int tokens : {1, 1'000}) {
    const auto [direct, through] = measure_in_memory(tokens, tokens == 1 ? 2'000 : 20);
    std::printf("| %d | %.0f ns | %.0f ns | %.0f ns | %.1f ns |\n", tokens, direct, through, through - direct,
                (through - direct) / tokens);
  }
  return 0;
}

// The gateway over the real adapters and simulators: fallback, breaker and status end to end.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "adapters/http_client/http_client.hpp"
#include "adapters/llm/ollama_llm_provider.hpp"
#include "adapters/llm/openai_llm_provider.hpp"
#include "observability/metrics.hpp"
#include "services/llm/llm_gateway.hpp"
#include "tests/fakes/llm_simulator.hpp"

namespace personae::llm {
namespace {

using std::chrono::milliseconds;
using testing::LlmFault;
using testing::LlmSimulator;
using testing::SimulatedModel;

class ManualClock final : public MonotonicClock {
 public:
  std::chrono::steady_clock::time_point now() const override { return now_; }
  void advance(milliseconds duration) { now_ += duration; }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::seconds(1000)};
};

class LlmGatewayOverSimulators : public ::testing::Test {
 protected:
  LlmGatewayOverSimulators() {
    OllamaOptions local;
    local.name = "local";
    local.base_url = ollama_.base_url();
    local.default_model = std::string(LlmSimulator::kDefaultModel);
    local.timeout = milliseconds(2'000);
    OpenAiOptions remote;
    remote.name = "remote";
    remote.base_url = openai_.base_url();
    remote.default_model = "remote-model";
    remote.api_key = "sk-remote";
    openai_.set_api_key("sk-remote");
    openai_.add_model(SimulatedModel{.name = "remote-model", .tokens = {"From", " the", " remote"}});
    openai_.add_model(SimulatedModel{.name = "persona-model", .tokens = {"Persona", " voice"}});
    providers_ = {std::make_shared<OllamaLlmProvider>(local, client_),
                  std::make_shared<OpenAiLlmProvider>(remote, client_)};
  }

  LlmGateway gateway(LlmGatewayOptions options = {}) { return {providers_, options, clock_, &metrics_}; }

  static ChatRequest chat() {
    ChatRequest request;
    request.messages = {{Role::kUser, "hello"}};
    return request;
  }

  double requests(const std::string& provider, const std::string& model, const std::string& outcome) {
    return metrics_.counter("personae_llm_requests_total", "", {"provider", "model", "outcome"})
        .labels({provider, model, outcome})
        .value();
  }

  testing::OllamaSimulator ollama_;
  testing::OpenAiSimulator openai_;
  outbound::HttpClient client_;
  ManualClock clock_;
  observability::MetricsRegistry metrics_;
  std::vector<std::shared_ptr<LlmProvider>> providers_;
};

TEST_F(LlmGatewayOverSimulators, StreamsFromTheFirstProviderAndRecordsItsMetrics) {
  auto llm = gateway();
  std::string seen;
  const auto result = llm.chat(chat(), [&](std::string_view piece) {
    seen += piece;
    return true;
  });
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->provider, "local");
  EXPECT_EQ(seen, "The quick brown fox jumps over the lazy dog.");
  EXPECT_EQ(requests("local", "sim-chat", "ok"), 1);
  const std::string rendered = metrics_.render();
  EXPECT_NE(rendered.find(
                "personae_llm_time_to_first_token_seconds_count{provider=\"local\",model=\"sim-chat\"} 1"),
            std::string::npos);
  EXPECT_NE(
      rendered.find("personae_llm_request_duration_seconds_count{provider=\"local\",model=\"sim-chat\"} 1"),
      std::string::npos);
}

TEST_F(LlmGatewayOverSimulators, FallsBackFromAFailingOllamaToTheOpenAiServer) {
  ollama_.set_fault({.fault = LlmFault::kHttp500});
  auto llm = gateway();
  const auto result = llm.chat(chat());
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->provider, "remote");
  EXPECT_EQ(result->content, "From the remote");
  EXPECT_EQ(requests("local", "sim-chat", "unavailable"), 1);
  EXPECT_EQ(requests("remote", "remote-model", "ok"), 1);
  EXPECT_EQ(openai_.requests_to("/v1/chat/completions").at(0).header("Authorization"), "Bearer sk-remote");
}

TEST_F(LlmGatewayOverSimulators, ASlowProviderTimesOutAndTheNextAnswers) {
  ollama_.set_fault({.fault = LlmFault::kHang});
  auto llm = gateway();  // "local" has a 2 s timeout, the gateway's budget is 120 s
  const auto start = std::chrono::steady_clock::now();
  const auto result = llm.chat(chat());
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->provider, "remote");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(requests("local", "sim-chat", "deadline_exceeded"), 1);
}

TEST_F(LlmGatewayOverSimulators, TheBreakerStopsCallingADownServerThenProbesIt) {
  LlmGatewayOptions options;
  options.breaker = {2, milliseconds(30'000)};
  ollama_.set_fault({.fault = LlmFault::kHttp500});
  auto llm = gateway(options);
  ASSERT_TRUE(llm.chat(chat()));
  ASSERT_TRUE(llm.chat(chat()));
  EXPECT_EQ(llm.circuit("local").state, CircuitState::kOpen);
  EXPECT_EQ(ollama_.requests_to("/api/chat").size(), 2U);

  ASSERT_TRUE(llm.chat(chat()));
  EXPECT_EQ(ollama_.requests_to("/api/chat").size(), 2U);  // skipped while open

  ollama_.clear_fault();
  clock_.advance(milliseconds(30'000));
  const auto probe = llm.chat(chat());
  ASSERT_TRUE(probe) << probe.error().detail;
  EXPECT_EQ(probe->provider, "local");
  EXPECT_EQ(llm.circuit("local").state, CircuitState::kClosed);
  EXPECT_NE(metrics_.render().find("personae_llm_circuit_open{provider=\"local\"} 0"), std::string::npos);
}

TEST_F(LlmGatewayOverSimulators, APersonaRouteUsesItsProviderAndModelFirst) {
  auto llm = gateway();
  const auto result = llm.chat(chat(), {}, LlmRoute{"remote", "persona-model"});
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->provider, "remote");
  EXPECT_EQ(result->content, "Persona voice");
  EXPECT_EQ(ollama_.request_count(), 0U);
}

TEST_F(LlmGatewayOverSimulators, AStreamCutAfterTokensIsNotRetriedElsewhere) {
  ollama_.set_fault({.fault = LlmFault::kDropConnection, .after_tokens = 3});
  auto llm = gateway();
  std::string seen;
  const auto result = llm.chat(chat(), [&](std::string_view piece) {
    seen += piece;
    return true;
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(openai_.request_count(), 0U);
}

TEST_F(LlmGatewayOverSimulators, WithoutACallbackACutStreamFallsBack) {
  // Nothing reached the caller, so the next provider may answer instead.
  ollama_.set_fault({.fault = LlmFault::kDropConnection, .after_tokens = 3});
  auto llm = gateway();
  const auto result = llm.chat(chat());
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->provider, "remote");
  EXPECT_EQ(requests("local", "sim-chat", "unavailable"), 1);
}

TEST_F(LlmGatewayOverSimulators, MalformedAnswersAndErrorLinesFallBack) {
  auto llm = gateway();
  ollama_.set_fault({.fault = LlmFault::kMalformedJson, .after_tokens = 0, .times = 1});
  const auto malformed = llm.chat(chat(), [](std::string_view) { return true; });
  ASSERT_TRUE(malformed) << malformed.error().detail;
  EXPECT_EQ(malformed->provider, "remote");

  ollama_.set_fault({.fault = LlmFault::kErrorLine, .after_tokens = 0, .times = 1});
  const auto error_line = llm.chat(chat(), [](std::string_view) { return true; });
  ASSERT_TRUE(error_line) << error_line.error().detail;
  EXPECT_EQ(error_line->provider, "remote");
  EXPECT_EQ(requests("local", "sim-chat", "unavailable"), 2);
  EXPECT_EQ(llm.circuit("local").consecutive_failures, 2);
}

TEST_F(LlmGatewayOverSimulators, AWrongSchemaFromOneServerFallsBackToTheNext) {
  ollama_.set_fault({.fault = LlmFault::kWrongSchema});
  openai_.add_model(SimulatedModel{.name = "remote-model", .structured_reply = R"({"caption":"Hello"})"});
  auto llm = gateway();
  auto request = chat();
  request.json_schema =
      R"({"type":"object","properties":{"caption":{"type":"string"}},"required":["caption"]})";
  const auto result = llm.chat(request);
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->provider, "remote");
  EXPECT_EQ(result->content, R"({"caption":"Hello"})");
}

TEST_F(LlmGatewayOverSimulators, TooManyRequestsFallsBackAndKeepsTheRetryAfter) {
  ollama_.set_fault({.fault = LlmFault::kHttp429, .retry_after_seconds = 3});
  auto llm = gateway();
  const auto result = llm.chat(chat());
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->provider, "remote");
  EXPECT_EQ(requests("local", "sim-chat", "resource_exhausted"), 1);

  openai_.set_fault({.fault = LlmFault::kHttp429, .retry_after_seconds = 9});
  const auto both = llm.chat(chat());
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(both.error().retry_after, milliseconds(9'000));  // the last provider's
}

TEST_F(LlmGatewayOverSimulators, GenerateStreamsThroughTheChain) {
  ollama_.set_fault({.fault = LlmFault::kErrorLine, .after_tokens = 0, .times = 1});
  auto llm = gateway();
  GenerateRequest request;
  request.prompt = "write";
  std::string seen;
  const auto result = llm.generate(request, [&](std::string_view piece) {
    seen += piece;
    return true;
  });
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->provider, "remote");
  EXPECT_EQ(seen, "From the remote");
  EXPECT_EQ(ollama_.requests_to("/api/generate").size(), 1U);

  const auto local = llm.generate(request);
  ASSERT_TRUE(local) << local.error().detail;
  EXPECT_EQ(local->provider, "local");
  EXPECT_EQ(local->content, "The quick brown fox jumps over the lazy dog.");
  EXPECT_NE(metrics_.render().find(
                "personae_llm_time_to_first_token_seconds_count{provider=\"local\",model=\"sim-chat\"} 1"),
            std::string::npos);
}

TEST_F(LlmGatewayOverSimulators, CancellingMidStreamStopsWithoutFallbackOrBreakerFailure) {
  ollama_.add_model(SimulatedModel{.name = "long", .tokens = std::vector<std::string>(100, " word")});
  ollama_.set_token_delay(milliseconds(30));
  auto llm = gateway();
  auto request = chat();
  request.model = "long";
  const CancellationToken token = request.cancellation;
  std::thread canceller([token] {
    std::this_thread::sleep_for(milliseconds(200));
    token.cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  const auto result = llm.chat(request);
  canceller.join();
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_TRUE(result->cancelled);
  EXPECT_EQ(result->provider, "local");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1'500));
  EXPECT_EQ(openai_.request_count(), 0U);
  EXPECT_EQ(llm.circuit("local").consecutive_failures, 0);
  EXPECT_EQ(requests("local", "long", "cancelled"), 1);
}

TEST_F(LlmGatewayOverSimulators, MetricsArePerModel) {
  ollama_.add_model(SimulatedModel{.name = "second", .tokens = {"a", "b", "c"}});
  auto llm = gateway();
  ASSERT_TRUE(llm.chat(chat()));
  auto second = chat();
  second.model = "second";
  ASSERT_TRUE(llm.chat(second));
  ASSERT_TRUE(llm.chat(second));
  auto missing = chat();
  missing.model = "missing";
  const auto not_found = llm.chat(missing);
  ASSERT_FALSE(not_found);
  EXPECT_EQ(not_found.error().code, ErrorCode::kNotFound);  // the caller's: no fallback
  EXPECT_EQ(openai_.request_count(), 0U);

  EXPECT_EQ(requests("local", "sim-chat", "ok"), 1);
  EXPECT_EQ(requests("local", "second", "ok"), 2);
  EXPECT_EQ(requests("local", "missing", "not_found"), 1);
  const std::string rendered = metrics_.render();
  for (const char* line :
       {R"(personae_llm_time_to_first_token_seconds_count{provider="local",model="second"} 2)",
        R"(personae_llm_tokens_per_second_count{provider="local",model="second"} 2)",
        R"(personae_llm_tokens_per_second_count{provider="local",model="sim-chat"} 1)",
        R"(personae_llm_request_duration_seconds_count{provider="local",model="missing"} 1)"}) {
    EXPECT_NE(rendered.find(line), std::string::npos) << line;
  }
}

TEST_F(LlmGatewayOverSimulators, StatusShowsWhichServersAnswerAndTheirModels) {
  openai_.stop();
  auto llm = gateway();
  const auto statuses = llm.status();
  ASSERT_EQ(statuses.size(), 2U);
  EXPECT_EQ(statuses[0].name, "local");
  EXPECT_EQ(statuses[0].type, "ollama");
  EXPECT_TRUE(statuses[0].reachable);
  ASSERT_FALSE(statuses[0].models.empty());
  EXPECT_EQ(statuses[0].models[0].name, "sim-chat");
  EXPECT_EQ(statuses[0].models[0].loaded, true);
  EXPECT_EQ(statuses[1].name, "remote");
  EXPECT_EQ(statuses[1].type, "openai");
  EXPECT_FALSE(statuses[1].reachable);
  EXPECT_FALSE(statuses[1].error.empty());
  EXPECT_EQ(statuses[1].circuit, CircuitState::kClosed);
}

}  // namespace
}  // namespace personae::llm

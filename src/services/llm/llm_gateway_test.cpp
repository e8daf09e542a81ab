#include "services/llm/llm_gateway.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <stdexcept>

namespace personae::llm {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

class ManualClock final : public MonotonicClock {
 public:
  std::chrono::steady_clock::time_point now() const override { return now_; }
  void advance(milliseconds duration) { now_ += duration; }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::seconds(1000)};
};

/// A scripted provider that records what it was asked.
class FakeProvider final : public LlmProvider {
 public:
  using ChatScript = std::function<Result<ChatResult>(const ChatRequest&, const TokenCallback&)>;

  FakeProvider(std::string name, std::string model) : name_(std::move(name)), model_(std::move(model)) {}

  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "fake"; }
  const std::string& default_model() const override { return model_; }

  Result<ChatResult> chat(const ChatRequest& request, const TokenCallback& on_token) override {
    {
      const std::lock_guard lock(mutex_);
      chats.push_back(request);
    }
    if (chat_script) return chat_script(request, on_token);
    return reply(request.model);
  }
  using LlmProvider::generate;
  Result<ChatResult> generate(const GenerateRequest& request, const TokenCallback& on_token) override {
    generates.push_back(request);
    if (generate_tokens_before_error > 0 && on_token) {
      for (int i = 0; i < generate_tokens_before_error; ++i) on_token("tok");
    }
    if (generate_error) return tl::unexpected(*generate_error);
    if (on_token) on_token("hello");
    return reply(request.model);
  }
  Result<std::vector<ModelInfo>> list_models(std::optional<milliseconds> timeout) override {
    const std::lock_guard lock(mutex_);
    list_timeouts.push_back(timeout);
    if (list_error) return tl::unexpected(*list_error);
    return std::vector<ModelInfo>{ModelInfo{.name = model_, .loaded = true}};
  }
  Result<EmbedResult> embed(const EmbedRequest& request) override {
    embeds.push_back(request);
    if (embed_error) return tl::unexpected(*embed_error);
    return EmbedResult{.model = request.model, .provider = name_, .embeddings = {{1.0F}}};
  }
  Result<PullResult> pull(const PullRequest& request, const PullProgressCallback&) override {
    pulls.push_back(request.model);
    return PullResult{.status = "success"};
  }

  static Result<ChatResult> reply(const std::string& model, std::string content = "hello") {
    ChatResult result;
    result.content = std::move(content);
    result.model = model;
    result.done_reason = "stop";
    return result;
  }

  ChatScript chat_script;
  std::optional<Error> generate_error;
  /// Tokens handed to the callback before generate_error is returned.
  int generate_tokens_before_error = 0;
  std::optional<Error> list_error;
  std::optional<Error> embed_error;
  std::vector<ChatRequest> chats;
  std::vector<GenerateRequest> generates;
  std::vector<EmbedRequest> embeds;
  std::vector<std::string> pulls;
  std::vector<std::optional<milliseconds>> list_timeouts;

 private:
  std::string name_;
  std::string model_;
  std::mutex mutex_;
};

FakeProvider::ChatScript fails(ErrorCode code) {
  return [code](const ChatRequest&, const TokenCallback&) -> Result<ChatResult> {
    return make_error(code, "scripted failure", "scripted detail");
  };
}

ChatRequest chat_request() {
  ChatRequest request;
  request.messages = {{Role::kUser, "hi"}};
  return request;
}

class LlmGatewayTest : public ::testing::Test {
 protected:
  LlmGatewayTest()
      : a_(std::make_shared<FakeProvider>("a", "model-a")),
        b_(std::make_shared<FakeProvider>("b", "model-b")),
        c_(std::make_shared<FakeProvider>("c", "model-c")) {}

  LlmGateway gateway(LlmGatewayOptions options = {}) { return {{a_, b_, c_}, options, clock_, &metrics_}; }

  double requests(const std::string& provider, const std::string& model, const std::string& outcome) {
    return metrics_.counter("personae_llm_requests_total", "", {"provider", "model", "outcome"})
        .labels({provider, model, outcome})
        .value();
  }
  double circuit_gauge(const std::string& provider) {
    return metrics_.gauge("personae_llm_circuit_open", "", {"provider"}).labels({provider}).value();
  }
  bool rendered(const std::string& line) { return metrics_.render().find(line) != std::string::npos; }

  ManualClock clock_;
  observability::MetricsRegistry metrics_;
  std::shared_ptr<FakeProvider> a_;
  std::shared_ptr<FakeProvider> b_;
  std::shared_ptr<FakeProvider> c_;
};

TEST_F(LlmGatewayTest, TheFirstProviderAnswersWithItsDefaultModel) {
  auto llm = gateway();
  const auto result = llm.chat(chat_request());
  ASSERT_TRUE(result);
  EXPECT_EQ(result->provider, "a");
  EXPECT_EQ(result->model, "model-a");
  EXPECT_EQ(a_->chats.size(), 1U);
  EXPECT_TRUE(b_->chats.empty());
  EXPECT_EQ(requests("a", "model-a", "ok"), 1);
}

TEST_F(LlmGatewayTest, FallsBackInOrderOnUpstreamFailures) {
  a_->chat_script = fails(ErrorCode::kUnavailable);
  b_->chat_script = fails(ErrorCode::kDeadlineExceeded);
  auto llm = gateway();
  auto result = llm.chat(chat_request());
  ASSERT_TRUE(result);
  EXPECT_EQ(result->provider, "c");
  EXPECT_EQ(result->model, "model-c");
  EXPECT_EQ(a_->chats.size(), 1U);
  EXPECT_EQ(b_->chats.size(), 1U);
  EXPECT_EQ(c_->chats.size(), 1U);
  EXPECT_EQ(b_->chats[0].model, "model-b");  // a fallback uses its provider's model

  a_->chat_script = fails(ErrorCode::kResourceExhausted);
  b_->chat_script = nullptr;
  result = llm.chat(chat_request());
  ASSERT_TRUE(result);
  EXPECT_EQ(result->provider, "b");
  EXPECT_EQ(requests("a", "model-a", "unavailable"), 1);
  EXPECT_EQ(requests("a", "model-a", "resource_exhausted"), 1);
  EXPECT_EQ(requests("b", "model-b", "deadline_exceeded"), 1);
}

TEST_F(LlmGatewayTest, CallerErrorsAreReturnedWithoutFallback) {
  auto llm = gateway();
  for (const auto code :
       {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kFailedPrecondition}) {
    a_->chat_script = fails(code);
    const auto result = llm.chat(chat_request());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, code);
  }
  EXPECT_TRUE(b_->chats.empty());
  // And they say nothing about the server's health.
  EXPECT_EQ(llm.circuit("a").consecutive_failures, 0);
}

TEST_F(LlmGatewayTest, WhenEveryProviderFailsTheLastErrorIsReturned) {
  a_->chat_script = fails(ErrorCode::kUnavailable);
  b_->chat_script = fails(ErrorCode::kUnavailable);
  c_->chat_script = [](const ChatRequest&, const TokenCallback&) -> Result<ChatResult> {
    Error busy{ErrorCode::kResourceExhausted, "busy", "c is busy", milliseconds(7000)};
    return tl::unexpected(busy);
  };
  auto llm = gateway();
  const auto result = llm.chat(chat_request());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(result.error().retry_after, milliseconds(7000));
}

TEST_F(LlmGatewayTest, ThePersonaRouteGoesFirstWithItsModelThenTheChain) {
  b_->chat_script = fails(ErrorCode::kUnavailable);
  auto llm = gateway();
  const auto result = llm.chat(chat_request(), {}, LlmRoute{"b", "persona-model"});
  ASSERT_TRUE(result);
  ASSERT_EQ(b_->chats.size(), 1U);
  EXPECT_EQ(b_->chats[0].model, "persona-model");
  EXPECT_EQ(result->provider, "a");
  EXPECT_EQ(a_->chats.at(0).model, "model-a");
  EXPECT_TRUE(c_->chats.empty());
  EXPECT_EQ(requests("b", "persona-model", "unavailable"), 1);

  // A route without a model: that provider's default.
  b_->chat_script = nullptr;
  ASSERT_TRUE(llm.chat(chat_request(), {}, LlmRoute{"b", ""}));
  EXPECT_EQ(b_->chats.at(1).model, "model-b");
}

TEST_F(LlmGatewayTest, TheRequestsModelIsForTheFirstAttemptOnly) {
  a_->chat_script = fails(ErrorCode::kUnavailable);
  auto llm = gateway();
  auto request = chat_request();
  request.model = "asked-for";
  ASSERT_TRUE(llm.chat(request));
  EXPECT_EQ(a_->chats.at(0).model, "asked-for");
  EXPECT_EQ(b_->chats.at(0).model, "model-b");
}

TEST_F(LlmGatewayTest, AnUnknownRouteProviderIsTheCallersError) {
  auto llm = gateway();
  const auto result = llm.chat(chat_request(), {}, LlmRoute{"nope", ""});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(a_->chats.empty());
  EXPECT_TRUE(llm.has_provider("b"));
  EXPECT_FALSE(llm.has_provider("nope"));
  EXPECT_EQ(llm.provider_names(), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(LlmGatewayTest, NoFallbackOnceTokensReachedTheCaller) {
  a_->chat_script = [](const ChatRequest&, const TokenCallback& on_token) -> Result<ChatResult> {
    on_token("Hel");
    on_token("lo");
    return make_error(ErrorCode::kUnavailable, "cut off", "dropped mid-stream");
  };
  auto llm = gateway();
  std::string seen;
  const auto result = llm.chat(chat_request(), [&](std::string_view token) {
    seen += token;
    return true;
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(seen, "Hello");
  EXPECT_TRUE(b_->chats.empty());
  EXPECT_EQ(llm.circuit("a").consecutive_failures, 1);
}

TEST_F(LlmGatewayTest, TokensArePassedThroughAndTheCallersFalseCancels) {
  a_->chat_script = [](const ChatRequest& request, const TokenCallback& on_token) -> Result<ChatResult> {
    ChatResult result;
    result.model = request.model;
    for (const char* token : {"one", "two", "three"}) {
      result.content += token;
      if (!on_token(token)) {
        result.cancelled = true;
        result.done_reason = "cancelled";
        return result;
      }
    }
    return result;
  };
  auto llm = gateway();
  std::vector<std::string> seen;
  const auto result = llm.chat(chat_request(), [&](std::string_view token) {
    seen.emplace_back(token);
    return seen.size() < 2;
  });
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->cancelled);
  EXPECT_EQ(seen, (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(b_->chats.empty());
  EXPECT_EQ(requests("a", "model-a", "cancelled"), 1);
  EXPECT_EQ(llm.circuit("a").state, CircuitState::kClosed);
}

TEST_F(LlmGatewayTest, ACancelledTokenStopsBeforeAnyCall) {
  auto llm = gateway();
  auto request = chat_request();
  request.cancellation.cancel();
  const auto result = llm.chat(request);
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->cancelled);
  EXPECT_TRUE(a_->chats.empty());

  // Cancelled while the first provider failed: no fallback either.
  const CancellationToken token;
  a_->chat_script = [token](const ChatRequest&, const TokenCallback&) -> Result<ChatResult> {
    token.cancel();
    return make_error(ErrorCode::kUnavailable, "down");
  };
  auto second = chat_request();
  second.cancellation = token;
  const auto cancelled = llm.chat(second);
  ASSERT_TRUE(cancelled);
  EXPECT_TRUE(cancelled->cancelled);
  EXPECT_TRUE(b_->chats.empty());
}

TEST_F(LlmGatewayTest, TheBreakerOpensSkipsTheProviderThenProbesAndCloses) {
  LlmGatewayOptions options;
  options.breaker = {2, milliseconds(30'000)};
  a_->chat_script = fails(ErrorCode::kUnavailable);
  auto llm = gateway(options);

  ASSERT_TRUE(llm.chat(chat_request()));  // a fails (1), b answers
  EXPECT_EQ(llm.circuit("a").state, CircuitState::kClosed);
  ASSERT_TRUE(llm.chat(chat_request()));  // a fails (2): open
  EXPECT_EQ(llm.circuit("a").state, CircuitState::kOpen);
  EXPECT_EQ(circuit_gauge("a"), 1);
  EXPECT_EQ(a_->chats.size(), 2U);

  clock_.advance(milliseconds(29'999));
  const auto skipped = llm.chat(chat_request());
  ASSERT_TRUE(skipped);
  EXPECT_EQ(skipped->provider, "b");
  EXPECT_EQ(a_->chats.size(), 2U);  // not called while open
  EXPECT_EQ(requests("a", "model-a", "circuit_open"), 1);

  clock_.advance(milliseconds(1));
  EXPECT_EQ(llm.circuit("a").state, CircuitState::kHalfOpen);
  a_->chat_script = nullptr;
  const auto probe = llm.chat(chat_request());
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->provider, "a");
  EXPECT_EQ(llm.circuit("a").state, CircuitState::kClosed);
  EXPECT_EQ(circuit_gauge("a"), 0);
}

TEST_F(LlmGatewayTest, AFailedProbeReopensTheCircuitForAnotherCoolDown) {
  LlmGatewayOptions options;
  options.breaker = {1, milliseconds(10'000)};
  a_->chat_script = fails(ErrorCode::kDeadlineExceeded);
  auto llm = gateway(options);
  ASSERT_TRUE(llm.chat(chat_request()));
  EXPECT_EQ(llm.circuit("a").state, CircuitState::kOpen);
  clock_.advance(milliseconds(10'000));
  ASSERT_TRUE(llm.chat(chat_request()));  // the probe fails, b answers
  EXPECT_EQ(a_->chats.size(), 2U);
  EXPECT_EQ(llm.circuit("a").state, CircuitState::kOpen);
  clock_.advance(milliseconds(9'999));
  ASSERT_TRUE(llm.chat(chat_request()));
  EXPECT_EQ(a_->chats.size(), 2U);
}

TEST_F(LlmGatewayTest, EveryCircuitOpenIsUnavailableWithTheSoonestProbe) {
  LlmGatewayOptions options;
  options.breaker = {1, milliseconds(10'000)};
  a_->chat_script = fails(ErrorCode::kUnavailable);
  b_->chat_script = fails(ErrorCode::kUnavailable);
  c_->chat_script = fails(ErrorCode::kUnavailable);
  auto llm = gateway(options);
  ASSERT_FALSE(llm.chat(chat_request()));
  clock_.advance(milliseconds(4'000));
  const auto result = llm.chat(chat_request());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().message, "No language model is available right now.");
  EXPECT_EQ(result.error().retry_after, milliseconds(6'000));
  EXPECT_EQ(a_->chats.size(), 1U);
}

TEST_F(LlmGatewayTest, AttemptsShareOneBudget) {
  a_->chat_script = [this](const ChatRequest& request, const TokenCallback&) -> Result<ChatResult> {
    EXPECT_EQ(request.timeout, milliseconds(1'000));
    clock_.advance(milliseconds(300));
    return make_error(ErrorCode::kUnavailable, "down");
  };
  b_->chat_script = [this](const ChatRequest& request, const TokenCallback&) -> Result<ChatResult> {
    EXPECT_EQ(request.timeout, milliseconds(700));
    clock_.advance(milliseconds(700));
    return make_error(ErrorCode::kDeadlineExceeded, "slow");
  };
  auto llm = gateway();
  auto request = chat_request();
  request.timeout = milliseconds(1'000);
  const auto result = llm.chat(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_TRUE(c_->chats.empty());  // no time left for it
}

TEST_F(LlmGatewayTest, TheGatewayTimeoutAppliesWhenTheRequestSetsNone) {
  LlmGatewayOptions options;
  options.request_timeout = milliseconds(4'321);
  auto llm = gateway(options);
  ASSERT_TRUE(llm.chat(chat_request()));
  EXPECT_EQ(a_->chats.at(0).timeout, milliseconds(4'321));
}

TEST_F(LlmGatewayTest, RecordsTimeToFirstTokenRateAndDurationPerModel) {
  a_->chat_script = [](const ChatRequest& request, const TokenCallback&) -> Result<ChatResult> {
    ChatResult result;
    result.model = request.model;
    result.time_to_first_token = microseconds(250'000);
    result.tokens_per_second = 40.0;
    result.total_time = microseconds(1'000'000);
    return result;
  };
  auto llm = gateway();
  ASSERT_TRUE(llm.chat(chat_request()));
  ASSERT_TRUE(llm.chat(chat_request()));
  EXPECT_EQ(requests("a", "model-a", "ok"), 2);
  EXPECT_TRUE(
      rendered("personae_llm_time_to_first_token_seconds_count{provider=\"a\",model=\"model-a\"} 2\n"));
  EXPECT_TRUE(
      rendered("personae_llm_time_to_first_token_seconds_sum{provider=\"a\",model=\"model-a\"} 0.5\n"));
  EXPECT_TRUE(rendered(
      "personae_llm_time_to_first_token_seconds_bucket{provider=\"a\",model=\"model-a\",le=\"0.25\"} 2\n"));
  EXPECT_TRUE(rendered("personae_llm_tokens_per_second_sum{provider=\"a\",model=\"model-a\"} 80\n"));
  EXPECT_TRUE(rendered("personae_llm_request_duration_seconds_count{provider=\"a\",model=\"model-a\"} 2\n"));
  EXPECT_TRUE(rendered("personae_llm_circuit_open{provider=\"c\"} 0\n"));
}

TEST_F(LlmGatewayTest, GenerateFallsBackLikeChat) {
  a_->generate_error = Error{ErrorCode::kUnavailable, "down", ""};
  auto llm = gateway();
  GenerateRequest request;
  request.prompt = "write";
  const auto result = llm.generate(request, LlmRoute{"a", "big"});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->provider, "b");
  EXPECT_EQ(a_->generates.at(0).model, "big");
  EXPECT_EQ(b_->generates.at(0).model, "model-b");
}

TEST_F(LlmGatewayTest, GenerateStreamsTokensAndIsNotRetriedOnceTheyArrived) {
  auto llm = gateway();
  GenerateRequest request;
  request.prompt = "write";
  std::string seen;
  const auto collect = [&](std::string_view token) {
    seen += token;
    return true;
  };
  const auto result = llm.generate(request, collect);
  ASSERT_TRUE(result);
  EXPECT_EQ(seen, "hello");

  a_->generate_error = Error{ErrorCode::kUnavailable, "cut off", "dropped mid-stream"};
  a_->generate_tokens_before_error = 2;
  seen.clear();
  const auto failed = llm.generate(request, collect);
  ASSERT_FALSE(failed);
  EXPECT_EQ(seen, "toktok");
  EXPECT_TRUE(b_->generates.empty());
  EXPECT_EQ(requests("a", "model-a", "unavailable"), 1);
}

TEST_F(LlmGatewayTest, EmbeddingsNeverSwitchProvider) {
  a_->embed_error = Error{ErrorCode::kUnavailable, "down", ""};
  auto llm = gateway();
  auto result = llm.embed(EmbedRequest{.input = {"text"}});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(b_->embeds.empty());
  EXPECT_EQ(a_->embeds.at(0).model, "model-a");

  result = llm.embed(EmbedRequest{.input = {"text"}}, LlmRoute{"b", "embedder"});
  ASSERT_TRUE(result);
  EXPECT_EQ(b_->embeds.at(0).model, "embedder");
}

TEST_F(LlmGatewayTest, StatusReportsReachabilityModelsAndCircuits) {
  LlmGatewayOptions options;
  options.breaker = {1, milliseconds(10'000)};
  options.status_timeout = milliseconds(1'500);
  b_->list_error = Error{ErrorCode::kUnavailable, "The language model is unavailable.", "connection refused"};
  b_->chat_script = fails(ErrorCode::kUnavailable);
  auto llm = gateway(options);
  ASSERT_TRUE(llm.chat(chat_request(), {}, LlmRoute{"b", ""}));
  clock_.advance(milliseconds(2'500));

  const auto statuses = llm.status();
  ASSERT_EQ(statuses.size(), 3U);
  EXPECT_EQ(statuses[0].name, "a");
  EXPECT_EQ(statuses[0].type, "fake");
  EXPECT_EQ(statuses[0].default_model, "model-a");
  EXPECT_TRUE(statuses[0].reachable);
  ASSERT_EQ(statuses[0].models.size(), 1U);
  EXPECT_EQ(statuses[0].circuit, CircuitState::kClosed);
  EXPECT_FALSE(statuses[1].reachable);
  EXPECT_EQ(statuses[1].error, "The language model is unavailable.");
  EXPECT_EQ(statuses[1].circuit, CircuitState::kOpen);
  EXPECT_EQ(statuses[1].consecutive_failures, 1);
  EXPECT_EQ(statuses[1].retry_in, milliseconds(7'500));
  EXPECT_EQ(a_->list_timeouts.at(0), milliseconds(1'500));
}

TEST_F(LlmGatewayTest, ListsAndPullsGoToTheNamedProvider) {
  auto llm = gateway();
  ASSERT_TRUE(llm.list_models("c"));
  EXPECT_EQ(c_->list_timeouts.size(), 1U);
  EXPECT_EQ(llm.list_models("zzz").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(llm.pull("b", PullRequest{.model = "llama3"}));
  EXPECT_EQ(b_->pulls, (std::vector<std::string>{"llama3"}));
  EXPECT_EQ(llm.pull("zzz", PullRequest{.model = "llama3"}).error().code, ErrorCode::kNotFound);
}

TEST(LlmGateway, AnEmptyChainFailsEveryCallAsNotConfigured) {
  ManualClock clock;
  LlmGateway llm({}, {}, clock);
  const auto result = llm.chat(chat_request());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(llm.status().empty());
}

TEST(LlmGateway, RefusesDuplicateNamesAndNullProviders) {
  ManualClock clock;
  auto one = std::make_shared<FakeProvider>("same", "m");
  auto two = std::make_shared<FakeProvider>("same", "n");
  EXPECT_THROW(LlmGateway({one, two}, {}, clock), std::invalid_argument);
  EXPECT_THROW(LlmGateway({one, nullptr}, {}, clock), std::invalid_argument);
  EXPECT_THROW(LlmGateway({one}, LlmGatewayOptions{.request_timeout = milliseconds(0)}, clock),
               std::invalid_argument);
}

}  // namespace
}  // namespace personae::llm

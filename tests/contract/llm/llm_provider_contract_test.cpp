// The LlmProvider contract: every test runs unchanged against OllamaLlmProvider + OllamaSimulator
// and OpenAiLlmProvider + OpenAiSimulator. What differs by protocol is only where a setting shows
// up in the recorded request body.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/http_client/http_client.hpp"
#include "adapters/llm/ollama_llm_provider.hpp"
#include "adapters/llm/openai_llm_provider.hpp"
#include "ports/llm_provider.hpp"
#include "tests/fakes/llm_simulator.hpp"

namespace personae::llm {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing::LlmFault;
using testing::LlmSimulator;
using testing::SimulatedModel;
using Protocol = LlmSimulator::Protocol;

std::string joined(const std::vector<std::string>& pieces) {
  std::string text;
  for (const auto& piece : pieces) text += piece;
  return text;
}

milliseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
}

class LlmProviderContract : public ::testing::TestWithParam<Protocol> {
 protected:
  void SetUp() override {
    if (ollama()) {
      simulator_ = std::make_unique<testing::OllamaSimulator>();
    } else {
      simulator_ = std::make_unique<testing::OpenAiSimulator>();
    }
    provider_ = make_provider();
  }

  static bool ollama() { return GetParam() == Protocol::kOllama; }
  static std::string chat_path() { return ollama() ? "/api/chat" : "/v1/chat/completions"; }

  std::unique_ptr<LlmProvider> make_provider(milliseconds timeout = milliseconds(5'000)) {
    if (ollama()) {
      OllamaOptions options;
      options.name = "local-ollama";
      options.base_url = simulator_->base_url();
      options.default_model = std::string(LlmSimulator::kDefaultModel);
      options.timeout = timeout;
      return std::make_unique<OllamaLlmProvider>(options, client_);
    }
    OpenAiOptions options;
    options.name = "local-openai";
    options.base_url = simulator_->base_url();
    options.default_model = std::string(LlmSimulator::kDefaultModel);
    options.timeout = timeout;
    return std::make_unique<OpenAiLlmProvider>(options, client_);
  }

  static ChatRequest chat(std::string text = "hello there friend") {
    ChatRequest request;
    request.messages = {{Role::kUser, std::move(text)}};
    return request;
  }

  /// Streams a chat, collecting the pieces.
  Result<ChatResult> stream(const ChatRequest& request, std::vector<std::string>& pieces) {
    return provider_->chat(request, [&](std::string_view piece) {
      pieces.emplace_back(piece);
      return true;
    });
  }

  static void expect_failure(const Result<ChatResult>& result, ErrorCode code,
                             const std::string& message = {}) {
    ASSERT_FALSE(result) << "expected a failure, got: " << result->content;
    EXPECT_EQ(result.error().code, code) << result.error().detail;
    if (!message.empty()) {
      EXPECT_EQ(result.error().message, message) << result.error().detail;
    }
    EXPECT_FALSE(result.error().detail.empty());
  }

  outbound::HttpClient client_;
  std::unique_ptr<LlmSimulator> simulator_;
  std::unique_ptr<LlmProvider> provider_;
};

TEST_P(LlmProviderContract, StreamsTheReplyInOrder) {
  std::vector<std::string> pieces;
  const auto result = stream(chat(), pieces);
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(pieces, LlmSimulator::default_reply());
  EXPECT_EQ(result->content, "The quick brown fox jumps over the lazy dog.");
  EXPECT_EQ(result->model, LlmSimulator::kDefaultModel);
  EXPECT_EQ(result->provider, provider_->name());
  EXPECT_EQ(result->done_reason, "stop");
  EXPECT_EQ(result->prompt_tokens, 3);
  EXPECT_EQ(result->completion_tokens, 10);
  EXPECT_EQ(result->streamed_pieces, 10);
  ASSERT_TRUE(result->time_to_first_token);
  EXPECT_GE(result->total_time, *result->time_to_first_token);
  EXPECT_FALSE(result->cancelled);
}

TEST_P(LlmProviderContract, AnUnscriptedModelEchoesTheLastUserMessage) {
  simulator_->add_model(SimulatedModel{.name = "echo"});
  auto request = chat("repeat after me please");
  request.model = "echo";
  std::vector<std::string> pieces;
  const auto result = stream(request, pieces);
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(pieces, (std::vector<std::string>{"repeat", " after", " me", " please"}));
  EXPECT_EQ(result->model, "echo");
}

TEST_P(LlmProviderContract, ForwardsMessagesAndOptions) {
  ChatRequest request;
  request.messages = {{Role::kSystem, "You are Mila."},
                      {Role::kUser, "Hi"},
                      {Role::kAssistant, "Hello!"},
                      {Role::kUser, "Plans today?"}};
  request.options.temperature = 0.25;
  request.options.context_size = 8192;
  request.options.seed = 42;
  request.options.max_tokens = 100;
  request.options.top_p = 0.5;
  request.options.stop = {"\n\n"};
  request.options.keep_alive = "5m";
  ASSERT_TRUE(provider_->chat(request, {}));

  const auto body = simulator_->last_body(chat_path());
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)["model"], LlmSimulator::kDefaultModel);
  EXPECT_EQ((*body)["stream"], true);
  const json messages = json::array({{{"role", "system"}, {"content", "You are Mila."}},
                                     {{"role", "user"}, {"content", "Hi"}},
                                     {{"role", "assistant"}, {"content", "Hello!"}},
                                     {{"role", "user"}, {"content", "Plans today?"}}});
  EXPECT_EQ((*body)["messages"], messages);
  if (ollama()) {
    const json options = {{"temperature", 0.25}, {"num_ctx", 8192}, {"seed", 42},
                          {"num_predict", 100},  {"top_p", 0.5},    {"stop", {"\n\n"}}};
    EXPECT_EQ((*body)["options"], options);
    EXPECT_EQ((*body)["keep_alive"], "5m");
  } else {
    EXPECT_EQ((*body)["temperature"], 0.25);
    EXPECT_EQ((*body)["seed"], 42);
    EXPECT_EQ((*body)["max_tokens"], 100);
    EXPECT_EQ((*body)["top_p"], 0.5);
    EXPECT_EQ((*body)["stop"], json({"\n\n"}));
    EXPECT_EQ((*body)["stream_options"], json({{"include_usage", true}}));
    // Not settable through this protocol: never sent.
    EXPECT_FALSE(body->contains("num_ctx"));
    EXPECT_FALSE(body->contains("keep_alive"));
  }
}

TEST_P(LlmProviderContract, MaxTokensEndsTheReplyWithLength) {
  auto request = chat();
  request.options.max_tokens = 3;
  const auto result = provider_->chat(request, {});
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->content, "The quick brown");
  EXPECT_EQ(result->done_reason, "length");
  EXPECT_EQ(result->completion_tokens, 3);
}

TEST_P(LlmProviderContract, StructuredOutputSendsTheSchemaAndReturnsJson) {
  const std::string reply = R"({"caption":"Sunny day at the beach","hashtags":["beach","summer"]})";
  simulator_->add_model(SimulatedModel{.name = "captioner", .structured_reply = reply});
  const json schema = {{"type", "object"},
                       {"properties", {{"caption", {{"type", "string"}}}, {"hashtags", {{"type", "array"}}}}},
                       {"required", {"caption"}}};
  auto request = chat("Write a caption");
  request.model = "captioner";
  request.json_schema = schema.dump();
  request.schema_name = "caption";
  std::vector<std::string> pieces;
  const auto result = stream(request, pieces);
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->content, reply);
  EXPECT_GT(pieces.size(), 1U);  // streamed like any reply

  const auto body = simulator_->last_body(chat_path());
  ASSERT_TRUE(body);
  if (ollama()) {
    EXPECT_EQ((*body)["format"], schema);
  } else {
    const json format = {{"type", "json_schema"},
                         {"json_schema", {{"name", "caption"}, {"schema", schema}, {"strict", true}}}};
    EXPECT_EQ((*body)["response_format"], format);
  }
}

TEST_P(LlmProviderContract, JsonOfTheWrongShapeIsDetected) {
  simulator_->set_fault({.fault = LlmFault::kWrongSchema});
  const std::string schema =
      R"({"type":"object","properties":{"caption":{"type":"string"}},"required":["caption"]})";
  auto request = chat();
  request.json_schema = schema;
  const auto result = provider_->chat(request, {});
  expect_failure(result, ErrorCode::kUnavailable, "the model's answer does not match the requested schema");
  EXPECT_NE(result.error().detail.find("$.caption: required"), std::string::npos) << result.error().detail;

  GenerateRequest generate;
  generate.prompt = "caption";
  generate.json_schema = schema;
  expect_failure(provider_->generate(generate), ErrorCode::kUnavailable,
                 "the model's answer does not match the requested schema");

  // The same reply passes a schema it does fit: only the shape is checked.
  request.json_schema =
      R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"integer"}}}})";
  const auto fits = provider_->chat(request, {});
  ASSERT_TRUE(fits) << fits.error().detail;
  EXPECT_EQ(json::parse(fits->content)["unexpected"], "shape");
}

TEST_P(LlmProviderContract, StructuredOutputThatIsNotJsonFails) {
  simulator_->set_fault({.fault = LlmFault::kInvalidStructuredJson});
  auto request = chat();
  request.json_schema = R"({"type":"object"})";
  expect_failure(provider_->chat(request, {}), ErrorCode::kUnavailable,
                 "the model did not return valid JSON");

  GenerateRequest generate;
  generate.prompt = "caption";
  generate.json_schema = R"({"type":"object"})";
  expect_failure(provider_->generate(generate), ErrorCode::kUnavailable,
                 "the model did not return valid JSON");
}

TEST_P(LlmProviderContract, ASchemaThatIsNotAnObjectIsRefusedBeforeSending) {
  auto request = chat();
  request.json_schema = "[1, 2]";
  expect_failure(provider_->chat(request, {}), ErrorCode::kInvalidArgument);
  expect_failure(provider_->chat(ChatRequest{}, {}), ErrorCode::kInvalidArgument);  // no messages
  EXPECT_EQ(simulator_->request_count(), 0U);
}

TEST_P(LlmProviderContract, ListsModels) {
  simulator_->add_model(SimulatedModel{.name = "big-model",
                                       .size_bytes = 40'000'000'000,
                                       .family = "qwen2",
                                       .parameter_size = "32B",
                                       .loaded = false});
  const auto models = provider_->list_models(milliseconds(2'000));
  ASSERT_TRUE(models) << models.error().detail;
  ASSERT_EQ(models->size(), 2U);
  EXPECT_EQ((*models)[0].name, LlmSimulator::kDefaultModel);
  EXPECT_EQ((*models)[1].name, "big-model");
  EXPECT_FALSE((*models)[1].modified.empty());
  if (ollama()) {
    EXPECT_EQ((*models)[1].size_bytes, 40'000'000'000U);
    EXPECT_EQ((*models)[1].family, "qwen2");
    EXPECT_EQ((*models)[1].parameter_size, "32B");
    EXPECT_EQ((*models)[1].quantization, "Q4_K_M");
    EXPECT_EQ((*models)[0].loaded, true);
    EXPECT_EQ((*models)[1].loaded, false);
  } else {
    EXPECT_FALSE((*models)[1].loaded);
  }
}

TEST_P(LlmProviderContract, EmbedsEachInputDeterministically) {
  const auto first = provider_->embed({.input = {"a sunny beach", "a rainy city", "a sunny beach"}});
  ASSERT_TRUE(first) << first.error().detail;
  ASSERT_EQ(first->embeddings.size(), 3U);
  EXPECT_EQ(first->embeddings[0].size(), 8U);
  EXPECT_EQ(first->embeddings[0], first->embeddings[2]);
  EXPECT_NE(first->embeddings[0], first->embeddings[1]);
  EXPECT_EQ(first->model, LlmSimulator::kDefaultModel);
  EXPECT_EQ(first->provider, provider_->name());
  EXPECT_EQ(first->prompt_tokens, 9);

  EXPECT_EQ(provider_->embed({.model = "missing", .input = {"x"}}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(provider_->embed({.input = {}}).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(LlmProviderContract, PullsWithProgressWhereTheProtocolHasIt) {
  std::vector<std::string> statuses;
  std::optional<std::uint64_t> last_completed;
  const auto result = provider_->pull({.model = "fresh-model"}, [&](const PullProgress& progress) {
    statuses.push_back(progress.status);
    if (progress.completed) last_completed = progress.completed;
    return true;
  });
  if (!ollama()) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(result.error().message, "not supported by this provider type");
    EXPECT_TRUE(statuses.empty());
    return;
  }
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->status, "success");
  ASSERT_EQ(statuses.size(), 7U);
  EXPECT_EQ(statuses.front(), "pulling manifest");
  EXPECT_EQ(statuses.back(), "success");
  EXPECT_EQ(last_completed, 3'000'000U);
  const auto models = provider_->list_models(milliseconds(2'000));
  ASSERT_TRUE(models);
  EXPECT_EQ(models->back().name, "fresh-model");

  simulator_->set_fault({.fault = LlmFault::kErrorLine, .after_tokens = 2});
  EXPECT_EQ(provider_->pull({.model = "other"}, {}).error().code, ErrorCode::kUnavailable);
  simulator_->set_fault({.fault = LlmFault::kTruncate, .after_tokens = 3});
  EXPECT_EQ(provider_->pull({.model = "other"}, {}).error().code, ErrorCode::kUnavailable);
  simulator_->clear_fault();
  int seen = 0;
  const auto stopped = provider_->pull({.model = "other"}, [&](const PullProgress&) { return ++seen < 2; });
  ASSERT_TRUE(stopped);
  EXPECT_TRUE(stopped->cancelled);
}

TEST_P(LlmProviderContract, GenerateStreamsTheCompletionOfAPromptWithTheSystemText) {
  simulator_->add_model(SimulatedModel{.name = "echo"});
  GenerateRequest request;
  request.model = "echo";
  request.prompt = "describe the sea";
  request.system = "Be brief.";
  request.options.temperature = 0.1;
  std::vector<std::string> pieces;
  const auto result = provider_->generate(request, [&](std::string_view piece) {
    pieces.emplace_back(piece);
    return true;
  });
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(pieces, (std::vector<std::string>{"describe", " the", " sea"}));
  EXPECT_EQ(result->content, "describe the sea");
  EXPECT_EQ(result->model, "echo");
  EXPECT_EQ(result->provider, provider_->name());
  EXPECT_EQ(result->done_reason, "stop");
  EXPECT_EQ(result->completion_tokens, 3);
  EXPECT_EQ(result->streamed_pieces, 3);
  EXPECT_TRUE(result->time_to_first_token);

  if (ollama()) {
    const auto body = simulator_->last_body("/api/generate");
    ASSERT_TRUE(body);
    EXPECT_EQ((*body)["prompt"], "describe the sea");
    EXPECT_EQ((*body)["system"], "Be brief.");
    EXPECT_EQ((*body)["stream"], true);
    EXPECT_EQ((*body)["options"]["temperature"], 0.1);
    EXPECT_TRUE(simulator_->requests_to("/api/chat").empty());
  } else {
    const auto body = simulator_->last_body("/v1/chat/completions");
    ASSERT_TRUE(body);
    EXPECT_EQ((*body)["stream"], true);
    EXPECT_EQ((*body)["temperature"], 0.1);
    EXPECT_EQ((*body)["messages"], json::array({{{"role", "system"}, {"content", "Be brief."}},
                                                {{"role", "user"}, {"content", "describe the sea"}}}));
  }
  // Without a callback: the same completion.
  const auto quiet = provider_->generate(request);
  ASSERT_TRUE(quiet) << quiet.error().detail;
  EXPECT_EQ(quiet->content, "describe the sea");
  EXPECT_EQ(provider_->generate(GenerateRequest{}).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(LlmProviderContract, GenerateForwardsOptionsKeepAliveAndTheSchema) {
  GenerateRequest request;
  request.prompt = "caption this";
  request.options.temperature = 0.7;
  request.options.context_size = 16384;
  request.options.seed = 7;
  request.options.keep_alive = "-1";
  request.json_schema = R"({"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]})";
  request.schema_name = "flag";
  const auto result = provider_->generate(request);
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(json::parse(result->content), json({{"ok", true}}));
  if (ollama()) {
    const auto body = simulator_->last_body("/api/generate");
    ASSERT_TRUE(body);
    EXPECT_EQ((*body)["options"], json({{"temperature", 0.7}, {"num_ctx", 16384}, {"seed", 7}}));
    EXPECT_EQ((*body)["keep_alive"], -1);  // a number: "-1" as a string would be refused
    EXPECT_EQ((*body)["format"], json::parse(*request.json_schema));
  } else {
    const auto body = simulator_->last_body("/v1/chat/completions");
    ASSERT_TRUE(body);
    EXPECT_EQ((*body)["temperature"], 0.7);
    EXPECT_EQ((*body)["seed"], 7);
    EXPECT_FALSE(body->contains("num_ctx"));
    EXPECT_FALSE(body->contains("keep_alive"));
    EXPECT_EQ((*body)["response_format"]["json_schema"]["name"], "flag");
  }
}

TEST_P(LlmProviderContract, EmbedSendsKeepAliveWhereTheProtocolHasIt) {
  ASSERT_TRUE(provider_->embed({.input = {"x"}, .keep_alive = "10m"}));
  const auto body = simulator_->last_body(ollama() ? "/api/embed" : "/v1/embeddings");
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)["input"], json({"x"}));
  if (ollama()) {
    EXPECT_EQ((*body)["keep_alive"], "10m");
  } else {
    EXPECT_FALSE(body->contains("keep_alive"));
  }
}

TEST_P(LlmProviderContract, AnErrorInsideA200GenerateStreamIsUnavailable) {
  simulator_->set_fault({.fault = LlmFault::kErrorLine, .after_tokens = 2});
  GenerateRequest request;
  request.prompt = "go";
  std::vector<std::string> pieces;
  expect_failure(provider_->generate(request,
                                     [&](std::string_view piece) {
                                       pieces.emplace_back(piece);
                                       return true;
                                     }),
                 ErrorCode::kUnavailable, "The language model failed while answering.");
  EXPECT_EQ(pieces.size(), 2U);
  EXPECT_EQ(simulator_->requests_to(ollama() ? "/api/generate" : "/v1/chat/completions").size(), 1U);
}

TEST_P(LlmProviderContract, GenerateStopsWhenCancelledMidStream) {
  simulator_->add_model(SimulatedModel{.name = "long", .tokens = std::vector<std::string>(100, " word")});
  simulator_->set_token_delay(milliseconds(30));
  GenerateRequest request;
  request.model = "long";
  request.prompt = "go";
  int seen = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto result = provider_->generate(request, [&](std::string_view) { return ++seen < 4; });
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_TRUE(result->cancelled);
  EXPECT_EQ(result->content, " word word word word");
  EXPECT_LT(since(start), milliseconds(1'500));  // the whole stream would take 3 s
}

TEST_P(LlmProviderContract, AnErrorInsideA200StreamIsUnavailable) {
  simulator_->set_fault({.fault = LlmFault::kErrorLine, .after_tokens = 3});
  std::vector<std::string> pieces;
  expect_failure(stream(chat(), pieces), ErrorCode::kUnavailable,
                 "The language model failed while answering.");
  EXPECT_EQ(pieces.size(), 3U);
}

TEST_P(LlmProviderContract, MalformedJsonIsABadGateway) {
  simulator_->set_fault({.fault = LlmFault::kMalformedJson, .after_tokens = 2});
  expect_failure(provider_->chat(chat(), {}), ErrorCode::kUnavailable,
                 "The language model returned a malformed answer.");
  GenerateRequest request;
  request.prompt = "x";
  expect_failure(provider_->generate(request), ErrorCode::kUnavailable,
                 "The language model returned a malformed answer.");
}

TEST_P(LlmProviderContract, AServerErrorIsUnavailable) {
  simulator_->set_fault({.fault = LlmFault::kHttp500});
  expect_failure(provider_->chat(chat(), {}), ErrorCode::kUnavailable);
  GenerateRequest request;
  request.prompt = "x";
  expect_failure(provider_->generate(request), ErrorCode::kUnavailable);
  EXPECT_EQ(provider_->embed({.input = {"x"}}).error().code, ErrorCode::kUnavailable);
  // Model lists answer unless the whole server is down.
  EXPECT_TRUE(provider_->list_models(milliseconds(2'000)));
  simulator_->set_fault({.fault = LlmFault::kHttp500, .all_endpoints = true});
  EXPECT_EQ(provider_->list_models(milliseconds(2'000)).error().code, ErrorCode::kUnavailable);
}

TEST_P(LlmProviderContract, TooManyRequestsIsResourceExhaustedWithRetryAfter) {
  simulator_->set_fault({.fault = LlmFault::kHttp429, .retry_after_seconds = 7, .times = 1});
  const auto result = provider_->chat(chat(), {});
  expect_failure(result, ErrorCode::kResourceExhausted);
  EXPECT_EQ(result.error().retry_after, milliseconds(7'000));
  EXPECT_TRUE(provider_->chat(chat(), {}));  // once only
}

TEST_P(LlmProviderContract, ADroppedConnectionIsUnavailable) {
  simulator_->set_fault({.fault = LlmFault::kDropConnection, .after_tokens = 4});
  expect_failure(provider_->chat(chat(), {}), ErrorCode::kUnavailable);
}

TEST_P(LlmProviderContract, AStreamWithoutItsEndIsUnavailable) {
  simulator_->set_fault({.fault = LlmFault::kTruncate, .after_tokens = 5});
  std::vector<std::string> pieces;
  expect_failure(stream(chat(), pieces), ErrorCode::kUnavailable, "The language model's answer was cut off.");
  EXPECT_EQ(pieces.size(), 5U);
}

TEST_P(LlmProviderContract, AnUnknownModelIsNotFound) {
  auto request = chat();
  request.model = "no-such-model";
  const auto result = provider_->chat(request, {});
  expect_failure(result, ErrorCode::kNotFound);
  EXPECT_NE(result.error().message.find("no-such-model"), std::string::npos);
  GenerateRequest generate;
  generate.model = "no-such-model";
  generate.prompt = "x";
  expect_failure(provider_->generate(generate), ErrorCode::kNotFound);
}

TEST_P(LlmProviderContract, AHangingServerFailsAtTheDeadline) {
  simulator_->set_fault({.fault = LlmFault::kHang});
  auto request = chat();
  request.timeout = milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  expect_failure(provider_->chat(request, {}), ErrorCode::kDeadlineExceeded,
                 "The language model did not answer in time.");
  EXPECT_GE(since(start), milliseconds(280));
  EXPECT_LT(since(start), milliseconds(3'000));
}

TEST_P(LlmProviderContract, TheProvidersTimeoutCapsALongerRequestTimeout) {
  provider_ = make_provider(milliseconds(300));
  simulator_->set_fault({.fault = LlmFault::kHang});
  auto request = chat();
  request.timeout = milliseconds(60'000);
  const auto start = std::chrono::steady_clock::now();
  expect_failure(provider_->chat(request, {}), ErrorCode::kDeadlineExceeded);
  EXPECT_LT(since(start), milliseconds(3'000));
}

TEST_P(LlmProviderContract, SlowTokensFailAtTheDeadlineMidStream) {
  simulator_->set_token_delay(milliseconds(100));
  auto request = chat();
  request.timeout = milliseconds(450);
  std::vector<std::string> pieces;
  const auto start = std::chrono::steady_clock::now();
  expect_failure(stream(request, pieces), ErrorCode::kDeadlineExceeded);
  EXPECT_GE(pieces.size(), 1U);
  EXPECT_LT(pieces.size(), 10U);
  EXPECT_LT(since(start), milliseconds(3'000));
}

TEST_P(LlmProviderContract, ReturningFalseCancelsAtOnce) {
  simulator_->add_model(SimulatedModel{.name = "long", .tokens = std::vector<std::string>(100, " word")});
  simulator_->set_token_delay(milliseconds(50));
  auto request = chat();
  request.model = "long";
  std::vector<std::string> pieces;
  const auto start = std::chrono::steady_clock::now();
  const auto result = provider_->chat(request, [&](std::string_view piece) {
    pieces.emplace_back(piece);
    return pieces.size() < 3;
  });
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_TRUE(result->cancelled);
  EXPECT_EQ(result->done_reason, "cancelled");
  EXPECT_EQ(result->content, " word word word");
  EXPECT_EQ(pieces.size(), 3U);
  EXPECT_LT(since(start), milliseconds(1'000));  // the whole stream would take 5 s
}

// Runs `request`, cancelling its token from another thread after `delay`.
Result<ChatResult> chat_cancelled_after(LlmProvider& provider, const ChatRequest& request,
                                        milliseconds delay) {
  const CancellationToken token = request.cancellation;
  std::thread canceller([token, delay] {
    std::this_thread::sleep_for(delay);
    token.cancel();
  });
  auto result = provider.chat(request, {});
  canceller.join();
  return result;
}

TEST_P(LlmProviderContract, ACancellationTokenStopsTheStreamFromAnotherThread) {
  simulator_->add_model(SimulatedModel{.name = "long", .tokens = std::vector<std::string>(100, " word")});
  simulator_->set_token_delay(milliseconds(30));
  auto request = chat();
  request.model = "long";
  const auto start = std::chrono::steady_clock::now();
  const auto result = chat_cancelled_after(*provider_, request, milliseconds(200));
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_TRUE(result->cancelled);
  EXPECT_LT(result->content.size(), std::string(" word").size() * 100);
  EXPECT_LT(since(start), milliseconds(1'500));  // the whole stream would take 3 s
}

TEST_P(LlmProviderContract, ACancellationTokenStopsACallWhileTheModelIsSilent) {
  // A model that loads for a long time before its first token: the head, then nothing.
  provider_ = make_provider(milliseconds(30'000));
  simulator_->set_token_delay(milliseconds(10'000));
  const auto start = std::chrono::steady_clock::now();
  const auto result = chat_cancelled_after(*provider_, chat(), milliseconds(200));
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_TRUE(result->cancelled);
  EXPECT_EQ(result->done_reason, "cancelled");
  EXPECT_TRUE(result->content.empty());
  EXPECT_EQ(simulator_->pieces_written(), 0);
  // Noticed within about a second of silence, not at the first token (10 s) or the timeout (30 s).
  EXPECT_LT(since(start), milliseconds(3'000));
}

TEST_P(LlmProviderContract, ACancelledRequestSendsNothing) {
  auto request = chat();
  request.cancellation.cancel();
  const auto result = provider_->chat(request, {});
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->cancelled);
  EXPECT_TRUE(result->content.empty());
  EXPECT_EQ(simulator_->request_count(), 0U);
}

TEST_P(LlmProviderContract, TokensCutAcrossChunksArriveWhole) {
  const std::vector<std::string> tokens = {"Caf\xC3\xA9", " na\xC3\xAFve", " \xE6\x97\xA5\xE6\x9C\xAC",
                                           " \xF0\x9F\x8C\x8A", "!"};
  simulator_->add_model(SimulatedModel{.name = "utf8", .tokens = tokens});
  simulator_->set_split_bytes(3);
  auto request = chat();
  request.model = "utf8";
  std::vector<std::string> pieces;
  const auto result = stream(request, pieces);
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(pieces, tokens);
  EXPECT_EQ(result->content, joined(tokens));
}

TEST_P(LlmProviderContract, AMessageLongerThanAReadArrivesWhole) {
  const std::string long_token(200'000, 'x');
  simulator_->add_model(SimulatedModel{.name = "long", .tokens = {"start ", long_token, " end"}});
  auto request = chat();
  request.model = "long";
  std::vector<std::string> pieces;
  const auto result = stream(request, pieces);
  ASSERT_TRUE(result) << result.error().detail;
  ASSERT_EQ(pieces.size(), 3U);
  EXPECT_EQ(pieces[1], long_token);
}

TEST_P(LlmProviderContract, ManyMessagesInOneReadAreAllHandedOver) {
  simulator_->set_messages_per_chunk(100);
  std::vector<std::string> pieces;
  const auto result = stream(chat(), pieces);
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(pieces, LlmSimulator::default_reply());
}

TEST_P(LlmProviderContract, ProtocolNoiseIsSkipped) {
  // OpenAI: keep-alive comments, id and event fields, data over two lines, CRLF; Ollama: blank
  // lines and CRLF.
  simulator_->set_noise(true);
  simulator_->set_split_bytes(7);
  std::vector<std::string> pieces;
  const auto result = stream(chat(), pieces);
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(pieces, LlmSimulator::default_reply());
  EXPECT_EQ(result->completion_tokens, 10);
}

TEST_P(LlmProviderContract, ConcurrentCallsDoNotInterfere) {
  simulator_->add_model(SimulatedModel{.name = "echo"});
  std::vector<std::thread> threads;
  std::vector<std::string> answers(6);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    threads.emplace_back([&, i] {
      auto request = chat("caller number " + std::to_string(i));
      request.model = "echo";
      const auto result = provider_->chat(request, {});
      answers[i] = result ? result->content : "error: " + result.error().detail;
    });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t i = 0; i < answers.size(); ++i)
    EXPECT_EQ(answers[i], "caller number " + std::to_string(i));
}

INSTANTIATE_TEST_SUITE_P(Providers, LlmProviderContract,
                         ::testing::Values(Protocol::kOllama, Protocol::kOpenAi),
                         [](const ::testing::TestParamInfo<Protocol>& info) {
                           return info.param == Protocol::kOllama ? std::string("Ollama")
                                                                  : std::string("OpenAi");
                         });

}  // namespace
}  // namespace personae::llm

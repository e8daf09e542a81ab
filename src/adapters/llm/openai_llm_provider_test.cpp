// OpenAI-compatible specifics against hand-written answers; the behaviour both adapters share is
// in the contract suite (tests/contract/llm), against the simulators.
#include "adapters/llm/openai_llm_provider.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/fake_http_server.hpp"

namespace personae::llm {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing::FakeExchange;
using testing::FakeHttpServer;
using testing::FakeRequest;
using testing::respond_with;

OpenAiOptions options_for(const FakeHttpServer& server, const std::string& suffix = "") {
  OpenAiOptions options;
  options.name = "gpu";
  options.base_url = server.url(suffix);
  options.default_model = "qwen";
  options.timeout = milliseconds(5000);
  return options;
}

ChatRequest chat_request() {
  ChatRequest request;
  request.messages = {{Role::kUser, "hello"}};
  return request;
}

testing::FakeHandler sse(std::string body) {
  return [body = std::move(body)](const FakeRequest&, FakeExchange& exchange) {
    exchange.respond(200, body, {{"Content-Type", "text/event-stream"}});
  };
}

std::string token_event(std::string_view content) {
  return "data: " +
         json{{"choices",
               json::array({{{"index", 0}, {"delta", {{"content", content}}}, {"finish_reason", nullptr}}})}}
             .dump() +
         "\n\n";
}

std::string finish_event() {
  return R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
         "\n\n";
}

TEST(OpenAiLlmProvider, AcceptsTheRootOrTheV1BaseUrl) {
  FakeHttpServer server(sse(token_event("hi") + finish_event() + "data: [DONE]\n\n"));
  outbound::HttpClient client;
  OpenAiLlmProvider root(options_for(server), client);
  OpenAiLlmProvider v1(options_for(server, "/v1/"), client);
  ASSERT_TRUE(root.chat(chat_request(), {}));
  ASSERT_TRUE(v1.chat(chat_request(), {}));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(requests[0].path, "/v1/chat/completions");
  EXPECT_EQ(requests[1].path, "/v1/chat/completions");
  EXPECT_EQ(requests[0].header("Accept"), "text/event-stream");
}

TEST(OpenAiLlmProvider, SendsTheApiKeyAsBearerAndReportsRefusedCredentials) {
  FakeHttpServer server(respond_with(401, R"({"error":{"message":"Incorrect API key provided."}})"));
  outbound::HttpClient client;
  auto options = options_for(server);
  options.api_key = "sk-test-123";
  OpenAiLlmProvider provider(options, client);
  const auto result = provider.chat(chat_request(), {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().message, "The language model refused our credentials.");
  EXPECT_EQ(result.error().detail.find("sk-test-123"), std::string::npos);
  EXPECT_EQ(server.requests().at(0).header("Authorization"), "Bearer sk-test-123");
}

TEST(OpenAiLlmProvider, AcceptsAStreamThatEndsAfterItsFinishReasonWithoutDone) {
  FakeHttpServer server(sse(token_event("a") + token_event("b") + finish_event()));
  outbound::HttpClient client;
  OpenAiLlmProvider provider(options_for(server), client);
  const auto result = provider.chat(chat_request(), {});
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->content, "ab");
  EXPECT_EQ(result->done_reason, "stop");
}

TEST(OpenAiLlmProvider, ErrorEventsAndErrorObjectsFailTheCall) {
  FakeHttpServer server;
  outbound::HttpClient client;
  OpenAiLlmProvider provider(options_for(server), client);
  for (const std::string& failure :
       {std::string("event: error\ndata: {\"message\":\"overloaded\"}\n\n"),
        std::string("data: {\"object\":\"error\",\"message\":\"vllm failed\"}\n\n"),
        std::string("data: {\"error\":{\"message\":\"llama.cpp failed\"}}\n\n")}) {
    server.set_handler(sse(token_event("a") + failure));
    const auto result = provider.chat(chat_request(), {});
    ASSERT_FALSE(result) << failure;
    EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(result.error().message, "The language model failed while answering.");
  }
}

TEST(OpenAiLlmProvider, AnEventOfAnotherShapeIsABadGateway) {
  FakeHttpServer server(sse("data: {\"hello\":1}\n\n"));
  outbound::HttpClient client;
  OpenAiLlmProvider provider(options_for(server), client);
  const auto result = provider.chat(chat_request(), {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "The language model returned a malformed answer.");
}

TEST(OpenAiLlmProvider, SendsWhatTheProtocolHasAndNothingElse) {
  FakeHttpServer server(sse(finish_event()));
  outbound::HttpClient client;
  auto options = options_for(server);
  options.include_usage = false;
  OpenAiLlmProvider provider(options, client);
  auto request = chat_request();
  request.options.context_size = 8192;
  request.options.keep_alive = "10m";
  request.options.top_p = 0.9;
  ASSERT_TRUE(provider.chat(request, {}));
  const auto body = json::parse(server.requests().at(0).body);
  EXPECT_FALSE(body.contains("stream_options"));
  EXPECT_FALSE(body.contains("num_ctx"));
  EXPECT_FALSE(body.contains("options"));
  EXPECT_FALSE(body.contains("keep_alive"));
  EXPECT_EQ(body["top_p"], 0.9);
  EXPECT_EQ(body["model"], "qwen");
}

TEST(OpenAiLlmProvider, ReadsLlamaCppModelMetadata) {
  FakeHttpServer server(respond_with(
      200,
      R"({"object":"list","data":[{"id":"model.gguf","object":"model","created":1767225600,"owned_by":"llamacpp","meta":{"size":123456}}]})"));
  outbound::HttpClient client;
  OpenAiLlmProvider provider(options_for(server), client);
  const auto models = provider.list_models(milliseconds(2000));
  ASSERT_TRUE(models) << models.error().detail;
  ASSERT_EQ(models->size(), 1U);
  EXPECT_EQ((*models)[0].name, "model.gguf");
  EXPECT_EQ((*models)[0].size_bytes, 123456U);
  EXPECT_EQ((*models)[0].modified, "2026-01-01T00:00:00Z");
  EXPECT_FALSE((*models)[0].loaded);
}

TEST(OpenAiLlmProvider, PutsEmbeddingsBackInInputOrder) {
  FakeHttpServer server(respond_with(
      200,
      R"({"data":[{"index":1,"embedding":[2.0]},{"index":0,"embedding":[1.0]}],"model":"e5","usage":{"prompt_tokens":4}})"));
  outbound::HttpClient client;
  OpenAiLlmProvider provider(options_for(server), client);
  const auto result = provider.embed({.model = "e5", .input = {"first", "second"}});
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->embeddings, (std::vector<std::vector<float>>{{1.0F}, {2.0F}}));
  EXPECT_EQ(result->prompt_tokens, 4);

  server.set_handler(
      respond_with(200, R"({"data":[{"index":0,"embedding":[1.0]},{"index":0,"embedding":[2.0]}]})"));
  EXPECT_EQ(provider.embed({.model = "e5", .input = {"first", "second"}}).error().code,
            ErrorCode::kUnavailable);
}

TEST(OpenAiLlmProvider, CannotPull) {
  FakeHttpServer server;
  outbound::HttpClient client;
  OpenAiLlmProvider provider(options_for(server), client);
  const auto result = provider.pull({.model = "llama3"}, {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(result.error().message, "not supported by this provider type");
  EXPECT_EQ(server.request_count(), 0U);
}

}  // namespace
}  // namespace personae::llm

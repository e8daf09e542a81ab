// Ollama-specific behaviour against hand-written answers; the behaviour both adapters share is in
// the contract suite (tests/contract/llm), against the simulators.
#include "adapters/llm/ollama_llm_provider.hpp"

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

constexpr std::string_view kPrompt = "PROMPT-CANARY-7f3a tell me a secret";

OllamaOptions options_for(const FakeHttpServer& server) {
  OllamaOptions options;
  options.name = "local";
  options.base_url = server.url("");
  options.default_model = "llama3";
  options.timeout = milliseconds(5000);
  return options;
}

ChatRequest chat_request() {
  ChatRequest request;
  request.messages = {{Role::kUser, std::string(kPrompt)}};
  return request;
}

testing::FakeHandler stream(std::string body) {
  return [body = std::move(body)](const FakeRequest&, FakeExchange& exchange) {
    exchange.respond(200, body, {{"Content-Type", "application/x-ndjson"}});
  };
}

TEST(OllamaLlmProvider, SendsKeepAliveAsANumberWhenItIsOne) {
  FakeHttpServer server(stream(R"({"message":{"content":"ok"},"done":true})"
                               "\n"));
  outbound::HttpClient client;
  OllamaLlmProvider provider(options_for(server), client);
  auto request = chat_request();
  request.options.keep_alive = "-1";
  ASSERT_TRUE(provider.chat(request, {}));
  request.options.keep_alive = "10m";
  ASSERT_TRUE(provider.chat(request, {}));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(json::parse(requests[0].body)["keep_alive"], json(-1));
  EXPECT_EQ(json::parse(requests[1].body)["keep_alive"], json("10m"));
}

TEST(OllamaLlmProvider, SendsTheApiKeyAndExtraHeaders) {
  FakeHttpServer server(stream(R"({"message":{"content":"ok"},"done":true})"
                               "\n"));
  outbound::HttpClient client;
  auto options = options_for(server);
  options.api_key = "proxy-token";
  options.headers = {{"X-Tenant", "studio"}};
  OllamaLlmProvider provider(options, client);
  ASSERT_TRUE(provider.chat(chat_request(), {}));
  const auto request = server.requests().at(0);
  EXPECT_EQ(request.header("Authorization"), "Bearer proxy-token");
  EXPECT_EQ(request.header("X-Tenant"), "studio");
  EXPECT_EQ(request.header("Content-Type"), "application/json");
  EXPECT_EQ(request.path, "/api/chat");
}

TEST(OllamaLlmProvider, ReadsALastLineWithoutItsLineFeed) {
  FakeHttpServer server(
      stream(R"({"message":{"content":"a"},"done":false})"
             "\n"
             R"({"message":{"content":"b"},"done":true,"done_reason":"stop","eval_count":2})"));
  outbound::HttpClient client;
  OllamaLlmProvider provider(options_for(server), client);
  const auto result = provider.chat(chat_request(), {});
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->content, "ab");
  EXPECT_EQ(result->done_reason, "stop");
  EXPECT_EQ(result->completion_tokens, 2);
}

TEST(OllamaLlmProvider, AnAnswerOfAnotherShapeIsABadGateway) {
  FakeHttpServer server;
  outbound::HttpClient client;
  OllamaLlmProvider provider(options_for(server), client);

  server.set_handler(respond_with(200, "<html>proxy login</html>\n", {{"Content-Type", "text/html"}}));
  auto result = provider.chat(chat_request(), {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().message, "The language model returned a malformed answer.");

  server.set_handler(stream(R"({"message":{"content":"no done field"}})"
                            "\n"));
  result = provider.chat(chat_request(), {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().detail.find("done"), std::string::npos);
}

TEST(OllamaLlmProvider, ModelsLoadedStayUnknownWithoutPs) {
  FakeHttpServer server([](const FakeRequest& request, FakeExchange& exchange) {
    if (request.path == "/api/tags") {
      exchange.respond(
          200, R"({"models":[{"name":"llama3:latest","size":42,"modified_at":"2026-01-01T00:00:00Z"}]})");
    } else {
      exchange.respond(404, "404 page not found");
    }
  });
  outbound::HttpClient client;
  OllamaLlmProvider provider(options_for(server), client);
  const auto models = provider.list_models(milliseconds(2000));
  ASSERT_TRUE(models) << models.error().detail;
  ASSERT_EQ(models->size(), 1U);
  EXPECT_EQ((*models)[0].name, "llama3:latest");
  EXPECT_EQ((*models)[0].size_bytes, 42U);
  EXPECT_EQ((*models)[0].modified, "2026-01-01T00:00:00Z");
  EXPECT_FALSE((*models)[0].loaded);
}

TEST(OllamaLlmProvider, APullOfAMissingModelIsNotFound) {
  FakeHttpServer server(stream(R"({"status":"pulling manifest"})"
                               "\n"
                               R"({"error":"pull model manifest: file does not exist"})"
                               "\n"));
  outbound::HttpClient client;
  OllamaLlmProvider provider(options_for(server), client);
  std::vector<std::string> statuses;
  const auto result = provider.pull({.model = "nothing-here"}, [&](const PullProgress& progress) {
    statuses.push_back(progress.status);
    return true;
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(statuses, (std::vector<std::string>{"pulling manifest"}));
}

TEST(OllamaLlmProvider, AStreamOverTheCapFails) {
  std::string body;
  for (int i = 0; i < 100; ++i)
    body += R"({"message":{"content":"0123456789"},"done":false})"
            "\n";
  FakeHttpServer server(stream(body));
  outbound::HttpClient client;
  auto options = options_for(server);
  options.max_response_bytes = 1000;
  OllamaLlmProvider provider(options, client);
  const auto result = provider.chat(chat_request(), {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
}

TEST(OllamaLlmProvider, AnUnreachableServerIsUnavailable) {
  int port = 0;
  {
    const FakeHttpServer closed;
    port = closed.port();
  }
  outbound::HttpClient client;
  OllamaOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  options.default_model = "llama3";
  OllamaLlmProvider provider(options, client);
  const auto result = provider.chat(chat_request(), {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(provider.list_models(milliseconds(1000)).error().code, ErrorCode::kUnavailable);
}

TEST(OllamaLlmProvider, ErrorsNeverCarryThePrompt) {
  FakeHttpServer server;
  outbound::HttpClient client;
  OllamaLlmProvider provider(options_for(server), client);
  // Even a server that echoes the prompt back in its error only reaches the detail cut short.
  const std::vector<testing::FakeHandler> answers = {
      respond_with(500, R"({"error":"boom"})"),
      respond_with(404, R"({"error":"model not found"})"),
      stream(R"({"error":"runner crashed"})"
             "\n"),
      stream("not json\n"),
  };
  for (const auto& answer : answers) {
    server.set_handler(answer);
    const auto result = provider.chat(chat_request(), {});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message.find("PROMPT-CANARY"), std::string::npos);
    EXPECT_EQ(result.error().detail.find("PROMPT-CANARY"), std::string::npos) << result.error().detail;
  }
}

TEST(OllamaLlmProvider, RefusesUnusableOptions) {
  outbound::HttpClient client;
  OllamaOptions options;
  options.base_url = "127.0.0.1:11434";
  EXPECT_THROW(OllamaLlmProvider(options, client), std::invalid_argument);
  options.base_url = "http://127.0.0.1:11434";
  options.pull_timeout = milliseconds(0);
  EXPECT_THROW(OllamaLlmProvider(options, client), std::invalid_argument);
}

}  // namespace
}  // namespace personae::llm

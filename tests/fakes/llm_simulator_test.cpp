// The simulators themselves: that they cut, batch and fail streams as the contract suite assumes.
#include "tests/fakes/llm_simulator.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "adapters/http_client/http_client.hpp"

namespace personae::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

struct Stream {
  int status = 0;
  std::string body;
  int reads = 0;  ///< on_body calls
};

Stream read_stream(const LlmSimulator& simulator, const std::string& path, const json& body,
                   const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  outbound::HttpClient client;
  outbound::Request request;
  request.method = "POST";
  request.url = simulator.base_url() + path;
  request.headers = headers;
  request.body = body.dump();
  request.timeout = milliseconds(5'000);
  Stream stream;
  request.on_body = [&](std::string_view chunk) {
    ++stream.reads;
    stream.body.append(chunk);
    return true;
  };
  const auto response = client.send(request);
  if (response) {
    stream.status = response->status;
    if (stream.body.empty()) stream.body = response->body;
  } else {
    stream.status = -1;
  }
  return stream;
}

json ollama_chat(std::string model = std::string(LlmSimulator::kDefaultModel)) {
  return {{"model", std::move(model)}, {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}};
}

std::vector<json> lines_of(const std::string& body) {
  std::vector<json> lines;
  std::size_t start = 0;
  while (start < body.size()) {
    const auto end = body.find('\n', start);
    lines.push_back(json::parse(body.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

TEST(LlmSimulator, OllamaStreamsOneLinePerReadByDefault) {
  OllamaSimulator simulator;
  const auto stream = read_stream(simulator, "/api/chat", ollama_chat());
  ASSERT_EQ(stream.status, 200);
  const auto lines = lines_of(stream.body);
  ASSERT_EQ(lines.size(), 11U);
  EXPECT_EQ(lines[0]["message"]["content"], "The");
  EXPECT_EQ(lines[10]["done"], true);
  EXPECT_EQ(lines[10]["eval_count"], 10);
  EXPECT_GE(stream.reads, 11);
  EXPECT_EQ(simulator.pieces_written(), 10);
}

TEST(LlmSimulator, SplitBytesCutsMessagesAcrossReads) {
  OllamaSimulator simulator;
  simulator.set_split_bytes(3);
  const auto stream = read_stream(simulator, "/api/chat", ollama_chat());
  ASSERT_EQ(stream.status, 200);
  EXPECT_EQ(lines_of(stream.body).size(), 11U);
  // Every piece is its own HTTP chunk, and libcurl hands each chunk over on its own.
  EXPECT_GE(stream.reads, static_cast<int>(stream.body.size() / 3));
}

TEST(LlmSimulator, MessagesPerChunkBatchesThemIntoOneRead) {
  OllamaSimulator simulator;
  simulator.set_messages_per_chunk(100);
  const auto stream = read_stream(simulator, "/api/chat", ollama_chat());
  ASSERT_EQ(stream.status, 200);
  EXPECT_EQ(lines_of(stream.body).size(), 11U);
  EXPECT_EQ(stream.reads, 1);
}

TEST(LlmSimulator, FaultsApplyTheNumberOfTimesAsked) {
  OllamaSimulator simulator;
  simulator.set_fault({.fault = LlmFault::kHttp500, .times = 2});
  EXPECT_EQ(read_stream(simulator, "/api/chat", ollama_chat()).status, -1);  // HttpClient: 5xx is an error
  EXPECT_EQ(read_stream(simulator, "/api/chat", ollama_chat()).status, -1);
  EXPECT_EQ(read_stream(simulator, "/api/chat", ollama_chat()).status, 200);
  EXPECT_EQ(simulator.requests_to("/api/chat").size(), 3U);
}

TEST(LlmSimulator, AnErrorLineKeepsTheStatus200) {
  OllamaSimulator simulator;
  simulator.set_fault({.fault = LlmFault::kErrorLine, .after_tokens = 1});
  const auto stream = read_stream(simulator, "/api/chat", ollama_chat());
  ASSERT_EQ(stream.status, 200);
  const auto lines = lines_of(stream.body);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_TRUE(lines[1].contains("error"));
}

TEST(LlmSimulator, UnknownModelsAre404InTheProtocolsShape) {
  OllamaSimulator ollama;
  auto stream = read_stream(ollama, "/api/chat", ollama_chat("missing"));
  EXPECT_EQ(stream.status, 404);
  EXPECT_EQ(json::parse(stream.body)["error"], "model \"missing\" not found, try pulling it first");

  OpenAiSimulator openai;
  stream = read_stream(openai, "/v1/chat/completions", ollama_chat("missing"));
  EXPECT_EQ(stream.status, 404);
  EXPECT_EQ(json::parse(stream.body)["error"]["code"], "model_not_found");
}

TEST(LlmSimulator, OpenAiStreamsSseEndingWithDone) {
  OpenAiSimulator simulator;
  json body = ollama_chat();
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};
  const auto stream = read_stream(simulator, "/v1/chat/completions", body);
  ASSERT_EQ(stream.status, 200);
  EXPECT_EQ(stream.body.rfind("data: [DONE]\n\n"), stream.body.size() - 14);
  EXPECT_NE(stream.body.find("\"usage\":{\"completion_tokens\":10"), std::string::npos);
  EXPECT_NE(stream.body.find("\"finish_reason\":\"stop\""), std::string::npos);
}

TEST(LlmSimulator, OpenAiChecksTheApiKeyWhenGivenOne) {
  OpenAiSimulator simulator;
  simulator.set_api_key("sk-1");
  EXPECT_EQ(read_stream(simulator, "/v1/chat/completions", ollama_chat()).status, 401);
  EXPECT_EQ(read_stream(simulator, "/v1/chat/completions", ollama_chat(), {{"Authorization", "Bearer sk-1"}})
                .status,
            200);
}

TEST(LlmSimulator, StopEndsAHangAtOnce) {
  OllamaSimulator simulator;
  simulator.set_fault({.fault = LlmFault::kHang});
  std::thread stopper([&] {
    simulator.wait_for_requests(1, milliseconds(2'000));
    simulator.stop();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(read_stream(simulator, "/api/chat", ollama_chat()).status, -1);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace personae::testing

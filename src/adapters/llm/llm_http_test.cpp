#include "adapters/llm/llm_http.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace personae::llm::internal {
namespace {

using std::chrono::milliseconds;

const CallContext kChat{"local", "chat", "llama3"};
const CallContext kList{"local", "list models", ""};

outbound::Response response(int status, std::string body) {
  outbound::Response answer;
  answer.status = status;
  answer.body = std::move(body);
  return answer;
}

Endpoint endpoint() {
  return make_endpoint("local", "http://127.0.0.1:11434/", milliseconds(10'000), milliseconds(2'000),
                       std::nullopt, 1024, {{"X-Extra", "1"}}, "secret-key");
}

TEST(LlmHttp, StatusesMapToThePortsErrors) {
  EXPECT_EQ(status_error(response(400, R"({"error":"bad"})"), kChat).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(status_error(response(413, ""), kChat).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(status_error(response(422, ""), kChat).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(status_error(response(404, ""), kChat).code, ErrorCode::kNotFound);
  EXPECT_EQ(status_error(response(404, ""), kList).code, ErrorCode::kUnavailable);
  EXPECT_EQ(status_error(response(408, ""), kChat).code, ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(status_error(response(401, ""), kChat).code, ErrorCode::kUnavailable);
  EXPECT_EQ(status_error(response(403, ""), kChat).code, ErrorCode::kUnavailable);
  EXPECT_EQ(status_error(response(302, ""), kChat).code, ErrorCode::kUnavailable);
  EXPECT_EQ(status_error(response(418, ""), kChat).code, ErrorCode::kUnavailable);
}

TEST(LlmHttp, UpstreamTextGoesToTheDetailOnlyAndIsCut) {
  const auto ollama =
      status_error(response(404, R"({"error":"model \"llama3\" not found, try pulling it first"})"), kChat);
  EXPECT_EQ(ollama.message, "The model \"llama3\" is not available on this provider.");
  EXPECT_NE(ollama.detail.find("not found, try pulling it first"), std::string::npos);
  EXPECT_NE(ollama.detail.find("local"), std::string::npos);
  EXPECT_NE(ollama.detail.find("HTTP 404"), std::string::npos);

  const auto openai =
      status_error(response(400, R"({"error":{"message":"context too long","type":"x"}})"), kChat);
  EXPECT_EQ(openai.message, "The language model refused the request.");
  EXPECT_NE(openai.detail.find("context too long"), std::string::npos);

  const auto huge = status_error(response(500, std::string(10'000, 'z')), kChat);
  EXPECT_LT(huge.detail.size(), 500U);
  EXPECT_EQ(huge.message.find('z'), std::string::npos);
}

TEST(LlmHttp, TransportErrorsKeepTheirCodeAndRetryAfter) {
  Error busy{ErrorCode::kResourceExhausted, "The upstream service asked us to slow down.",
             "POST host/api/chat: HTTP 429", milliseconds(7000)};
  const auto mapped = transport_error(busy, kChat);
  EXPECT_EQ(mapped.code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(mapped.retry_after, milliseconds(7000));
  EXPECT_NE(mapped.detail.find("HTTP 429"), std::string::npos);

  EXPECT_EQ(transport_error(Error{ErrorCode::kDeadlineExceeded, "", ""}, kChat).code,
            ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(transport_error(Error{ErrorCode::kUnavailable, "", ""}, kChat).code, ErrorCode::kUnavailable);
  // An invalid outbound request can only come from the configuration: not the caller's fault.
  EXPECT_EQ(transport_error(Error{ErrorCode::kInvalidArgument, "", ""}, kChat).code, ErrorCode::kUnavailable);
}

TEST(LlmHttp, CutNeverSplitsAUtf8Sequence) {
  EXPECT_EQ(cut("short", 10), "short");
  EXPECT_EQ(cut("abcdef", 3), "abc...");
  // "é" is two bytes (0xC3 0xA9): cutting after its first byte backs off to before it.
  EXPECT_EQ(cut("ab\xC3\xA9z", 3), "ab...");
}

TEST(LlmHttp, UpstreamMessageReadsBothErrorShapes) {
  EXPECT_EQ(upstream_message(R"({"error":"boom"})"), "boom");
  EXPECT_EQ(upstream_message(R"({"error":{"message":"nested boom"}})"), "nested boom");
  EXPECT_EQ(upstream_message(R"({"object":"error","message":"vllm boom"})"), "vllm boom");
  EXPECT_EQ(upstream_message("<html>oops</html>"), "<html>oops</html>");
}

TEST(LlmHttp, RequestsCarryTheHeadersTheKeyAndTheShorterTimeout) {
  const auto target = endpoint();
  EXPECT_EQ(target.base_url, "http://127.0.0.1:11434");
  const auto request = make_request(target, "POST", "/api/chat", milliseconds(60'000));
  EXPECT_EQ(request.url, "http://127.0.0.1:11434/api/chat");
  EXPECT_EQ(request.timeout, milliseconds(10'000));
  EXPECT_EQ(make_request(target, "POST", "/api/chat", milliseconds(500)).timeout, milliseconds(500));
  EXPECT_EQ(make_request(target, "POST", "/api/chat", milliseconds(500)).connect_timeout, milliseconds(500));
  EXPECT_EQ(make_request(target, "POST", "/api/chat", milliseconds(0)).timeout, milliseconds(1));
  EXPECT_EQ(make_request(target, "GET", "/api/tags", std::nullopt).timeout, milliseconds(10'000));
  EXPECT_EQ(request.max_response_bytes, 1024U);
  const std::vector<std::pair<std::string, std::string>> expected = {{"X-Extra", "1"},
                                                                     {"Authorization", "Bearer secret-key"}};
  EXPECT_EQ(request.headers, expected);
}

TEST(LlmHttp, UnusableOptionsAreRefused) {
  const auto build = [](const std::string& url, milliseconds timeout, const std::string& key) {
    return make_endpoint("p", url, timeout, milliseconds(1000), std::nullopt, 1024, {}, key);
  };
  EXPECT_THROW(build("ftp://host", milliseconds(1000), ""), std::invalid_argument);
  EXPECT_THROW(build("host:11434", milliseconds(1000), ""), std::invalid_argument);
  EXPECT_THROW(build("http://host", milliseconds(0), ""), std::invalid_argument);
  EXPECT_THROW(build("http://host", milliseconds(1000), "key\r\nX-Injected: 1"), std::invalid_argument);
  EXPECT_THROW(make_endpoint("", "http://host", milliseconds(1), milliseconds(1), std::nullopt, 1, {}, ""),
               std::invalid_argument);
  EXPECT_NO_THROW(build("https://host/", milliseconds(1000), "key"));
}

TEST(LlmHttp, SchemasMustBeJsonObjects) {
  EXPECT_FALSE(parse_schema(std::nullopt, kChat)->has_value());
  EXPECT_TRUE(parse_schema(std::string(R"({"type":"object"})"), kChat)->has_value());
  EXPECT_EQ(parse_schema(std::string("[1]"), kChat).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_schema(std::string("{nope"), kChat).error().code, ErrorCode::kInvalidArgument);
}

TEST(LlmHttp, SchemaShapesAreCheckedRecursively) {
  using nlohmann::json;
  // The caption schema of services/captions: bounds such as maxItems are the caller's.
  const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "caption": {"type": "string"},
      "tone": {"enum": ["warm", "playful"]},
      "version": {"const": 1},
      "score": {"type": ["integer", "null"]},
      "topic_hashtags": {"type": "array", "items": {"type": "string"}, "maxItems": 1}
    },
    "required": ["caption", "topic_hashtags"],
    "additionalProperties": false
  })");
  const auto check = [&](const char* text) { return schema_mismatch(schema, json::parse(text)); };
  EXPECT_EQ(check(R"({"caption":"hi","topic_hashtags":["a","b"],"score":3.0,"tone":"warm","version":1})"),
            std::nullopt);
  EXPECT_EQ(check(R"({"caption":"hi","topic_hashtags":[],"score":null})"), std::nullopt);
  EXPECT_EQ(check(R"([1])"), "$: expected object");
  EXPECT_EQ(check(R"({"topic_hashtags":[]})"), "$.caption: required");
  EXPECT_EQ(check(R"({"caption":7,"topic_hashtags":[]})"), "$.caption: expected string");
  EXPECT_EQ(check(R"({"caption":"x","topic_hashtags":["a",2]})"), "$.topic_hashtags[1]: expected string");
  EXPECT_EQ(check(R"({"caption":"x","topic_hashtags":[],"extra":1})"), "$.extra: not allowed");
  EXPECT_EQ(check(R"({"caption":"x","topic_hashtags":[],"tone":"cold"})"),
            "$.tone: not one of the schema's enum values");
  EXPECT_EQ(check(R"({"caption":"x","topic_hashtags":[],"version":2})"),
            "$.version: not the schema's const value");
  EXPECT_EQ(check(R"({"caption":"x","topic_hashtags":[],"score":1.5})"), "$.score: expected integer or null");

  // additionalProperties as a schema; unknown keywords and types are ignored.
  const json map = json::parse(R"({"type":"object","additionalProperties":{"type":"number"},"anyOf":[]})");
  EXPECT_EQ(schema_mismatch(map, json::parse(R"({"a":1,"b":2.5})")), std::nullopt);
  EXPECT_EQ(schema_mismatch(map, json::parse(R"({"a":"1"})")), "$.a: expected number");
  EXPECT_EQ(schema_mismatch(json::parse(R"({"type":"tuple"})"), json::parse("1")), std::nullopt);
}

TEST(LlmHttp, StructuredRepliesMustBeJsonOfTheSchemasShape) {
  const std::optional<nlohmann::json> schema = nlohmann::json::parse(R"({"type":"object","required":["a"]})");
  EXPECT_FALSE(check_structured(std::nullopt, "not json", kChat));
  EXPECT_FALSE(check_structured(schema, R"( {"a": 1} )", kChat));
  const auto not_json = check_structured(schema, R"({"a": )", kChat);
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->message, "the model did not return valid JSON");
  const auto wrong = check_structured(schema, R"({"b": 1})", kChat);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->code, ErrorCode::kUnavailable);
  EXPECT_EQ(wrong->message, "the model's answer does not match the requested schema");
  EXPECT_NE(wrong->detail.find("$.a: required"), std::string::npos);
}

TEST(LlmHttp, TimerMeasuresFirstTokenAndRate) {
  CallTimer timer;
  std::this_thread::sleep_for(milliseconds(5));
  timer.piece();
  std::this_thread::sleep_for(milliseconds(20));
  timer.piece();
  timer.piece();
  ChatResult streamed;
  timer.finish(streamed, true);
  ASSERT_TRUE(streamed.time_to_first_token);
  EXPECT_GE(*streamed.time_to_first_token, std::chrono::microseconds(5000));
  EXPECT_GE(streamed.total_time, *streamed.time_to_first_token + std::chrono::microseconds(20'000));
  ASSERT_TRUE(streamed.tokens_per_second);
  // Two tokens after the first, in at least 20 ms.
  EXPECT_LE(*streamed.tokens_per_second, 100.0);
  EXPECT_GT(*streamed.tokens_per_second, 0.0);
  EXPECT_EQ(streamed.streamed_pieces, 3);

  ChatResult whole;
  timer.finish(whole, false);
  EXPECT_FALSE(whole.time_to_first_token);
  EXPECT_FALSE(whole.tokens_per_second);
}

}  // namespace
}  // namespace personae::llm::internal

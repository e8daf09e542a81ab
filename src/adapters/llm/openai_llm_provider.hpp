#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/http_client/http_client.hpp"
#include "adapters/llm/llm_http.hpp"
#include "ports/llm_provider.hpp"

namespace personae::llm {

/// One configured OpenAI-compatible server (`[[llm.providers]]` with `type = "openai"`): llama.cpp
/// server, vLLM, LM Studio, Ollama's /v1.
struct OpenAiOptions {
  std::string name = "openai";
  /// The server's root ("http://127.0.0.1:8080") or its API base ("http://127.0.0.1:8080/v1"):
  /// "/v1" is added unless the URL already ends with it.
  std::string base_url = "http://127.0.0.1:8080";
  /// Used when a request names no model (llama.cpp serves one model and ignores the name).
  std::string default_model;
  /// The most one call may take; a request's own timeout is cut to it.
  std::chrono::milliseconds timeout{120'000};
  std::chrono::milliseconds connect_timeout{5'000};
  /// When set, a call fails with kDeadlineExceeded once nothing has arrived for this long (checked
  /// about once a second; SSE keep-alive comments count as activity).
  std::optional<std::chrono::milliseconds> idle_timeout;
  /// A response (or stream) larger than this fails with kUnavailable.
  std::uint64_t max_response_bytes = 16ULL * 1024 * 1024;
  /// Sent as `Authorization: Bearer` when not empty. Never logged, never in an error.
  std::string api_key;
  /// Extra headers sent with every request.
  std::vector<std::pair<std::string, std::string>> headers;
  /// Ask for token counts in streams (`stream_options.include_usage`); turn off for a server that
  /// refuses the field.
  bool include_usage = true;
};

/// The OpenAI chat completions protocol: `/v1/chat/completions` streamed as server-sent events
/// (`data:` JSON chunks, then `data: [DONE]`; comments and keep-alives skipped; an error event or
/// an `{"error": ...}` chunk is a failure), generate() too; `/v1/models`,
/// `/v1/embeddings`. Structured output is `response_format: {"type": "json_schema", "json_schema":
/// {"name", "schema", "strict": true}}`. Options: temperature, top_p, seed, max_tokens, stop; the
/// context size and keep_alive cannot be set through this protocol and are not sent. pull() fails
/// with kFailedPrecondition. A stream that ends after a `finish_reason` but without `[DONE]` is
/// accepted (some servers omit it).
///
/// No retries: a failure goes back at once so that the gateway can try the next provider.
/// Thread-safe; holds a reference to the client, which must outlive it.
class OpenAiLlmProvider final : public LlmProvider {
 public:
  /// Throws std::invalid_argument for an unusable option.
  OpenAiLlmProvider(OpenAiOptions options, outbound::HttpClient& client);

  const std::string& name() const override { return endpoint_.name; }
  std::string_view type() const override { return "openai"; }
  const std::string& default_model() const override { return default_model_; }

  Result<ChatResult> chat(const ChatRequest& request, const TokenCallback& on_token) override;
  using LlmProvider::generate;
  /// A streamed chat of the system text (when given) and the prompt as a user message.
  Result<ChatResult> generate(const GenerateRequest& request, const TokenCallback& on_token) override;
  /// `loaded` stays unknown: the protocol does not say.
  Result<std::vector<ModelInfo>> list_models(std::optional<std::chrono::milliseconds> timeout) override;
  Result<EmbedResult> embed(const EmbedRequest& request) override;
  /// kFailedPrecondition: "not supported by this provider type".
  Result<PullResult> pull(const PullRequest& request, const PullProgressCallback& on_progress) override;

 private:
  /// Posts a streamed chat completion of `messages` and reads its events.
  Result<ChatResult> complete(const internal::CallContext& context, nlohmann::json messages,
                              const ModelOptions& options, const std::optional<std::string>& json_schema,
                              const std::string& schema_name,
                              std::optional<std::chrono::milliseconds> timeout,
                              const CancellationToken& cancellation, const TokenCallback& on_token);

  internal::Endpoint endpoint_;
  std::string default_model_;
  bool include_usage_;
  outbound::HttpClient& client_;
};

}  // namespace personae::llm

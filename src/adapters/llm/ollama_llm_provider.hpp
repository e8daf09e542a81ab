#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/http_client/http_client.hpp"
#include "adapters/llm/llm_http.hpp"
#include "ports/llm_provider.hpp"

namespace personae::llm {

/// One configured Ollama server (`[[llm.providers]]` with `type = "ollama"`).
struct OllamaOptions {
  std::string name = "ollama";
  /// The server's root, e.g. "http://127.0.0.1:11434".
  std::string base_url = "http://127.0.0.1:11434";
  /// Used when a request names no model.
  std::string default_model;
  /// The most one call may take; a request's own timeout is cut to it.
  std::chrono::milliseconds timeout{120'000};
  std::chrono::milliseconds connect_timeout{5'000};
  /// When set, a call fails with kDeadlineExceeded once nothing has arrived for this long (checked
  /// about once a second). Loading a large model can take a while before the first byte.
  std::optional<std::chrono::milliseconds> idle_timeout;
  /// The most a pull may take (models are gigabytes).
  std::chrono::milliseconds pull_timeout{3'600'000};
  /// A response (or stream) larger than this fails with kUnavailable.
  std::uint64_t max_response_bytes = 16ULL * 1024 * 1024;
  /// Sent as `Authorization: Bearer` (for a reverse proxy in front of Ollama); empty: none. Never
  /// logged, never in an error.
  std::string api_key;
  /// Extra headers sent with every request.
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Ollama's native API: `/api/chat` and `/api/generate` (NDJSON streams; an `{"error": ...}` line
/// inside an HTTP 200 stream is a failure), `/api/tags` + `/api/ps` (models, and which
/// are loaded), `/api/embed`, `/api/pull` (progress lines). Structured output is sent as `format`
/// with the schema; options as `options` (temperature, num_ctx, seed, num_predict, top_p, stop);
/// `keep_alive` at the top level (a number when it is one, so that "-1" means "keep loaded").
///
/// No retries: a failure goes back at once so that the gateway can try the next provider.
/// Thread-safe; holds a reference to the client, which must outlive it.
class OllamaLlmProvider final : public LlmProvider {
 public:
  /// Throws std::invalid_argument for an unusable option (empty name, a URL that is not http(s),
  /// a timeout that is not positive).
  OllamaLlmProvider(OllamaOptions options, outbound::HttpClient& client);

  const std::string& name() const override { return endpoint_.name; }
  std::string_view type() const override { return "ollama"; }
  const std::string& default_model() const override { return default_model_; }

  Result<ChatResult> chat(const ChatRequest& request, const TokenCallback& on_token) override;
  using LlmProvider::generate;
  Result<ChatResult> generate(const GenerateRequest& request, const TokenCallback& on_token) override;
  Result<std::vector<ModelInfo>> list_models(std::optional<std::chrono::milliseconds> timeout) override;
  Result<EmbedResult> embed(const EmbedRequest& request) override;
  Result<PullResult> pull(const PullRequest& request, const PullProgressCallback& on_progress) override;

 private:
  /// Posts `body` to `path` and reads its NDJSON stream (/api/chat or /api/generate).
  Result<ChatResult> stream(const internal::CallContext& context, std::string_view path,
                            const nlohmann::json& body, const std::optional<nlohmann::json>& schema,
                            std::optional<std::chrono::milliseconds> timeout,
                            const CancellationToken& cancellation, const TokenCallback& on_token);

  internal::Endpoint endpoint_;
  std::string default_model_;
  std::chrono::milliseconds pull_timeout_;
  outbound::HttpClient& client_;
};

}  // namespace personae::llm

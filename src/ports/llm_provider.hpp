#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

/// The language-model port: one interface over Ollama's native API and OpenAI-compatible servers
/// (llama.cpp server, vLLM, LM Studio). Adapters live in adapters/llm/, the fallback chain and the
/// circuit breakers in services/llm/ (LlmGateway).
///
/// Errors (Result), the same for every implementation:
/// - server unreachable, HTTP 5xx, a dropped connection, a stream that ends without its final
///   message, an error line inside an HTTP 200 stream, a body over the size cap, rejected
///   credentials (401/403): kUnavailable;
/// - a malformed upstream answer (not JSON, or JSON of the wrong shape): kUnavailable with the
///   message "The language model returned a malformed answer." (bad gateway), the cause in detail;
/// - a structured-output request whose final content does not parse as JSON: kUnavailable
///   "the model did not return valid JSON"; one whose JSON does not have the schema's shape
///   (see ChatRequest::json_schema): kUnavailable "the model's answer does not match the requested
///   schema", the first mismatch (e.g. `$.caption: required`) in detail;
/// - HTTP 429: kResourceExhausted, with `retry_after` from Retry-After when sent;
/// - the call's timeout (or the provider's idle timeout) passed: kDeadlineExceeded;
/// - an unknown model (HTTP 404): kNotFound;
/// - a request the provider refuses as malformed (HTTP 400/413/422), an empty message list or a
///   schema that is not a JSON object: kInvalidArgument;
/// - an operation this provider type does not have (pull on an OpenAI-compatible server):
///   kFailedPrecondition "not supported by this provider type".
/// `message` is client-safe; `detail` (logs only) names the provider, the operation, the model and
/// the upstream's answer cut to a few hundred bytes. Neither ever holds the prompt or an API key.
///
/// Cancellation is not an error: a cancelled call (the token callback returned false, or the
/// request's CancellationToken was cancelled) returns a ChatResult with `cancelled` set and the
/// content received so far. Callers must check `cancelled` before using the content as a reply.
namespace personae::llm {

enum class Role { kSystem, kUser, kAssistant };

/// "system", "user", "assistant": the role names both protocols use.
constexpr std::string_view role_name(Role role) {
  switch (role) {
    case Role::kSystem: return "system";
    case Role::kAssistant: return "assistant";
    case Role::kUser: break;
  }
  return "user";
}

struct ChatMessage {
  Role role = Role::kUser;
  std::string content{};
};

/// Sampling and runtime settings; unset fields keep the server's (or the model file's) defaults.
struct ModelOptions {
  std::optional<double> temperature{};
  /// Context window in tokens (Ollama `options.num_ctx`). OpenAI-compatible servers cannot set it
  /// per request (it is fixed when the server loads the model): their adapter ignores it.
  std::optional<int> context_size{};
  std::optional<std::int64_t> seed{};
  /// Most tokens to generate (Ollama `options.num_predict`, OpenAI `max_tokens`).
  std::optional<int> max_tokens{};
  std::optional<double> top_p{};
  std::vector<std::string> stop{};
  /// Ollama only: how long the model stays loaded after the call: a duration ("10m", "30s"), a
  /// number of seconds ("300"), "0" (unload now) or "-1" (keep loaded).
  std::optional<std::string> keep_alive{};
};

/// Cancels a call from any thread. Copies share one flag: keep a copy, put another in the request,
/// and call cancel() from wherever the caller learns that the answer is no longer wanted (the fan
/// went away, the job was stopped). Adapters check it before starting, on every piece of the
/// stream and about once a second while nothing arrives, so a cancelled call stops within about a
/// second even when the server sends nothing (a model still loading). Thread-safe.
class CancellationToken {
 public:
  CancellationToken() : cancelled_(std::make_shared<std::atomic<bool>>(false)) {}

  void cancel() const noexcept { cancelled_->store(true, std::memory_order_relaxed); }
  bool cancelled() const noexcept { return cancelled_->load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<bool>> cancelled_;
};

/// One chat completion.
struct ChatRequest {
  /// Empty: the provider's default model.
  std::string model{};
  /// At least one message.
  std::vector<ChatMessage> messages{};
  ModelOptions options{};
  /// Structured output: a JSON Schema object, as JSON text (Ollama `format`, OpenAI
  /// `response_format` with `json_schema`). The adapter checks that the final content parses as
  /// JSON and has the schema's shape: `type`, `properties`, `required`, `items`, `enum`, `const`
  /// and `additionalProperties: false`, recursively. Bounds (`maxLength`, `maxItems`, `minimum`,
  /// `pattern`, ...) and combinators (`anyOf`, `$ref`, ...) are not checked: the caller still
  /// validates the values it uses.
  std::optional<std::string> json_schema{};
  /// OpenAI's `json_schema.name` (letters, digits, '_' and '-').
  std::string schema_name = "response";
  /// The most the whole call may take (connecting, waiting for the model, streaming). Unset: the
  /// provider's configured timeout; a longer value is cut to it.
  std::optional<std::chrono::milliseconds> timeout{};
  CancellationToken cancellation{};
};

/// Receives the reply as it streams, one piece (a token or a few) at a time, in order, on the
/// calling thread. Returning false cancels the call (see ChatResult::cancelled). It should return
/// quickly: the stream is read on the same thread.
using TokenCallback = std::function<bool(std::string_view token)>;

struct ChatResult {
  /// The reply (for a cancelled call: what arrived before it stopped).
  std::string content{};
  /// The model that answered, as the server names it (the requested name when it does not say).
  std::string model{};
  /// The provider that answered (LlmProvider::name()).
  std::string provider{};
  /// Token counts when the server reports them.
  std::optional<std::int64_t> prompt_tokens{};
  std::optional<std::int64_t> completion_tokens{};
  /// Why generation stopped, as the server says it ("stop", "length", ...); "cancelled" for a
  /// cancelled call; empty when not reported.
  std::string done_reason{};
  /// From sending the request to the first non-empty piece of content; unset when none arrived or
  /// the call was not streamed.
  std::optional<std::chrono::microseconds> time_to_first_token{};
  std::chrono::microseconds total_time{0};
  /// Completion tokens (reported, else streamed pieces) per second of generation, i.e. after the
  /// first token; unset when not measurable (fewer than two pieces, or not streamed).
  std::optional<double> tokens_per_second{};
  /// Pieces of content delivered through the token callback.
  std::int64_t streamed_pieces = 0;
  /// The caller cancelled: `content` is partial and must not be used as a reply.
  bool cancelled = false;
};

/// A completion of one prompt, streamed like a chat (Ollama `/api/generate` with NDJSON; a chat of
/// the system text and the prompt on OpenAI-compatible servers).
struct GenerateRequest {
  std::string model{};   ///< empty: the provider's default model
  std::string prompt{};  ///< not empty
  std::string system{};  ///< empty: none (the model file's)
  ModelOptions options{};
  std::optional<std::string> json_schema{};  ///< as in ChatRequest
  std::string schema_name = "response";
  std::optional<std::chrono::milliseconds> timeout{};
  CancellationToken cancellation{};  ///< as in ChatRequest
};

/// A model a provider offers.
struct ModelInfo {
  std::string name{};
  std::optional<std::uint64_t> size_bytes{};
  /// When the model last changed, RFC 3339 as the server reports it; empty when unknown.
  std::string modified{};
  std::string family{};          ///< e.g. "llama"; empty when unknown
  std::string parameter_size{};  ///< e.g. "8.0B"; empty when unknown
  std::string quantization{};    ///< e.g. "Q4_K_M"; empty when unknown
  /// Whether it is loaded in memory now; unset when the server does not say.
  std::optional<bool> loaded{};
};

struct EmbedRequest {
  std::string model{};               ///< empty: the provider's default model
  std::vector<std::string> input{};  ///< at least one text
  std::optional<std::chrono::milliseconds> timeout{};
  std::optional<std::string> keep_alive{};  ///< Ollama only, as in ModelOptions
};

struct EmbedResult {
  std::string model{};
  std::string provider{};
  /// One vector per input, in input order.
  std::vector<std::vector<float>> embeddings{};
  std::optional<std::int64_t> prompt_tokens{};
};

/// Downloads a model onto the server (Ollama `/api/pull`).
struct PullRequest {
  std::string model{};
  /// Allow a registry without TLS (Ollama `insecure`).
  bool insecure = false;
  /// Unset: the provider's pull timeout (long: models are gigabytes).
  std::optional<std::chrono::milliseconds> timeout{};
  CancellationToken cancellation{};
};

/// One progress line of a pull: "pulling manifest", "pulling <digest>" (with sizes), "verifying
/// sha256 digest", "writing manifest", "success".
struct PullProgress {
  std::string status{};
  std::string digest{};
  std::optional<std::uint64_t> total{};
  std::optional<std::uint64_t> completed{};
};

/// Returning false cancels the pull: pull() then returns a PullResult with `cancelled` set.
using PullProgressCallback = std::function<bool(const PullProgress& progress)>;

struct PullResult {
  /// The last status the server sent ("success" when complete).
  std::string status{};
  bool cancelled = false;
};

/// A language-model server. Implementations are thread-safe: any method may be called from several
/// threads at once. Every call blocks the calling thread for at most its timeout.
class LlmProvider {
 public:
  virtual ~LlmProvider() = default;

  /// The configured name ("local", "gpu-box"), used in metrics, logs and status.
  virtual const std::string& name() const = 0;
  /// "ollama" or "openai".
  virtual std::string_view type() const = 0;
  /// The model used when a request names none.
  virtual const std::string& default_model() const = 0;

  /// Streams a chat completion; `on_token` (may be empty) sees the reply as it arrives.
  virtual Result<ChatResult> chat(const ChatRequest& request, const TokenCallback& on_token) = 0;
  /// Streams the completion of a prompt; `on_token` (may be empty) as in chat().
  virtual Result<ChatResult> generate(const GenerateRequest& request, const TokenCallback& on_token) = 0;
  /// The same without a token callback (the reply is still streamed: time to first token, rate,
  /// cancellation and the idle timeout work as in chat()). Implementations add
  /// `using LlmProvider::generate;`.
  Result<ChatResult> generate(const GenerateRequest& request) { return generate(request, TokenCallback{}); }
  /// The models the server offers. `timeout` unset: the provider's configured timeout.
  virtual Result<std::vector<ModelInfo>> list_models(std::optional<std::chrono::milliseconds> timeout) = 0;
  virtual Result<EmbedResult> embed(const EmbedRequest& request) = 0;
  /// Ollama only; other provider types fail with kFailedPrecondition.
  virtual Result<PullResult> pull(const PullRequest& request, const PullProgressCallback& on_progress) = 0;
};

}  // namespace personae::llm

#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/fake_http_server.hpp"

/// Language-model servers for tests: Ollama's native API and the OpenAI chat completions protocol,
/// spoken over FakeHttpServer on 127.0.0.1 (a free port), with deterministic replies and faults
/// on demand. Link `personae_fakes`; include "tests/fakes/llm_simulator.hpp".
///
/// Typical use:
///
///     testing::OllamaSimulator ollama;                 // or OpenAiSimulator
///     ollama.add_model({.name = "captioner", .tokens = {"Sunny", " day", "!"}});
///     OllamaOptions options;
///     options.base_url = ollama.base_url();
///     ...                                              // call the adapter
///     ollama.set_fault({.fault = testing::LlmFault::kHttp500, .times = 1});
///     auto body = ollama.last_body("/api/chat");       // what the adapter sent
namespace personae::testing {

/// What a simulated model answers.
struct SimulatedModel {
  std::string name{};
  /// The reply, piece by piece (each piece is one stream message). Empty: the model echoes the last
  /// user message (or the prompt), split into words: "hi there" streams "hi", " there".
  std::vector<std::string> tokens{};
  /// The reply to a structured-output request (Ollama `format`, OpenAI `response_format`),
  /// streamed in pieces of 5 bytes.
  std::string structured_reply = R"({"ok":true})";
  std::uint64_t size_bytes = 4'661'224'676;
  std::string family = "llama";
  std::string parameter_size = "8.0B";
  std::string quantization = "Q4_K_M";
  /// Listed by Ollama's /api/ps.
  bool loaded = true;
  std::size_t embedding_dimensions = 8;
};

enum class LlmFault {
  kNone,
  /// After `after_tokens` pieces: Ollama `{"error": ...}` line, OpenAI `data: {"error": ...}`
  /// event; the HTTP status stays 200 and the stream ends cleanly.
  kErrorLine,
  /// After `after_tokens` pieces: a line (event) that is not JSON, then the end of the stream.
  kMalformedJson,
  /// HTTP 500 with the protocol's error body.
  kHttp500,
  /// HTTP 429 with `Retry-After: retry_after_seconds` and the protocol's error body.
  kHttp429,
  /// After `after_tokens` pieces: the connection is reset (RST) in the middle of the body.
  kDropConnection,
  /// After `after_tokens` pieces: the body ends cleanly without the final message (Ollama's
  /// `"done": true` line, OpenAI's finish_reason and `[DONE]`).
  kTruncate,
  /// Structured output is valid JSON of another shape: {"unexpected":"shape","items":[1,2]}.
  kWrongSchema,
  /// Structured output is not JSON: {"caption": "unterminated
  kInvalidStructuredJson,
  /// No answer at all (not even a head) until the simulator stops.
  kHang,
};

/// A fault and when it applies.
struct LlmFaultPlan {
  LlmFault fault = LlmFault::kNone;
  /// Stream pieces sent before a mid-stream fault.
  int after_tokens = 2;
  int retry_after_seconds = 7;
  /// Requests it applies to; -1: until cleared.
  int times = -1;
  /// Generation (chat, generate, completions), embeddings and pulls get faults; with this, model
  /// lists too (a server that is down).
  bool all_endpoints = false;
};

/// The state and behaviour both protocols share. Thread-safe: configure it while clients talk to
/// it. Stopping (or destroying) it ends every stream and hang at once.
class LlmSimulator {
 public:
  enum class Protocol { kOllama, kOpenAi };

  /// The model present from the start.
  static constexpr std::string_view kDefaultModel = "sim-chat";
  /// Its reply, one stream message per piece.
  static std::vector<std::string> default_reply();

  explicit LlmSimulator(Protocol protocol);
  virtual ~LlmSimulator();
  LlmSimulator(const LlmSimulator&) = delete;
  LlmSimulator& operator=(const LlmSimulator&) = delete;

  Protocol protocol() const { return protocol_; }
  /// "http://127.0.0.1:PORT" (the adapters add "/api/..." or "/v1/...").
  std::string base_url() const { return server_.url(""); }
  int port() const { return server_.port(); }

  /// Adds a model, or replaces the one with the same name.
  void add_model(SimulatedModel model);
  void remove_model(std::string_view name);
  std::vector<std::string> model_names() const;

  void set_fault(LlmFaultPlan plan);
  void clear_fault();
  /// Waits this long before each stream piece (slow tokens); zero: as fast as possible.
  void set_token_delay(std::chrono::milliseconds delay);
  /// Each stream message is written as HTTP chunks of at most this many bytes (0: whole), so that
  /// messages arrive cut across reads.
  void set_split_bytes(std::size_t bytes);
  /// Stream messages per HTTP chunk (several messages arrive in one read). At least 1.
  void set_messages_per_chunk(std::size_t count);
  /// Protocol-legal noise around stream messages: OpenAI: keep-alive comments, `id:` and `event:`
  /// fields, data split over two `data:` lines, CRLF line ends; Ollama: blank lines, CRLF.
  void set_noise(bool on);
  /// OpenAI: requests must carry `Authorization: Bearer <key>` (401 otherwise); empty: no check.
  void set_api_key(std::string key);

  /// Every request received, in order.
  std::vector<FakeRequest> requests() const { return server_.requests(); }
  std::vector<FakeRequest> requests_to(std::string_view path) const;
  /// The body of the last request to `path`, parsed; nullopt when none (or not JSON).
  std::optional<nlohmann::json> last_body(std::string_view path) const;
  std::size_t request_count() const { return server_.request_count(); }
  /// Waits until at least `count` requests have arrived; false on timeout.
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
    return server_.wait_for_requests(count, timeout);
  }
  void clear_requests() { server_.clear_requests(); }
  /// Stream pieces written so far (all requests).
  std::int64_t pieces_written() const { return pieces_written_.load(); }

  /// Closes every connection and ends every stream; later requests are not answered.
  void stop() { server_.stop(); }

 private:
  struct Reply;
  struct StreamStyle;

  void handle(const FakeRequest& request, FakeExchange& exchange);
  void handle_ollama(const FakeRequest& request, const nlohmann::json& body, FakeExchange& exchange);
  void handle_openai(const FakeRequest& request, const nlohmann::json& body, FakeExchange& exchange);
  void ollama_generation(const FakeRequest& request, const nlohmann::json& body, FakeExchange& exchange,
                         bool chat);
  void ollama_pull(const nlohmann::json& body, FakeExchange& exchange);
  void openai_completion(const nlohmann::json& body, FakeExchange& exchange);
  void respond_error(FakeExchange& exchange, int status, std::string_view message,
                     std::string_view code = {});
  /// Applies a fault that answers instead of the normal response; true when it did.
  bool answer_with_fault(const std::optional<LlmFaultPlan>& fault, FakeExchange& exchange);
  std::optional<LlmFaultPlan> take_fault(bool generation);
  std::optional<SimulatedModel> find_model(std::string_view name) const;
  StreamStyle style() const;

  Protocol protocol_;
  mutable std::mutex mutex_;
  std::vector<SimulatedModel> models_;
  LlmFaultPlan fault_;
  std::chrono::milliseconds token_delay_{0};
  std::size_t split_bytes_ = 0;
  std::size_t messages_per_chunk_ = 1;
  bool noise_ = false;
  std::string api_key_;
  std::atomic<std::int64_t> pieces_written_{0};
  std::atomic<int> next_id_{0};
  FakeHttpServer server_;  ///< last: its threads call handle(), which uses everything above
};

/// An Ollama server (`/api/chat`, `/api/generate`, `/api/tags`, `/api/ps`, `/api/show`,
/// `/api/embed`, `/api/pull`, `/api/version`).
class OllamaSimulator final : public LlmSimulator {
 public:
  OllamaSimulator() : LlmSimulator(Protocol::kOllama) {}
};

/// An OpenAI-compatible server (`/v1/chat/completions` streamed or not, `/v1/models`,
/// `/v1/embeddings`).
class OpenAiSimulator final : public LlmSimulator {
 public:
  OpenAiSimulator() : LlmSimulator(Protocol::kOpenAi) {}
};

}  // namespace personae::testing

#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/http_client/http_client.hpp"
#include "core/error.hpp"
#include "ports/llm_provider.hpp"

/// What both LLM adapters share: building requests, mapping failures to the port's errors, timing
/// streams. Internal to adapters/llm/.
namespace personae::llm::internal {

/// Upstream text kept in an error's detail.
inline constexpr std::size_t kDetailBytes = 300;

/// How one provider is reached (from the adapter's options).
struct Endpoint {
  std::string name;
  std::string base_url;  ///< without trailing slashes
  std::chrono::milliseconds timeout{120'000};
  std::chrono::milliseconds connect_timeout{5'000};
  std::optional<std::chrono::milliseconds> idle_timeout;
  std::uint64_t max_response_bytes = 16ULL * 1024 * 1024;
  /// Extra headers, Authorization included when an API key is configured.
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Checks the options shared by both adapters (throws std::invalid_argument: configuration is
/// validated before adapters are built, so a bad value here is a bug) and builds the Endpoint.
Endpoint make_endpoint(std::string name, std::string_view base_url, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds connect_timeout,
                       std::optional<std::chrono::milliseconds> idle_timeout,
                       std::uint64_t max_response_bytes,
                       std::vector<std::pair<std::string, std::string>> headers, const std::string& api_key);

/// What a failure is about, for messages and details.
struct CallContext {
  std::string_view provider;
  std::string_view operation;  ///< "chat", "generate", "list models", "embed", "pull"
  std::string_view model;      ///< empty for calls about no model
};

/// The outbound request for `path` (e.g. "/api/chat"): method, URL, JSON headers, timeouts.
/// `timeout`: the call's own, cut to the endpoint's.
outbound::Request make_request(const Endpoint& endpoint, std::string method, std::string_view path,
                               std::optional<std::chrono::milliseconds> timeout);

/// `text` cut to `max` bytes (on a UTF-8 boundary), with "..." when cut.
std::string cut(std::string_view text, std::size_t max = kDetailBytes);

/// Re-labels an HttpClient failure for callers of the port: same code (an invalid outbound request
/// can only come from the configuration: kUnavailable) and retry_after, an LLM message, the context
/// in the detail.
Error transport_error(const Error& cause, const CallContext& context);
/// Maps a non-2xx response that HttpClient handed back as a response (1xx-4xx).
Error status_error(const outbound::Response& response, const CallContext& context);
/// A malformed upstream answer (bad gateway).
Error bad_gateway(const CallContext& context, std::string_view why);
/// A stream that ended without its final message.
Error truncated(const CallContext& context, std::string_view why);
/// An error reported inside an HTTP 200 stream.
Error upstream_failed(const CallContext& context, std::string_view upstream_message);
/// A structured-output reply that is not JSON.
Error not_json(const CallContext& context);
/// A structured-output reply that is JSON of another shape than the schema's.
Error wrong_schema(const CallContext& context, std::string_view mismatch);
Error invalid_argument(const CallContext& context, std::string message);

/// The request's schema, parsed: nullopt when none; kInvalidArgument unless a JSON object.
Result<std::optional<nlohmann::json>> parse_schema(const std::optional<std::string>& schema,
                                                   const CallContext& context);

/// Whether `text` is one JSON value (surrounding whitespace allowed).
bool is_json(std::string_view text);

/// Where `value` departs from the shape `schema` asks for ("$.caption: required",
/// "$.hashtags[1]: expected string"), or nullopt when it has that shape. Checks `type`, `enum`,
/// `const`, `properties`, `required`, `additionalProperties` (false or a schema) and `items` (a
/// schema), recursively; every other keyword is ignored (the port leaves bounds to the caller).
std::optional<std::string> schema_mismatch(const nlohmann::json& schema, const nlohmann::json& value);

/// The structured-output check of a finished reply: nullopt when no schema was asked for or the
/// content is JSON of the schema's shape; otherwise not_json() or wrong_schema().
std::optional<Error> check_structured(const std::optional<nlohmann::json>& schema, std::string_view content,
                                      const CallContext& context);

/// A string field of a JSON object, or "" when absent or not a string.
std::string_view string_field(const nlohmann::json& object, const char* key);
/// A non-negative integer field, or nullopt.
std::optional<std::int64_t> count_field(const nlohmann::json& object, const char* key);

/// An upstream error's text from a JSON body: Ollama's {"error": "..."} or OpenAI's
/// {"error": {"message": "..."}}; the raw body (cut) otherwise.
std::string upstream_message(std::string_view body);

/// Times one call: time to first token, total, tokens per second.
class CallTimer {
 public:
  CallTimer() : started_(std::chrono::steady_clock::now()) {}

  /// Marks a piece of content received (the first one sets the time to first token).
  void piece() {
    if (pieces_++ == 0) first_ = std::chrono::steady_clock::now();
  }
  std::int64_t pieces() const { return pieces_; }

  /// Fills the timing fields of `result` (streamed: time to first token and rate too).
  void finish(ChatResult& result, bool streamed) const;

 private:
  std::chrono::steady_clock::time_point started_;
  std::optional<std::chrono::steady_clock::time_point> first_;
  std::int64_t pieces_ = 0;
};

/// Streams the response body of `http` into `feed` (false from it stops the transfer) and stops
/// the transfer once `cancellation` is set, whether bytes are flowing (before `feed` sees the
/// next chunk) or the server is silent (the client polls it about once a second); a stop for
/// cancellation sets `cancelled`. The references must outlive the send.
void stream_until_cancelled(outbound::Request& http, const CancellationToken& cancellation, bool& cancelled,
                            std::function<bool(std::string_view chunk)> feed);

/// The end of a streamed call that both protocols share, before each checks its own final
/// message: a failure the stream recorded, a cancellation (the partial `result`, timed), the
/// transport's error, or a non-2xx status. Sets the result's model (when the stream named none)
/// and provider. nullopt: the body arrived whole; the caller goes on with `result`.
std::optional<Result<ChatResult>> settle_stream(std::optional<Error>& failure, bool cancelled,
                                                ChatResult& result, const CallTimer& timer,
                                                const Result<outbound::Response>& response,
                                                const CallContext& context, const std::string& provider);

}  // namespace personae::llm::internal

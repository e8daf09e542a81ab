#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/error.hpp"

/// The one outbound HTTP client (libcurl) that every adapter uses: S3, LLM servers, social
/// platforms. Adapters hold only endpoint mapping and types; deadlines, TLS, redirects, size caps,
/// retries and logging live here.
namespace personae::outbound {

/// A byte range of a file, sent as a request body without loading it into memory.
struct FileRange {
  std::filesystem::path path;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

/// AWS Signature Version 4 (libcurl's CURLOPT_AWS_SIGV4). libcurl signs the host, the
/// `x-amz-*` headers and the payload hash taken from the `x-amz-content-sha256` header, which the
/// caller must set (S3 answers 400 without it).
struct AwsSigV4 {
  std::string region;   ///< e.g. "eu-west-1"
  std::string service;  ///< e.g. "s3"
  std::string access_key;
  std::string secret_key;  ///< handed to libcurl only; never logged, never in an Error
};

/// One outbound request. The body is empty, a string, or a byte range of a file.
struct Request {
  std::string method = "GET";  ///< any token; HEAD asks for no body
  std::string url;             ///< http:// or https:// only
  std::vector<std::pair<std::string, std::string>> headers;
  std::variant<std::monostate, std::string, FileRange> body;

  /// The whole exchange, connecting and the body included. Timeouts must be positive.
  std::chrono::milliseconds timeout{30'000};
  std::chrono::milliseconds connect_timeout{5'000};
  /// When set, the request fails as a timeout once no byte has moved either way for this long
  /// (checked about once a second): for long streams whose total duration is unknown.
  std::optional<std::chrono::milliseconds> idle_timeout;
  /// A response body over this many bytes (buffered or streamed) fails with kUnavailable.
  std::uint64_t max_response_bytes = 16ULL * 1024 * 1024;

  std::optional<AwsSigV4> aws_sigv4;

  /// Streaming: when set, the body of a 2xx response is handed over in chunks as it arrives
  /// instead of being kept in Response::body. Returning false cancels the transfer; send() then
  /// returns the response with `cancelled` set. Bodies of other statuses are still buffered.
  std::function<bool(std::string_view chunk)> on_body;
  /// When set, polled on the sending thread while the transfer runs (about once a second while
  /// nothing moves, more often while bytes flow); returning true cancels it as on_body's false
  /// does (`cancelled` set, status 0 when no head had arrived), so a caller that lost interest
  /// stops waiting on a silent server well before the timeout. Must be cheap and thread-safe
  /// with whatever sets it (an atomic flag).
  std::function<bool()> should_abort;

  /// Whether sending it twice has the same effect as once. Retrier retries a failure that may have
  /// reached the server only for idempotent requests (connection refusals are always retried: the
  /// request never left). Non-idempotent requests also get a fresh connection, since libcurl
  /// resends a request on its own when a reused connection turns out dead.
  bool idempotent = false;
};

struct Response {
  int status = 0;
  /// In arrival order, names as received (use header() for case-insensitive lookup).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// The request's on_body returned false, or its should_abort returned true; the body (and, when
  /// no head had arrived, the status and headers) is incomplete.
  bool cancelled = false;

  /// The first header named `name` (case-insensitive), trimmed; nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
};

/// How one attempt ended, for retry decisions: the error says it for callers, `transient` whether
/// trying again may help, `sent` whether any of the request may have reached the server.
struct Attempt {
  Result<Response> result;
  bool transient = false;
  bool sent = true;
};

struct HttpClientOptions {
  /// PEM bundle of trusted CAs; empty: the system's (Debian: /etc/ssl/certs). Verification of the
  /// peer and of the host name is always on.
  std::filesystem::path ca_bundle;
  /// Proxy URL; empty: none. The environment (http_proxy, ALL_PROXY, ...) is never consulted.
  std::string proxy;
  /// Idle curl handles kept for reuse; each keeps its open connections, so repeated calls to the
  /// same host skip the TCP and TLS handshakes.
  std::size_t max_idle_handles = 16;
  std::string user_agent = "personae";
};

/// Sends requests over libcurl. Never follows redirects (a 3xx is returned as a response, ASVS
/// 15.3.2), verifies TLS certificates and host names (12.3), speaks only http and https, ignores
/// proxy variables from the environment.
///
/// Errors (Result): connection failures, broken or malformed responses and 5xx statuses are
/// kUnavailable; timeouts kDeadlineExceeded; 429 kResourceExhausted with `retry_after` from
/// Retry-After (seconds or an HTTP date; also set on a 503 that carries it); a response body over
/// `max_response_bytes` kUnavailable; an invalid URL or scheme kInvalidArgument; an unreadable
/// body file kInternal. Other statuses (1xx-4xx) are responses: callers map them. `message` is
/// generic and client-safe; `detail` names the method, host, path (never the query) and the curl
/// error or status, and never credentials or the Authorization header.
///
/// Logging: one debug line per attempt (method, host, path, status, duration_ms).
///
/// Thread-safe: concurrent send() calls each lease a curl handle from a small pool.
class HttpClient {
 public:
  /// Initialises libcurl once per process (curl_global_init, thread-safely).
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// One attempt; blocks for at most the request's timeout.
  Result<Response> send(const Request& request);
  /// send(), with what a retry decision needs (Retrier uses it).
  Attempt attempt(const Request& request);

 private:
  class HandlePool;
  HttpClientOptions options_;
  std::unique_ptr<HandlePool> pool_;
};

/// Parses a Retry-After value: delta-seconds, or an HTTP date (relative to `now`; a date in the
/// past is zero). nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

/// The parts of a URL that may be logged: "HOST" and "/path" (no user info, no query, no
/// fragment). Empty strings when the URL does not parse.
struct LoggableUrl {
  std::string scheme;
  std::string host;  ///< with ":port" when the URL names one
  std::string path;
};
LoggableUrl loggable_url(std::string_view url);

}  // namespace personae::outbound

#include "adapters/http_client/http_client.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <system_error>

#include "observability/log.hpp"

namespace personae::outbound {
namespace {

using std::chrono::milliseconds;

constexpr std::string_view kUnavailableMessage = "The upstream service is unavailable.";

void initialise_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("curl_global_init failed");
    }
  });
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos || text.find('\0') != std::string_view::npos;
}

/// Closes the body file on every path out of a transfer.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

/// Everything one transfer's callbacks share.
struct Transfer {
  const Request* request = nullptr;
  Response response;
  std::uint64_t received = 0;
  bool too_large = false;
  bool cancelled = false;
  // Idle timeout: when a byte last moved either way.
  std::chrono::steady_clock::time_point last_activity = std::chrono::steady_clock::now();
  bool idle_timed_out = false;

  // The request body: bytes in memory, or a file range read with pread.
  std::string_view body_bytes;
  int body_fd = -1;
  std::uint64_t body_offset = 0;
  std::uint64_t body_length = 0;
  std::uint64_t body_position = 0;
  bool read_failed = false;
  int read_errno = 0;
};

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t total = size * count;
  transfer.last_activity = std::chrono::steady_clock::now();
  const std::string_view line = trim(std::string_view(data, total));
  if (line.rfind("HTTP/", 0) == 0) {
    // A new head (after a 100 Continue, say): only the last one describes the response.
    transfer.response.headers.clear();
    const auto space = line.find(' ');
    if (space != std::string_view::npos && line.size() >= space + 4) {
      int status = 0;
      for (std::size_t i = space + 1; i < space + 4; ++i) {
        if (line[i] < '0' || line[i] > '9') return 0;  // curl rejects it too; be explicit
        status = status * 10 + (line[i] - '0');
      }
      transfer.response.status = status;
    }
    return total;
  }
  if (line.empty()) return total;
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return total;
  transfer.response.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                         std::string(trim(line.substr(colon + 1))));
  return total;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t total = size * count;
  transfer.last_activity = std::chrono::steady_clock::now();
  transfer.received += total;
  if (transfer.received > transfer.request->max_response_bytes) {
    transfer.too_large = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  const int status = transfer.response.status;
  if (transfer.request->on_body && status >= 200 && status < 300) {
    if (!transfer.request->on_body(std::string_view(data, total))) {
      transfer.cancelled = true;
      return 0;
    }
    return total;
  }
  transfer.response.body.append(data, total);
  return total;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::uint64_t left = transfer.body_length - transfer.body_position;
  const std::size_t wanted = static_cast<std::size_t>(std::min<std::uint64_t>(size * count, left));
  if (wanted == 0) return 0;
  if (transfer.body_fd < 0) {
    std::memcpy(buffer, transfer.body_bytes.data() + transfer.body_position, wanted);
    transfer.body_position += wanted;
    transfer.last_activity = std::chrono::steady_clock::now();
    return wanted;
  }
  const auto offset = static_cast<off_t>(transfer.body_offset + transfer.body_position);
  ssize_t n = -1;
  do {
    n = ::pread(transfer.body_fd, buffer, wanted, offset);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    // A read error, or the file is shorter than the range: never send a short body.
    transfer.read_failed = true;
    transfer.read_errno = n < 0 ? errno : 0;
    return CURL_READFUNC_ABORT;
  }
  transfer.body_position += static_cast<std::uint64_t>(n);
  transfer.last_activity = std::chrono::steady_clock::now();
  return static_cast<std::size_t>(n);
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  // libcurl calls this at least once a second, also while nothing moves.
  auto& transfer = *static_cast<Transfer*>(user);
  const Request& request = *transfer.request;
  if (request.should_abort && request.should_abort()) {
    transfer.cancelled = true;
    return 1;  // aborts the transfer (CURLE_ABORTED_BY_CALLBACK)
  }
  if (request.idle_timeout &&
      std::chrono::steady_clock::now() - transfer.last_activity > *request.idle_timeout) {
    transfer.idle_timed_out = true;
    return 1;
  }
  return 0;
}

int on_seek(void* user, curl_off_t offset, int origin) {
  // libcurl rewinds when it resends on a fresh connection (a reused one turned out dead).
  auto& transfer = *static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<std::uint64_t>(offset) > transfer.body_length) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  transfer.body_position = static_cast<std::uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

struct HeaderList {
  curl_slist* list = nullptr;
  HeaderList() = default;
  ~HeaderList() { curl_slist_free_all(list); }
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  bool add(const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next == nullptr) return false;
    list = next;
    return true;
  }
};

std::string describe(const Request& request) {
  const auto url = loggable_url(request.url);
  return request.method + " " + url.host + url.path;
}

Attempt fail(ErrorCode code, std::string message, std::string detail, bool transient, bool sent,
             std::optional<milliseconds> retry_after = std::nullopt) {
  Attempt attempt{tl::unexpected<Error>(Error{code, std::move(message), std::move(detail), retry_after}),
                  transient, sent};
  return attempt;
}

bool is_tls_failure(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED: return true;
    default: return false;
  }
}

/// Maps a failed curl transfer to an Attempt.
Attempt map_curl_failure(CURLcode code, const char* error_buffer, const std::string& what,
                         bool request_sent) {
  std::string detail =
      what + ": curl error " + std::to_string(static_cast<int>(code)) + " (" + curl_easy_strerror(code) + ")";
  if (error_buffer[0] != '\0') detail += ": " + std::string(error_buffer);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return fail(ErrorCode::kUnavailable, std::string(kUnavailableMessage), detail, true, false);
    case CURLE_OPERATION_TIMEDOUT:
      return fail(ErrorCode::kDeadlineExceeded, "The upstream service did not answer in time.", detail, true,
                  request_sent);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
      return fail(ErrorCode::kUnavailable, std::string(kUnavailableMessage), detail, true, request_sent);
    case CURLE_URL_MALFORMAT:
      return fail(ErrorCode::kInvalidArgument, "The outbound request is invalid.", detail, false, false);
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_CONTENT_ENCODING:
      return fail(ErrorCode::kUnavailable, std::string(kUnavailableMessage), detail + " (malformed response)",
                  false, request_sent);
    default: break;
  }
  if (is_tls_failure(code)) {
    // ASVS 16.3.4: TLS failures are logged as such, since they may mean an attack.
    log::warn("outbound TLS failure", {{"detail", detail}});
    return fail(ErrorCode::kUnavailable, std::string(kUnavailableMessage), detail + " (TLS)", false,
                request_sent);
  }
  return fail(ErrorCode::kUnavailable, std::string(kUnavailableMessage), detail, false, request_sent);
}

}  // namespace

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // Beyond a day is as good as "much later"; the cap also keeps the arithmetic in range.
    constexpr std::int64_t kMaxSeconds = 86'400;
    std::int64_t seconds = 0;
    for (const char c : value) {
      seconds = std::min<std::int64_t>(seconds * 10 + (c - '0'), kMaxSeconds);
    }
    return milliseconds(seconds * 1000);
  }
  const std::string text(value);
  const time_t date = curl_getdate(text.c_str(), nullptr);
  if (date < 0) return std::nullopt;
  const auto delta = std::chrono::system_clock::from_time_t(date) - now;
  if (delta <= std::chrono::system_clock::duration::zero()) return milliseconds(0);
  return std::min(std::chrono::duration_cast<milliseconds>(delta), milliseconds(86'400'000));
}

LoggableUrl loggable_url(std::string_view url) {
  LoggableUrl parts;
  CURLU* handle = curl_url();
  if (handle == nullptr) return parts;
  const std::string text(url);
  if (curl_url_set(handle, CURLUPART_URL, text.c_str(), 0) == CURLUE_OK) {
    auto read = [&](CURLUPart part) {
      char* value = nullptr;
      std::string result;
      if (curl_url_get(handle, part, &value, 0) == CURLUE_OK && value != nullptr) result = value;
      curl_free(value);
      return result;
    };
    parts.scheme = read(CURLUPART_SCHEME);
    parts.host = read(CURLUPART_HOST);
    const std::string port = read(CURLUPART_PORT);
    if (!port.empty()) parts.host += ":" + port;
    parts.path = read(CURLUPART_PATH);
  }
  curl_url_cleanup(handle);
  return parts;
}

/// Idle easy handles; each keeps its connection cache across curl_easy_reset.
class HttpClient::HandlePool {
 public:
  explicit HandlePool(std::size_t max_idle) : max_idle_(max_idle) {}
  ~HandlePool() {
    for (CURL* handle : idle_) curl_easy_cleanup(handle);
  }
  HandlePool(const HandlePool&) = delete;
  HandlePool& operator=(const HandlePool&) = delete;

  CURL* acquire() {
    {
      const std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        CURL* handle = idle_.back();
        idle_.pop_back();
        return handle;
      }
    }
    CURL* handle = curl_easy_init();
    if (handle == nullptr) throw std::runtime_error("curl_easy_init failed");
    return handle;
  }

  void release(CURL* handle) {
    curl_easy_reset(handle);
    {
      const std::lock_guard lock(mutex_);
      if (idle_.size() < max_idle_) {
        idle_.push_back(handle);
        return;
      }
    }
    curl_easy_cleanup(handle);
  }

 private:
  std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)), pool_(std::make_unique<HandlePool>(options_.max_idle_handles)) {
  initialise_curl_once();
}

HttpClient::~HttpClient() = default;

Result<Response> HttpClient::send(const Request& request) {
  return attempt(request).result;
}

Attempt HttpClient::attempt(const Request& request) {
  const std::string what = describe(request);
  const auto url = loggable_url(request.url);
  if (url.scheme != "http" && url.scheme != "https") {
    return fail(ErrorCode::kInvalidArgument, "The outbound request is invalid.",
                what + ": only http and https URLs are allowed", false, false);
  }
  if (request.method.empty() || has_line_break(request.method) ||
      request.method.find(' ') != std::string::npos) {
    return fail(ErrorCode::kInvalidArgument, "The outbound request is invalid.", what + ": invalid method",
                false, false);
  }
  // libcurl reads 0 as "no limit": every request has a deadline.
  if (request.timeout.count() <= 0 || request.connect_timeout.count() <= 0 ||
      (request.idle_timeout && request.idle_timeout->count() <= 0)) {
    return fail(ErrorCode::kInvalidArgument, "The outbound request is invalid.",
                what + ": timeouts must be positive", false, false);
  }

  Transfer transfer;
  transfer.request = &request;
  FileDescriptor body_file;
  bool has_body = false;
  if (const auto* bytes = std::get_if<std::string>(&request.body)) {
    transfer.body_bytes = *bytes;
    transfer.body_length = bytes->size();
    has_body = true;
  } else if (const auto* range = std::get_if<FileRange>(&request.body)) {
    const int fd = ::open(range->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return fail(ErrorCode::kInternal, "The request body could not be read.",
                  what + ": cannot open the body file: " + std::generic_category().message(errno), false,
                  false);
    }
    body_file.reset(fd);
    transfer.body_fd = fd;
    transfer.body_offset = range->offset;
    transfer.body_length = range->length;
    has_body = true;
  } else if (request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    has_body = true;  // an empty body, sent with Content-Length: 0
  }

  HeaderList headers;
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || has_line_break(name) || has_line_break(value) ||
        name.find(':') != std::string::npos) {
      return fail(ErrorCode::kInvalidArgument, "The outbound request is invalid.",
                  what + ": invalid header " + (has_line_break(name) ? std::string("name") : name), false,
                  false);
    }
    // curl's syntax for a header with an empty value is "Name;".
    std::string line = name;
    line += value.empty() ? ";" : ": ";
    line += value;
    if (!headers.add(line)) throw std::bad_alloc();
  }
  // No "Expect: 100-continue" round trip: bodies are bounded and S3 does not need it.
  if (has_body && !headers.add("Expect:")) throw std::bad_alloc();

  CURL* handle = pool_->acquire();
  struct Lease {
    HandlePool& pool;
    CURL* handle;
    ~Lease() { pool.release(handle); }
  } lease{*pool_, handle};

  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer.data());
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_bundle.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  // An explicit (possibly empty) proxy: libcurl then ignores http_proxy and friends.
  curl_easy_setopt(handle, CURLOPT_PROXY, options_.proxy.c_str());
  curl_easy_setopt(handle, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
  // libcurl silently resends a request whose kept-alive connection turns out dead before any
  // answer; the server may have acted on it all the same. Only idempotent requests take that
  // risk: the others get a connection of their own.
  if (!request.idempotent) curl_easy_setopt(handle, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  if (request.idle_timeout || request.should_abort) {
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  }
  if (request.method != "HEAD") {
    // A declared Content-Length over the cap fails before any byte of the body. Not for HEAD: its
    // Content-Length describes a body that is not sent.
    const auto cap = std::min<std::uint64_t>(
        request.max_response_bytes, static_cast<std::uint64_t>(std::numeric_limits<curl_off_t>::max()));
    curl_easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(cap));
  }
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.list);

  if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(transfer.body_length));
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(handle, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(handle, CURLOPT_SEEKDATA, &transfer);
    if (request.method != "PUT") curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method == "GET") {
    curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  std::string provider;
  if (request.aws_sigv4) {
    provider = "aws:amz:" + request.aws_sigv4->region + ":" + request.aws_sigv4->service;
    curl_easy_setopt(handle, CURLOPT_AWS_SIGV4, provider.c_str());
    curl_easy_setopt(handle, CURLOPT_USERNAME, request.aws_sigv4->access_key.c_str());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, request.aws_sigv4->secret_key.c_str());
  }

  const auto started = std::chrono::steady_clock::now();
  const CURLcode code = curl_easy_perform(handle);
  const auto duration =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started).count();
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t pretransfer = 0;
  curl_easy_getinfo(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
  // Until the pre-transfer point (connected, TLS done) nothing of the request has left.
  const bool request_sent = pretransfer > 0;

  if (log::enabled(log::Level::kDebug)) {
    log::debug("outbound request", {{"method", request.method},
                                    {"host", url.host},
                                    {"path", url.path},
                                    {"status", status},
                                    {"curl_code", static_cast<int>(code)},
                                    {"duration_ms", duration}});
  }

  if (transfer.cancelled) {
    transfer.response.cancelled = true;
    return Attempt{std::move(transfer.response), false, true};
  }
  if (transfer.idle_timed_out) {
    return fail(ErrorCode::kDeadlineExceeded, "The upstream service did not answer in time.",
                what + ": nothing received for " + std::to_string(request.idle_timeout->count()) + " ms",
                true, request_sent);
  }
  if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return fail(
        ErrorCode::kUnavailable,
        "the upstream response is larger than " + std::to_string(request.max_response_bytes) + " bytes",
        what + ": response body over " + std::to_string(request.max_response_bytes) + " bytes", false, true);
  }
  if (transfer.read_failed) {
    const std::string reason = transfer.read_errno != 0 ? std::generic_category().message(transfer.read_errno)
                                                        : std::string("the file is shorter than the range");
    return fail(ErrorCode::kInternal, "The request body could not be read.",
                what + ": reading the body file failed: " + reason, false, request_sent);
  }
  if (code != CURLE_OK) return map_curl_failure(code, error_buffer.data(), what, request_sent);

  transfer.response.status = static_cast<int>(status);
  const auto retry_after_header = transfer.response.header("Retry-After");
  const auto retry_after =
      retry_after_header ? parse_retry_after(*retry_after_header) : std::optional<milliseconds>();
  if (status == 429) {
    return fail(ErrorCode::kResourceExhausted, "The upstream service asked us to slow down.",
                what + ": HTTP 429", true, true, retry_after);
  }
  if (status >= 500) {
    return fail(ErrorCode::kUnavailable, std::string(kUnavailableMessage),
                what + ": HTTP " + std::to_string(status), true, true, retry_after);
  }
  return Attempt{std::move(transfer.response), false, true};
}

}  // namespace personae::outbound

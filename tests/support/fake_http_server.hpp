#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace personae::testing {

using HeaderPairs = std::vector<std::pair<std::string, std::string>>;

/// One request as the fake server received it.
struct FakeRequest {
  std::string method;
  std::string target;  ///< as sent: path and query
  std::string path;    ///< the target before '?'
  std::string query;   ///< the target after '?' ("" when none)
  HeaderPairs headers;
  std::string body;    ///< de-chunked when sent chunked
  int connection = 0;  ///< which accepted connection carried it (1 for the first)

  /// The first header named `name` (case-insensitive); "" when absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

/// How a handler answers: a whole response, a head then chunks (slowly if it sleeps between them),
/// raw bytes (malformed answers), or a broken connection. Calls after close() or reset() do
/// nothing. Writes that fail (the client went away) are ignored: see closed().
class FakeExchange {
 public:
  /// `before_close` runs before the socket is closed (the server stops tracking it).
  FakeExchange(int fd, const std::atomic<bool>& stopping, std::mutex& wait_mutex,
               std::condition_variable& wait_signal, std::function<void(int)> before_close);

  /// A complete response with Content-Length (none for 1xx, 204 and 304). To a HEAD request only
  /// the head goes out, with the body's length.
  void respond(int status, std::string_view body = {}, const HeaderPairs& headers = {});
  /// The status line and headers; with `content_length` the body follows through send_raw(),
  /// without it the response is chunked (send_chunk(), then finish_chunks()).
  void send_head(int status, const HeaderPairs& headers = {},
                 std::optional<std::uint64_t> content_length = std::nullopt);
  void send_chunk(std::string_view data);
  void finish_chunks();
  /// Bytes as they are, for malformed answers or a body after send_head().
  void send_raw(std::string_view bytes);
  /// Closes the connection (FIN) after what was sent.
  void close();
  /// Aborts the connection (RST): the client sees "connection reset".
  void reset();
  /// Waits `duration`; returns early (false) when the server is stopping.
  bool sleep(std::chrono::milliseconds duration);

  /// Called by the server before each request's handler.
  void begin_response(const FakeRequest& request);
  bool responded() const { return responded_; }
  bool closed() const { return fd_ < 0; }
  /// Whether the response asked for the connection to close ("Connection: close").
  bool close_after() const { return close_after_; }

 private:
  void write_all(std::string_view bytes) const;

  int fd_;
  const std::atomic<bool>& stopping_;
  std::mutex& wait_mutex_;
  std::condition_variable& wait_signal_;
  std::function<void(int)> before_close_;
  bool responded_ = false;
  bool close_after_ = false;
  bool head_request_ = false;
};

using FakeHandler = std::function<void(const FakeRequest&, FakeExchange&)>;

/// A small HTTP/1.1 server on 127.0.0.1 (a free port picked by the kernel) for tests of outbound
/// clients, scripted per test with handlers. A thread per connection, keep-alive, Content-Length
/// and chunked request bodies, "Expect: 100-continue" answered. Every request is recorded before
/// its handler runs. A handler that returns without answering leaves the connection closed.
///
/// Thread-safe: handlers may be replaced and requests read while clients are connected. The
/// destructor (or stop()) closes every connection and joins the threads; handlers sleeping through
/// FakeExchange::sleep wake up at once.
class FakeHttpServer {
 public:
  /// Answers 404 until a handler is set.
  FakeHttpServer();
  explicit FakeHttpServer(FakeHandler handler);
  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:PORT" + target.
  std::string url(std::string_view target = "/") const;

  void set_handler(FakeHandler handler);
  /// The handlers answer the next requests in turn, one each; the last one keeps answering.
  void set_sequence(std::vector<FakeHandler> handlers);

  std::vector<FakeRequest> requests() const;
  std::size_t request_count() const;
  int connections_accepted() const { return connections_.load(); }
  /// Waits until at least `count` requests have arrived; false on timeout.
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const;
  void clear_requests();

  void stop();

 private:
  void accept_loop();
  void serve(int fd, int connection);
  FakeHandler next_handler();
  void forget_fd(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;

  mutable std::mutex mutex_;
  mutable std::condition_variable requests_changed_;
  std::vector<FakeHandler> handlers_;
  std::size_t next_handler_ = 0;
  std::vector<FakeRequest> requests_;
  std::vector<std::thread> workers_;
  std::set<int> open_fds_;

  std::mutex wait_mutex_;
  std::condition_variable wait_signal_;
};

/// A handler that answers every request with this response.
FakeHandler respond_with(int status, std::string body = {}, HeaderPairs headers = {});

}  // namespace personae::testing

#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "http/http_service.hpp"

namespace personae::http {

struct ServerOptions {
  std::string host = "127.0.0.1";  ///< an IP address or a name resolved once at start()
  std::uint16_t port = 8080;       ///< 0: any free port (read it back with Server::port())
  int io_threads = 1;              ///< threads running the connections (never blocked)
  int worker_threads = 4;          ///< the bounded pool that runs Execution::kBlocking handlers
  /// Blocking handlers waiting for a worker; beyond it, 503 with Retry-After: 1, handler not run.
  std::size_t max_pending_blocking = 256;
  std::size_t max_body_bytes = std::size_t{1024} * 1024;  ///< beyond it: 413
  std::size_t max_header_bytes = std::size_t{16} * 1024;  ///< request line and fields; beyond it: 431
  std::chrono::milliseconds header_timeout{10'000};       ///< from the first byte to the end of the head: 408
  std::chrono::milliseconds body_timeout{30'000};         ///< to read the whole body: 408
  std::chrono::milliseconds idle_timeout{60'000};         ///< keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};        ///< to write one response
  std::chrono::milliseconds shutdown_timeout{20'000};     ///< for in-flight requests to finish
  std::size_t max_connections = 10'000;  ///< beyond it, a new connection gets 503 and is closed
  /// Where bodies of BodyPolicy::spool_to_file routes are written while they arrive (created 0700
  /// when missing; spool files left by a crash are removed at start()). Empty: the system's
  /// temporary folder.
  std::filesystem::path spool_directory;
};

/// The HTTP/1.1 server (Boost.Beast + Asio coroutines). Each connection is a coroutine on a strand
/// of `io_threads` threads; kBlocking handlers run on a pool of `worker_threads` threads. Installs
/// no signal handlers: main waits for signals and calls shutdown().
///
/// A request is routed (HttpService::prepare) as soon as its head is read; its body is then read
/// under the route's BodyPolicy: its own size limit (checked against Content-Length before the
/// body, and before `100 Continue`), its own deadline, and for upload routes straight into a
/// SpooledBody file.
///
/// Registers in the service's metrics registry:
///   personae_http_connections_open                gauge
///   personae_http_connections_rejected_total      counter (over max_connections)
///   personae_http_blocking_queue_depth            gauge (handlers waiting for a worker)
///   personae_http_blocking_rejected_total         counter (503 because the queue was full)
class Server {
 public:
  /// Throws std::invalid_argument for nonsensical options (no threads). `service` must outlive it.
  Server(ServerOptions options, HttpService& service);
  /// Shuts down (as shutdown()) if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds, listens and starts the threads. Throws std::runtime_error such as
  /// "cannot listen on 127.0.0.1:8080: Address already in use". Call once.
  void start();

  /// The bound port (the real one when options.port was 0); 0 before start().
  int port() const;

  /// Stops accepting, marks the service draining, closes idle keep-alive connections, lets
  /// in-flight requests finish (their responses say Connection: close) for up to
  /// shutdown_timeout, then closes the rest, waits for running handlers, and joins every thread.
  /// Thread-safe and idempotent (a second call waits for the first); not from a handler.
  void shutdown();

  /// Blocks until shutdown() completed (returns at once if it never started).
  void wait();

  /// Blocking handlers queued and not yet started.
  std::size_t pending_blocking() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace personae::http

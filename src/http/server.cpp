#include "http/server.hpp"

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "core/crypto.hpp"
#include "http/beast_conversion.hpp"
#include "http/framing.hpp"
#include "http/problem.hpp"
#include "observability/log.hpp"

namespace personae::http {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr std::size_t kReadChunk = 8192;
// After an error answer, how long (and how much) to read and discard what the client still sends,
// so that closing does not reset the connection before it has read the answer.
constexpr std::chrono::milliseconds kLingerTime{500};
constexpr std::size_t kLingerBytes = 256 * 1024;

std::string http_date() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[64];
  const std::size_t size = std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return std::string(buffer, size);
}

std::string endpoint_text(const std::string& host, std::uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool is_disconnect(const error_code& ec) {
  return ec == asio::error::eof || ec == beast_http::error::end_of_stream ||
         ec == beast_http::error::partial_message || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::operation_aborted ||
         ec == asio::error::bad_descriptor;
}

struct Session {
  explicit Session(tcp::socket accepted) : socket(std::move(accepted)), timer(socket.get_executor()) {}

  tcp::socket socket;
  asio::steady_timer timer;
  boost::beast::flat_buffer buffer;
  std::string remote;
  // Touched only on the session's strand.
  bool idle = true;
  bool timed_out = false;
  bool force_closed = false;
  std::uint64_t deadline_generation = 0;
};

// Cancels the session's pending operation when `timeout` passes. The generation makes a timer
// that fired just as the operation completed harmless.
void arm_deadline(const std::shared_ptr<Session>& session, std::chrono::milliseconds timeout) {
  const std::uint64_t generation = ++session->deadline_generation;
  session->timed_out = false;
  session->timer.expires_after(timeout);
  session->timer.async_wait([weak = std::weak_ptr<Session>(session), generation](const error_code& ec) {
    const auto locked = weak.lock();
    if (ec || !locked || locked->deadline_generation != generation) return;
    locked->timed_out = true;
    error_code ignored;
    locked->socket.cancel(ignored);
  });
}

void disarm_deadline(Session& session) {
  ++session.deadline_generation;
  session.timer.cancel();
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions server_options, HttpService& http_service)
      : options(std::move(server_options)),
        service(http_service),
        connections_open(
            service.metrics().gauge("personae_http_connections_open", "Open HTTP connections.").labels({})),
        connections_rejected(service.metrics()
                                 .counter("personae_http_connections_rejected_total",
                                          "Connections closed at once because max_connections was reached.")
                                 .labels({})),
        queue_depth(
            service.metrics()
                .gauge("personae_http_blocking_queue_depth", "Blocking handlers waiting for a worker thread.")
                .labels({})),
        blocking_rejected(service.metrics()
                              .counter("personae_http_blocking_rejected_total",
                                       "Requests answered 503 because the worker queue was full.")
                              .labels({})) {}

  enum class State { kNew, kRunning, kStopping, kStopped };

  asio::awaitable<void> accept_loop();
  void reject_connection(tcp::socket& socket);
  asio::awaitable<void> run_session(std::shared_ptr<Session> session);
  asio::awaitable<void> serve(const std::shared_ptr<Session>& session);
  asio::awaitable<Response> run_blocking(const Route& route, const Request& request);
  asio::awaitable<bool> write(const std::shared_ptr<Session>& session, Response response, unsigned version,
                              bool keep_alive);
  asio::awaitable<void> refuse(const std::shared_ptr<Session>& session, Request& request, int status,
                               std::string detail, Clock::time_point started);
  asio::awaitable<void> linger_close(const std::shared_ptr<Session>& session);
  void for_each_session(const std::function<void(const std::shared_ptr<Session>&)>& action);

  const ServerOptions options;
  HttpService& service;
  observability::Gauge& connections_open;
  observability::Counter& connections_rejected;
  observability::Gauge& queue_depth;
  observability::Counter& blocking_rejected;

  std::mutex mutex;
  std::condition_variable changed;
  State state = State::kNew;
  std::set<std::shared_ptr<Session>> sessions;  // guarded by mutex
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> pending{0};
  std::atomic<int> port{0};
  std::vector<std::thread> threads;
  std::unique_ptr<asio::thread_pool> pool;
  // Declared last so that it goes first: destroying it frees any coroutine still suspended,
  // whose sessions unregister through the members above.
  asio::io_context io_context;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
};

void Server::Impl::for_each_session(const std::function<void(const std::shared_ptr<Session>&)>& action) {
  std::vector<std::shared_ptr<Session>> snapshot;
  {
    std::lock_guard lock(mutex);
    snapshot.assign(sessions.begin(), sessions.end());
  }
  for (const auto& session : snapshot) action(session);
}

asio::awaitable<void> Server::Impl::accept_loop() {
  for (;;) {
    tcp::socket socket(asio::make_strand(io_context));
    error_code ec;
    co_await acceptor->async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      // Out of file descriptors or similar: pause instead of spinning.
      log::warn("http_accept_failed", {{"error", ec.message()}});
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (draining.load()) {
      socket.close(ec);
      continue;
    }
    if (connections.load() >= options.max_connections) {
      reject_connection(socket);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto session = std::make_shared<Session>(std::move(socket));
    const auto remote = session->socket.remote_endpoint(ec);
    session->remote = ec ? std::string() : remote.address().to_string();
    connections.fetch_add(1);
    connections_open.inc();
    {
      std::lock_guard lock(mutex);
      sessions.insert(session);
    }
    asio::co_spawn(session->socket.get_executor(), run_session(session), asio::detached);
  }
}

void Server::Impl::reject_connection(tcp::socket& socket) {
  static constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\n"
      "Content-Type: application/problem+json; charset=utf-8\r\n"
      "Retry-After: 1\r\nConnection: close\r\nContent-Length: 85\r\n\r\n"
      R"({"type":"about:blank","title":"Service Unavailable","status":503,"detail":"too busy"})";
  static_assert(kBusy.size() - kBusy.find("\r\n\r\n") - 4 == 85);
  connections_rejected.inc();
  error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(asio::buffer(kBusy.data(), kBusy.size()), ec);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  socket.close(ec);
}

asio::awaitable<void> Server::Impl::run_session(std::shared_ptr<Session> session) {
  try {
    co_await serve(session);
  } catch (const std::exception& error) {
    log::error("http_connection_failed", {{"remote", session->remote}, {"what", error.what()}});
  }
  error_code ec;
  disarm_deadline(*session);
  session->socket.shutdown(tcp::socket::shutdown_both, ec);
  session->socket.close(ec);
  connections.fetch_sub(1);
  connections_open.dec();
  {
    std::lock_guard lock(mutex);
    sessions.erase(session);
  }
  changed.notify_all();
}

asio::awaitable<bool> Server::Impl::write(const std::shared_ptr<Session>& session, Response response,
                                          unsigned version, bool keep_alive) {
  auto message = to_beast_response(std::move(response), version, keep_alive);
  message.set(beast_http::field::date, http_date());
  error_code ec;
  arm_deadline(session, options.write_timeout);
  co_await beast_http::async_write(session->socket, message, asio::redirect_error(asio::use_awaitable, ec));
  disarm_deadline(*session);
  co_return !ec;
}

asio::awaitable<void> Server::Impl::linger_close(const std::shared_ptr<Session>& session) {
  error_code ec;
  session->socket.shutdown(tcp::socket::shutdown_send, ec);
  if (session->force_closed) co_return;
  arm_deadline(session, kLingerTime);
  std::size_t discarded = 0;
  std::array<char, kReadChunk> sink;
  while (!ec && discarded < kLingerBytes) {
    discarded += co_await session->socket.async_read_some(asio::buffer(sink),
                                                          asio::redirect_error(asio::use_awaitable, ec));
  }
  disarm_deadline(*session);
}

asio::awaitable<void> Server::Impl::refuse(const std::shared_ptr<Session>& session, Request& request,
                                           int status, std::string detail, Clock::time_point started) {
  if (session->force_closed) co_return;
  if (request.request_id.empty()) {
    const auto offered = request.headers.get("X-Request-Id");
    request.request_id = offered && valid_request_id(*offered) ? std::string(*offered) : random_hex(16);
  }
  Response response = HttpService::problem(request, status, std::move(detail));
  service.finish_unprepared(request, response, Clock::now() - started);
  if (co_await write(session, std::move(response), 11, false)) co_await linger_close(session);
}

asio::awaitable<Response> Server::Impl::run_blocking(const Route& route, const Request& request) {
  pending.fetch_add(1);
  queue_depth.inc();
  // The coroutine stays suspended (its frame, and so `request`, alive) until the handler posted
  // back to its strand; the pool is joined before the io_context goes away.
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Response)>(
      [this, &route, &request](auto handler) {
        asio::post(*pool, [this, &route, &request, handler = std::move(handler)]() mutable {
          pending.fetch_sub(1);
          queue_depth.dec();
          Response response = service.invoke(route, request);
          const auto executor = asio::get_associated_executor(handler);
          asio::post(executor, [handler = std::move(handler), response = std::move(response)]() mutable {
            std::move(handler)(std::move(response));
          });
        });
      },
      asio::use_awaitable);
}

asio::awaitable<void> Server::Impl::serve(const std::shared_ptr<Session>& session) {
  auto& socket = session->socket;
  auto& buffer = session->buffer;
  const auto buffered = [&buffer] {
    return std::string_view(static_cast<const char*>(buffer.data().data()), buffer.size());
  };
  for (;;) {
    error_code ec;
    if (buffer.size() == 0) {
      if (draining.load()) co_return;
      // Idle: a connection waiting here holds no request, and shutdown() may close it.
      session->idle = true;
      arm_deadline(session, options.idle_timeout);
      const std::size_t read = co_await socket.async_read_some(buffer.prepare(kReadChunk),
                                                               asio::redirect_error(asio::use_awaitable, ec));
      disarm_deadline(*session);
      session->idle = false;
      if (ec) co_return;
      buffer.commit(read);
    }
    session->idle = false;
    const auto started = Clock::now();
    Request partial;
    partial.remote_address = session->remote;

    RequestHeadScanner scanner(options.max_header_bytes);
    HeadScan scan;
    arm_deadline(session, options.header_timeout);
    for (;;) {
      scan = scanner.scan(buffered());
      if (scan.status != HeadScan::Status::kNeedMore) break;
      const std::size_t read = co_await socket.async_read_some(buffer.prepare(kReadChunk),
                                                               asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      buffer.commit(read);
    }
    disarm_deadline(*session);
    if (ec) {
      if (session->timed_out)
        co_await refuse(session, partial, 408, "the request head took too long", started);
      co_return;
    }
    if (scan.status == HeadScan::Status::kTooLarge) {
      co_await refuse(session, partial, 431, "the request head is larger than the limit", started);
      co_return;
    }
    if (scan.status == HeadScan::Status::kMalformed) {
      co_await refuse(session, partial, 400, scan.reason, started);
      co_return;
    }

    // The head alone first: the route it names decides how the body is read.
    beast_http::request_parser<beast_http::empty_body> head_parser;
    head_parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    // Checked below against the route's own limit. (Not boost::none: Boost 1.74 compares the
    // Content-Length with an empty optional as if it were exceeded.)
    head_parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    boost::beast::error_code parse_error;
    const std::size_t used = head_parser.put(asio::buffer(buffer.data().data(), scan.size), parse_error);
    if (parse_error || !head_parser.is_header_done()) {
      co_await refuse(session, partial, 400, "the request is not valid HTTP/1.1", started);
      co_return;
    }
    buffer.consume(used);
    partial.method_text = std::string(head_parser.get().method_string());
    partial.method = parse_method(partial.method_text);
    partial.target = std::string(head_parser.get().target());
    partial.headers = to_headers(head_parser.get().base());
    const unsigned version = head_parser.get().version();
    if (version != 10 && version != 11) {
      co_await refuse(session, partial, 505, "only HTTP/1.0 and HTTP/1.1 are supported", started);
      co_return;
    }
    if (const auto framing = check_request_framing(partial.headers, version)) {
      co_await refuse(session, partial, 400, *framing, started);
      co_return;
    }

    Request& request = partial;
    Response response;
    const Route* route = nullptr;
    std::optional<Response> immediate;
    auto prepared = service.prepare(request);
    if (auto* answer = std::get_if<Response>(&prepared)) {
      immediate = std::move(*answer);
    } else {
      route = std::get<const Route*>(prepared);
    }
    // From here on the request is prepared: every refusal goes through finish() (metrics under
    // the route, the in-flight gauge released).
    const auto refuse_prepared = [&](int status, std::string detail) -> asio::awaitable<void> {
      Response refusal = HttpService::problem(request, status, std::move(detail));
      service.finish(request, refusal, route, Clock::now() - started);
      if (session->force_closed) co_return;
      if (co_await write(session, std::move(refusal), version, false)) co_await linger_close(session);
    };
    // A client that went away before its request was complete: logged with nginx's 499.
    const auto finish_abandoned = [&] {
      Response abandoned;
      abandoned.status = 499;
      service.finish(request, abandoned, route, Clock::now() - started);
    };
    // An unroutable request's body is read (and dropped) under the defaults.
    const BodyPolicy policy = route != nullptr ? route->body : BodyPolicy{};
    const std::size_t body_limit = policy.max_bytes.value_or(options.max_body_bytes);
    if (const auto length = head_parser.content_length(); length && *length > body_limit) {
      co_await refuse_prepared(
          413, "the request body is larger than the limit of " + std::to_string(body_limit) + " bytes");
      co_return;
    }

    bool keep_alive = head_parser.keep_alive();
    if (!head_parser.is_done()) {
      const auto expect = partial.headers.get("Expect");
      if (expect && iequals(*expect, "100-continue") && version == 11) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        arm_deadline(session, options.write_timeout);
        co_await asio::async_write(socket, asio::buffer(kContinue.data(), kContinue.size()),
                                   asio::redirect_error(asio::use_awaitable, ec));
        disarm_deadline(*session);
        if (ec) {
          finish_abandoned();
          co_return;
        }
      }
      arm_deadline(session, policy.timeout.value_or(options.body_timeout));
      if (policy.spool_to_file && !immediate) {
        std::string spool_error;
        try {
          request.spooled_body =
              SpooledBody::create(options.spool_directory.empty() ? std::filesystem::temp_directory_path()
                                                                  : options.spool_directory);
        } catch (const std::system_error& error) {
          spool_error = error.what();
        }
        if (!spool_error.empty()) {
          disarm_deadline(*session);
          log::error("http_spool_failed", {{"request_id", request.request_id}, {"error", spool_error}});
          co_await refuse_prepared(503, "the server cannot store the upload right now");
          co_return;
        }
        beast_http::request_parser<beast_http::file_body> body_parser(std::move(head_parser));
        body_parser.body_limit(body_limit);
        boost::beast::error_code open_error;
        body_parser.get().body().open(request.spooled_body->path().c_str(), boost::beast::file_mode::write,
                                      open_error);
        if (!open_error) {
          co_await beast_http::async_read(socket, buffer, body_parser,
                                          asio::redirect_error(asio::use_awaitable, ec));
        }
        body_parser.get().body().close();
        keep_alive = body_parser.keep_alive();
        if (open_error) ec = open_error;
      } else {
        beast_http::request_parser<beast_http::string_body> body_parser(std::move(head_parser));
        body_parser.body_limit(body_limit);
        co_await beast_http::async_read(socket, buffer, body_parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
        keep_alive = body_parser.keep_alive();
        if (!immediate) request.body = std::move(body_parser.get().body());
      }
      disarm_deadline(*session);
      if (ec) {
        request.spooled_body.reset();  // a body cut off mid-way leaves nothing behind
        if (session->timed_out) {
          co_await refuse_prepared(408, "the request body took too long");
        } else if (ec == beast_http::error::body_limit) {
          co_await refuse_prepared(
              413, "the request body is larger than the limit of " + std::to_string(body_limit) + " bytes");
        } else if (!is_disconnect(ec)) {
          co_await refuse_prepared(400, "the request body is not valid HTTP/1.1");
        } else {
          finish_abandoned();
        }
        co_return;
      }
    }

    if (immediate) {
      response = std::move(*immediate);
    } else if (route->execution == Execution::kInline) {
      response = service.invoke(*route, request);
    } else if (pending.load() >= options.max_pending_blocking) {
      blocking_rejected.inc();
      response = HttpService::problem(request, 503, "the server is busy; retry shortly");
      response.headers.set("Retry-After", "1");
    } else {
      response = co_await run_blocking(*route, request);
    }
    service.finish(request, response, route, Clock::now() - started);
    keep_alive = keep_alive && !draining.load() && !session->force_closed;
    if (!co_await write(session, std::move(response), version, keep_alive)) co_return;
    if (!keep_alive) co_return;
  }
}

Server::Server(ServerOptions options, HttpService& service) {
  if (options.io_threads < 1 || options.worker_threads < 1) {
    throw std::invalid_argument("the HTTP server needs at least one IO thread and one worker thread");
  }
  if (options.max_header_bytes < 64 || options.max_header_bytes > 0xffffffffU) {
    throw std::invalid_argument("max_header_bytes must be between 64 and 4294967295");
  }
  impl_ = std::make_unique<Impl>(std::move(options), service);
}

Server::~Server() {
  shutdown();
}

void Server::start() {
  Impl& impl = *impl_;
  std::lock_guard lock(impl.mutex);
  if (impl.state != Impl::State::kNew) throw std::logic_error("Server::start() called twice");
  const auto& options = impl.options;
  const std::string where = endpoint_text(options.host, options.port);
  const auto fail = [&where](const error_code& ec) {
    throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  };
  error_code ec;
  tcp::endpoint endpoint;
  const auto address = asio::ip::make_address(options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(impl.io_context);
    const auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec) fail(ec);
    if (results.empty()) fail(asio::error::host_not_found);
    endpoint = results.begin()->endpoint();
  }
  impl.acceptor.emplace(asio::make_strand(impl.io_context));
  impl.acceptor->open(endpoint.protocol(), ec);
  if (ec) fail(ec);
  impl.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  impl.acceptor->bind(endpoint, ec);
  if (ec) fail(ec);
  impl.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail(ec);
  impl.port = impl.acceptor->local_endpoint().port();

  if (!options.spool_directory.empty()) {
    if (const std::size_t stale = SpooledBody::remove_stale(options.spool_directory)) {
      log::info("http_stale_uploads_removed",
                {{"count", stale}, {"folder", options.spool_directory.string()}});
    }
  }
  impl.pool = std::make_unique<asio::thread_pool>(static_cast<std::size_t>(options.worker_threads));
  impl.work.emplace(impl.io_context.get_executor());
  asio::co_spawn(impl.acceptor->get_executor(), impl.accept_loop(), asio::detached);
  for (int i = 0; i < options.io_threads; ++i) {
    impl.threads.emplace_back([&impl] {
      try {
        impl.io_context.run();
      } catch (const std::exception& error) {
        log::error("http_io_thread_failed", {{"what", error.what()}});
      }
    });
  }
  impl.state = Impl::State::kRunning;
  log::info("http_listening", {{"address", endpoint.address().to_string()}, {"port", impl.port.load()}});
}

int Server::port() const {
  return impl_->port.load();
}

std::size_t Server::pending_blocking() const {
  return impl_->pending.load();
}

void Server::shutdown() {
  Impl& impl = *impl_;
  {
    std::unique_lock lock(impl.mutex);
    if (impl.state == Impl::State::kNew) {
      impl.state = Impl::State::kStopped;
      impl.changed.notify_all();
      return;
    }
    if (impl.state != Impl::State::kRunning) {
      impl.changed.wait(lock, [&impl] { return impl.state == Impl::State::kStopped; });
      return;
    }
    impl.state = Impl::State::kStopping;
  }
  impl.draining.store(true);
  impl.service.set_draining();
  asio::post(impl.acceptor->get_executor(), [&impl] {
    error_code ec;
    impl.acceptor->close(ec);
  });
  impl.for_each_session([](const std::shared_ptr<Session>& session) {
    asio::post(session->socket.get_executor(), [session] {
      error_code ec;
      if (session->idle) session->socket.cancel(ec);
    });
  });

  const auto deadline = Clock::now() + impl.options.shutdown_timeout;
  bool drained = false;
  {
    std::unique_lock lock(impl.mutex);
    drained = impl.changed.wait_until(lock, deadline, [&impl] { return impl.sessions.empty(); });
  }
  if (!drained) {
    log::warn("http_shutdown_forced", {{"connections", impl.connections.load()}});
    impl.for_each_session([](const std::shared_ptr<Session>& session) {
      asio::post(session->socket.get_executor(), [session] {
        error_code ec;
        session->force_closed = true;
        session->socket.cancel(ec);
        session->socket.close(ec);
      });
    });
  }
  // Handlers that are running cannot be interrupted; their sessions then find a closed socket.
  impl.pool->join();
  {
    std::unique_lock lock(impl.mutex);
    impl.changed.wait_for(lock, std::chrono::seconds(2), [&impl] { return impl.sessions.empty(); });
  }
  impl.work.reset();
  impl.io_context.stop();
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
  log::info("http_stopped", {{"port", impl.port.load()}});
  std::lock_guard lock(impl.mutex);
  impl.state = Impl::State::kStopped;
  impl.changed.notify_all();
}

void Server::wait() {
  Impl& impl = *impl_;
  std::unique_lock lock(impl.mutex);
  impl.changed.wait(
      lock, [&impl] { return impl.state == Impl::State::kStopped || impl.state == Impl::State::kNew; });
}

}  // namespace personae::http

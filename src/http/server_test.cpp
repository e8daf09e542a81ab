#include "http/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>

#include "observability/log.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct RawResponse {
  int status = 0;
  std::string head;
  std::string body;

  std::optional<std::string> header(std::string_view name) const {
    std::size_t line = head.find("\r\n");
    while (line != std::string::npos && line + 2 < head.size()) {
      const std::size_t end = head.find("\r\n", line + 2);
      const std::string field = head.substr(line + 2, end - line - 2);
      const std::size_t colon = field.find(':');
      if (colon != std::string::npos && iequals(field.substr(0, colon), name)) {
        return field.substr(field.find_first_not_of(' ', colon + 1));
      }
      line = end;
    }
    return std::nullopt;
  }
};

// A deliberately dumb client: exact bytes out, one response in.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    timeval timeout{3, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return;
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
  }

  /// One response, or nullopt when the connection closed (or nothing came within 3 s) first.
  std::optional<RawResponse> read_response(bool head_request = false) {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    RawResponse response;
    response.head = buffer_.substr(0, end + 2);
    buffer_.erase(0, end + 4);
    response.status = std::stoi(response.head.substr(9, 3));
    const auto length = response.header("Content-Length");
    const std::size_t body_size = head_request || !length ? 0 : std::stoul(*length);
    while (buffer_.size() < body_size) {
      if (!fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, body_size);
    buffer_.erase(0, body_size);
    return response;
  }

  /// True when the server closed the connection (EOF or reset) with nothing more to read.
  bool closed() {
    char byte;
    const ssize_t got = ::recv(fd_, &byte, 1, 0);
    return got == 0 || (got < 0 && errno == ECONNRESET);
  }

 private:
  bool fill() {
    char chunk[4096];
    const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (got <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(got));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

std::string get(std::string_view target, std::string_view extra = {}) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) + "\r\n";
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { log::configure(log::Level::kWarn, log::Format::kJson); }
  void TearDown() override {
    // Release blocked handlers first: shutdown() waits for running handlers.
    try {
      release_.set_value();
    } catch (const std::future_error&) {
    }
    if (server_) server_->shutdown();
    log::configure(log::Level::kInfo, log::Format::kJson);
  }

  Server& start(ServerOptions options = {}) {
    options.port = 0;
    router_.add(
        Method::kGet, "/hello", RouteAccess::public_route(),
        [](const Request&) { return Response::text(200, "hello", "text/plain"); }, Execution::kInline);
    router_.add(Method::kPost, "/echo", RouteAccess::public_route(), [](const Request& request) {
      return Response::text(200, request.body, "application/octet-stream");
    });
    router_.add(
        Method::kPost, "/small", RouteAccess::public_route(),
        [](const Request& request) { return Response::text(200, request.body, "application/octet-stream"); },
        Execution::kBlocking, BodyPolicy{16, std::nullopt, false});
    // Answers what the handler saw: the spool file's size, mode and contents.
    router_.add(
        Method::kPost, "/upload", RouteAccess::public_route(),
        [this](const Request& request) {
          nlohmann::json seen = {{"in_memory", request.body.size()},
                                 {"spooled", request.spooled_body != nullptr}};
          if (request.spooled_body) {
            struct stat status {};
            ::stat(request.spooled_body->path().c_str(), &status);
            std::ifstream in(request.spooled_body->path(), std::ios::binary);
            std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            seen["size"] = request.spooled_body->size();
            seen["mode"] = status.st_mode & 0777;
            seen["in_spool_dir"] = request.spooled_body->path().parent_path() == spool_.path();
            seen["sha_prefix"] = contents.substr(0, 8);
          }
          return Response::json(200, seen);
        },
        Execution::kBlocking, BodyPolicy{64 * 1024, 300ms, true});
    router_.add(Method::kGet, "/slow", RouteAccess::public_route(), [this](const Request&) {
      slow_started_ = true;
      std::this_thread::sleep_for(300ms);
      return Response::text(200, "slow", "text/plain");
    });
    router_.add(Method::kGet, "/block", RouteAccess::public_route(), [this](const Request&) {
      ++blocked_;
      released_.wait();
      return Response::text(200, "released", "text/plain");
    });
    service_ = std::make_unique<HttpService>(router_, registry_);
    if (options.spool_directory.empty()) options.spool_directory = spool_.path();
    server_ = std::make_unique<Server>(options, *service_);
    server_->start();
    return *server_;
  }

  static ServerOptions quick() {
    ServerOptions options;
    options.io_threads = 2;
    options.worker_threads = 2;
    options.header_timeout = 200ms;
    options.body_timeout = 200ms;
    options.idle_timeout = 2s;
    options.write_timeout = 1s;
    options.shutdown_timeout = 2s;
    options.max_body_bytes = 1024;
    options.max_header_bytes = 2048;
    return options;
  }

  static void wait_for(const std::function<bool()>& condition) {
    const auto deadline = Clock::now() + 3s;
    while (!condition() && Clock::now() < deadline) std::this_thread::sleep_for(2ms);
    ASSERT_TRUE(condition());
  }

  std::size_t spool_files() const {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(spool_.path())) ++count;
    return count;
  }

  ::personae::testing::TempDir spool_;
  Router router_;
  observability::MetricsRegistry registry_;
  std::unique_ptr<HttpService> service_;
  std::unique_ptr<Server> server_;
  std::atomic<bool> slow_started_{false};
  std::atomic<int> blocked_{0};
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  auto& server = start(quick());
  RawClient client(server.port());
  ASSERT_TRUE(client.connected());
  client.send(get("/hello"));
  auto first = client.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "hello");
  EXPECT_TRUE(first->header("Date"));
  EXPECT_EQ(first->header("X-Content-Type-Options"), "nosniff");
  client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\n\r\nping");
  auto second = client.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "ping");
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  auto& server = start(quick());
  RawClient client(server.port());
  client.send(get("/hello") + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc" +
              get("/nowhere"));
  EXPECT_EQ(client.read_response()->body, "hello");
  EXPECT_EQ(client.read_response()->body, "abc");
  EXPECT_EQ(client.read_response()->status, 404);
}

TEST_F(ServerTest, ChunkedBodyIsRead) {
  auto& server = start(quick());
  RawClient client(server.port());
  client.send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "abcde");
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowedAreProblemJson) {
  auto& server = start(quick());
  RawClient client(server.port());
  client.send(get("/nowhere"));
  auto missing = client.read_response();
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->header("Content-Type"), "application/problem+json; charset=utf-8");
  EXPECT_EQ(nlohmann::json::parse(missing->body)["status"], 404);
  client.send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  auto not_allowed = client.read_response();
  ASSERT_TRUE(not_allowed);
  EXPECT_EQ(not_allowed->status, 405);
  EXPECT_EQ(not_allowed->header("Allow"), "GET, HEAD");
}

TEST_F(ServerTest, OversizedBodyIs413) {
  auto& server = start(quick());
  RawClient declared(server.port());
  declared.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n");
  auto response = declared.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(declared.closed());

  RawClient chunked(server.port());
  chunked.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
               std::string(2048, 'x') + "\r\n0\r\n\r\n");
  response = chunked.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST_F(ServerTest, EachRouteHasItsOwnBodyLimit) {
  auto& server = start(quick());
  RawClient client(server.port());
  client.send("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 16\r\n\r\n" + std::string(16, 's'));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  client.send("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n" + std::string(17, 's'));
  response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_NE(nlohmann::json::parse(response->body)["detail"].get<std::string>().find("limit of 16 bytes"),
            std::string::npos);

  // Larger than the server's default (1 KiB here), within the upload route's own 64 KiB.
  RawClient uploader(server.port());
  uploader.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10000\r\n\r\n" +
                std::string(10000, 'u'));
  response = uploader.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
  // The 413 is counted under its route, not as unmatched.
  EXPECT_NE(
      registry_.render().find(R"(personae_http_requests_total{method="POST",route="/small",status="413"} 1)"),
      std::string::npos);
}

TEST_F(ServerTest, AnOversizedDeclaredBodyIsRefusedBefore100Continue) {
  auto& server = start(quick());
  RawClient client(server.port());
  client.send("POST /small HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4096\r\n\r\n");
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->header("Connection"), "close");
}

TEST_F(ServerTest, AnUploadRouteReceivesItsBodyAsAnOwnerOnlyFileRemovedAfterTheResponse) {
  auto& server = start(quick());
  RawClient client(server.port());
  client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 20000\r\n\r\nSPOOLED!" +
              std::string(20000 - 8, 'x'));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  const auto seen = nlohmann::json::parse(response->body);
  EXPECT_EQ(seen["in_memory"], 0);
  EXPECT_EQ(seen["spooled"], true);
  EXPECT_EQ(seen["size"], 20000);
  EXPECT_EQ(seen["mode"], 0600);
  EXPECT_EQ(seen["in_spool_dir"], true);
  EXPECT_EQ(seen["sha_prefix"], "SPOOLED!");
  wait_for([&] { return spool_files() == 0; });

  // Chunked uploads too; and the connection stays usable.
  client.send(
      "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n8\r\nCHUNKED!\r\n0\r\n\r\n");
  response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(nlohmann::json::parse(response->body)["size"], 8);
  EXPECT_EQ(nlohmann::json::parse(response->body)["sha_prefix"], "CHUNKED!");
}

TEST_F(ServerTest, AnUploadCutOffOrTooLargeLeavesNothingBehind) {
  auto& server = start(quick());
  {
    RawClient cut(server.port());
    cut.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 50000\r\n\r\n" + std::string(20000, 'c'));
    wait_for([&] { return spool_files() == 1; });
  }  // the client goes away mid-body
  wait_for([&] { return spool_files() == 0; });

  RawClient slow(server.port());
  slow.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 50000\r\n\r\n" + std::string(100, 's'));
  auto response = slow.read_response();  // the route's own 300 ms body deadline
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  wait_for([&] { return spool_files() == 0; });

  RawClient chunked(server.port());
  chunked.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n" +
               std::string(0x10000, 'x') + "\r\n8000\r\n" + std::string(0x8000, 'y') + "\r\n0\r\n\r\n");
  response = chunked.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  wait_for([&] { return spool_files() == 0; });
}

TEST_F(ServerTest, SpoolFilesLeftByACrashAreRemovedAtStart) {
  std::ofstream(spool_.path() / "spool-0123456789abcdef") << "half an upload";
  std::ofstream(spool_.path() / "unrelated.txt") << "kept";
  start(quick());
  EXPECT_FALSE(std::filesystem::exists(spool_.path() / "spool-0123456789abcdef"));
  EXPECT_TRUE(std::filesystem::exists(spool_.path() / "unrelated.txt"));
}

TEST_F(ServerTest, HugeHeadersAre431) {
  auto& server = start(quick());
  RawClient client(server.port());
  client.send(get("/hello", "X-Big: " + std::string(4096, 'a') + "\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(response->header("Content-Type"), "application/problem+json; charset=utf-8");
}

TEST_F(ServerTest, MalformedRequestsAre400ThenClosed) {
  auto& server = start(quick());
  for (const std::string& request :
       std::vector<std::string>{"GARBAGE\r\n\r\n", std::string("GET /hello HTTP/9\r\nHost: t\r\n\r\n"),
                                std::string("GET /hello HTTP/1.1\r\nHost: t\r\nX: a\r\n folded\r\n\r\n"),
                                std::string("GET /hello HTTP/1.1\r\n\r\n"),
                                std::string("GET /a%2Fb HTTP/1.1\r\nHost: t\r\n\r\n")}) {
    RawClient client(server.port());
    client.send(request);
    auto response = client.read_response();
    ASSERT_TRUE(response) << request;
    EXPECT_EQ(response->status, 400) << request;
  }
}

TEST_F(ServerTest, SmugglingVectorsAre400) {
  auto& server = start(quick());
  for (const std::string& head :
       std::vector<std::string>{"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
                                std::string("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n"),
                                std::string("Content-Length: 4\r\nContent-Length: 5\r\n"),
                                std::string("Content-Length: 4\r\nContent-Length: 4\r\n"),
                                std::string("Transfer-Encoding: gzip\r\n")}) {
    RawClient client(server.port());
    client.send("POST /echo HTTP/1.1\r\nHost: t\r\n" + head + "\r\nabcd");
    auto response = client.read_response();
    ASSERT_TRUE(response) << head;
    EXPECT_EQ(response->status, 400) << head;
    EXPECT_TRUE(client.closed()) << head;
  }
}

TEST_F(ServerTest, SlowHeaderIsClosedWithinTheDeadline) {
  auto& server = start(quick());
  RawClient client(server.port());
  const auto began = Clock::now();
  client.send("GET /hello HTTP/1.1\r\nHost: t\r\n");
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_TRUE(client.closed());
  EXPECT_LT(Clock::now() - began, 1500ms);
}

TEST_F(ServerTest, SlowBodyIsClosedWithinTheDeadline) {
  auto& server = start(quick());
  RawClient client(server.port());
  const auto began = Clock::now();
  client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_TRUE(client.closed());
  EXPECT_LT(Clock::now() - began, 1500ms);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  auto options = quick();
  options.idle_timeout = 200ms;
  auto& server = start(options);
  RawClient client(server.port());
  client.send(get("/hello"));
  ASSERT_TRUE(client.read_response());
  const auto began = Clock::now();
  EXPECT_TRUE(client.closed());
  EXPECT_LT(Clock::now() - began, 1500ms);
}

TEST_F(ServerTest, HeadHasNoBody) {
  auto& server = start(quick());
  RawClient client(server.port());
  client.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  auto head = client.read_response(true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("Content-Length"), "5");
  // The next response starts right after the head: no stray body bytes in between.
  client.send(get("/hello"));
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "hello");
}

TEST_F(ServerTest, RequestIdRoundTrip) {
  auto& server = start(quick());
  RawClient client(server.port());
  client.send(get("/hello", "X-Request-Id: trace-42\r\n"));
  EXPECT_EQ(client.read_response()->header("X-Request-Id"), "trace-42");
  client.send(get("/hello", "X-Request-Id: bad id!\r\n"));
  const auto generated = client.read_response()->header("X-Request-Id");
  ASSERT_TRUE(generated);
  EXPECT_EQ(generated->size(), 32u);
}

TEST_F(ServerTest, WorkerPoolSaturationAnswers503WithRetryAfter) {
  auto options = quick();
  options.worker_threads = 1;
  options.max_pending_blocking = 1;
  auto& server = start(options);
  RawClient running(server.port());
  running.send(get("/block"));
  wait_for([this] { return blocked_.load() == 1; });
  RawClient queued(server.port());
  queued.send(get("/block"));
  wait_for([&server] { return server.pending_blocking() == 1; });
  RawClient refused(server.port());
  refused.send(get("/block"));
  auto busy = refused.read_response();
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->header("Retry-After"), "1");
  EXPECT_EQ(blocked_.load(), 1);
  release_.set_value();
  EXPECT_EQ(running.read_response()->body, "released");
  EXPECT_EQ(queued.read_response()->body, "released");
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitGet503) {
  auto options = quick();
  options.max_connections = 1;
  auto& server = start(options);
  RawClient first(server.port());
  first.send(get("/hello"));
  ASSERT_TRUE(first.read_response());
  RawClient second(server.port());
  auto response = second.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  EXPECT_TRUE(second.closed());
}

TEST_F(ServerTest, GracefulShutdownFinishesInFlightRequestsThenRefusesConnections) {
  auto& server = start(quick());
  const int port = server.port();
  RawClient idle(port);
  idle.send(get("/hello"));
  ASSERT_TRUE(idle.read_response());
  RawClient busy(port);
  busy.send(get("/slow"));
  wait_for([this] { return slow_started_.load(); });
  const auto began = Clock::now();
  std::thread stopper([&server] { server.shutdown(); });
  auto response = busy.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "slow");
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(service_->draining());
  EXPECT_TRUE(idle.closed());
  stopper.join();
  server.wait();
  EXPECT_LT(Clock::now() - began, 1500ms);
  RawClient late(port);
  EXPECT_FALSE(late.connected());
  server.shutdown();  // idempotent
}

TEST_F(ServerTest, ShutdownForcesSlowRequestsAfterTheTimeout) {
  auto options = quick();
  options.shutdown_timeout = 100ms;
  auto& server = start(options);
  RawClient blocked(server.port());
  blocked.send(get("/block"));
  wait_for([this] { return blocked_.load() == 1; });
  std::thread releaser([this] {
    std::this_thread::sleep_for(300ms);
    release_.set_value();
  });
  const auto began = Clock::now();
  server.shutdown();
  EXPECT_GE(Clock::now() - began, 250ms);  // waited for the running handler
  EXPECT_FALSE(blocked.read_response());   // but its connection was closed at the timeout
  releaser.join();
}

TEST_F(ServerTest, StartFailsClearlyWhenThePortIsTaken) {
  auto& server = start(quick());
  ServerOptions options;
  options.port = static_cast<std::uint16_t>(server.port());
  HttpService other(router_, registry_);
  Server second(options, other);
  try {
    second.start();
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()),
              "cannot listen on 127.0.0.1:" + std::to_string(server.port()) + ": Address already in use");
  }
}

TEST_F(ServerTest, RecordsConnectionMetrics) {
  auto& server = start(quick());
  {
    RawClient client(server.port());
    client.send(get("/hello"));
    ASSERT_TRUE(client.read_response());
    EXPECT_NE(registry_.render().find("personae_http_connections_open 1"), std::string::npos);
  }
  wait_for(
      [this] { return registry_.render().find("personae_http_connections_open 0") != std::string::npos; });
  EXPECT_NE(registry_.render().find(
                "personae_http_requests_total{method=\"GET\",route=\"/hello\",status=\"200\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace personae::http

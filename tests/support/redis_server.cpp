#include "tests/support/redis_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace personae::testing {
namespace {

using std::chrono::milliseconds;

std::string find_redis_server() {
  std::vector<std::filesystem::path> folders;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream entries(path);
    for (std::string entry; std::getline(entries, entry, ':');) {
      if (!entry.empty()) folders.emplace_back(entry);
    }
  }
  folders.emplace_back("/usr/bin");
  folders.emplace_back("/usr/sbin");
  folders.emplace_back("/usr/local/bin");
  for (const auto& folder : folders) {
    const auto candidate = folder / "redis-server";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  throw std::runtime_error(
      "redis-server is not installed: not on PATH (install the `redis-server` package; scripts/bootstrap "
      "does)");
}

std::string encode(const std::vector<std::string>& arguments) {
  std::string text = "*" + std::to_string(arguments.size()) + "\r\n";
  for (const auto& argument : arguments) {
    text += "$" + std::to_string(argument.size()) + "\r\n" + argument + "\r\n";
  }
  return text;
}

/// A blocking loopback connection with a deadline on every read.
class Connection {
 public:
  Connection(int port, milliseconds timeout) : deadline_(std::chrono::steady_clock::now() + timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return fd_ >= 0; }

  bool send_all(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      const auto n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  /// One line without its CRLF, or nullopt on timeout or a closed connection.
  std::optional<std::string> read_line() {
    while (true) {
      if (const auto end = buffer_.find("\r\n"); end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return line;
      }
      if (!fill()) return std::nullopt;
    }
  }

  std::optional<std::string> read_bytes(std::size_t count) {
    while (buffer_.size() < count + 2) {
      if (!fill()) return std::nullopt;
    }
    std::string bytes = buffer_.substr(0, count);
    buffer_.erase(0, count + 2);
    return bytes;
  }

  struct Reply {
    bool error = false;
    std::string text;
  };

  /// A reply as RedisServer::command describes; nullopt on timeout.
  std::optional<Reply> read_reply() {
    const auto line = read_line();
    if (!line || line->empty()) return std::nullopt;
    switch ((*line)[0]) {
      case '+':
      case ':': return Reply{false, line->substr(1)};
      case '-': return Reply{true, line->substr(1)};
      case '$': {
        const long length = std::stol(line->substr(1));
        if (length < 0) return Reply{false, "(nil)"};
        auto bytes = read_bytes(static_cast<std::size_t>(length));
        if (!bytes) return std::nullopt;
        return Reply{false, std::move(*bytes)};
      }
      default: throw std::runtime_error("unsupported Redis reply: " + *line);
    }
  }

 private:
  bool fill() {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline_ - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd entry{fd_, POLLIN, 0};
    if (::poll(&entry, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[4096];
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::chrono::steady_clock::time_point deadline_;
  std::string buffer_;
};

}  // namespace

RedisServer::RedisServer(Options options) : options_(std::move(options)), executable_(find_redis_server()) {
  // Another process may take the port between free_tcp_port() and the server's bind: retry.
  std::string last_output;
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_tcp_port();
    if (try_start()) return;
    last_output = process_ ? process_->standard_output() + process_->standard_error() : std::string();
  }
  throw std::runtime_error("redis-server did not start after 5 attempts:\n" + last_output);
}

RedisServer::~RedisServer() {
  if (process_ && process_->running()) {
    process_->signal(SIGKILL);
    process_->wait(std::chrono::seconds(10));
  }
}

std::string RedisServer::url() const {
  const std::string user_info = options_.password.empty() ? "" : ":" + options_.password + "@";
  return "redis://" + user_info + "127.0.0.1:" + std::to_string(port_);
}

bool RedisServer::running() {
  return process_ && process_->running();
}

bool RedisServer::try_start() {
  ChildProcess::Options child;
  child.arguments = {executable_, "--port", std::to_string(port_),  "--bind", "127.0.0.1",
                     "--save",    "",       "--appendonly",         "no",     "--daemonize",
                     "no",        "--dir",  folder_.path().string()};
  if (!options_.password.empty()) {
    child.arguments.push_back("--requirepass");
    child.arguments.push_back(options_.password);
  }
  process_ = std::make_unique<ChildProcess>(std::move(child));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->running()) return false;
    Connection connection(port_, milliseconds(500));
    if (connection.connected() && connection.send_all(encode({"PING"}))) {
      const auto reply = connection.read_reply();
      // Without AUTH a password-protected server answers NOAUTH: it is up all the same.
      if (reply && (reply->text == "PONG" || reply->text.rfind("NOAUTH", 0) == 0)) return true;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  process_->signal(SIGKILL);
  process_->wait(std::chrono::seconds(10));
  return false;
}

void RedisServer::pause() {
  if (running()) process_->signal(SIGSTOP);
}

void RedisServer::resume() {
  if (running()) process_->signal(SIGCONT);
}

void RedisServer::stop() {
  if (!running()) return;
  process_->signal(SIGTERM);
  process_->signal(SIGCONT);
  if (!process_->wait(std::chrono::seconds(10))) {
    process_->signal(SIGKILL);
    process_->wait(std::chrono::seconds(10));
  }
}

void RedisServer::start() {
  if (running()) return;
  // The old listening socket is gone with the process; retry briefly in case the kernel is slow
  // to release the port.
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (try_start()) return;
    std::this_thread::sleep_for(milliseconds(200));
  }
  throw std::runtime_error("redis-server did not restart on port " + std::to_string(port_) + ":\n" +
                           process_->standard_output() + process_->standard_error());
}

std::string RedisServer::command(const std::vector<std::string>& arguments) const {
  Connection connection(port_, std::chrono::seconds(5));
  if (!connection.connected())
    throw std::runtime_error("cannot connect to redis-server on " + std::to_string(port_));
  std::string request;
  if (!options_.password.empty()) request += encode({"AUTH", options_.password});
  request += encode(arguments);
  if (!connection.send_all(request)) throw std::runtime_error("cannot send to redis-server");
  if (!options_.password.empty()) {
    const auto auth = connection.read_reply();
    if (!auth || auth->error) {
      throw std::runtime_error("redis-server refused AUTH: " + (auth ? auth->text : std::string("no reply")));
    }
  }
  const auto reply = connection.read_reply();
  if (!reply) throw std::runtime_error("no reply from redis-server to " + arguments.front());
  if (reply->error) throw std::runtime_error("redis-server: " + reply->text);
  return reply->text;
}

}  // namespace personae::testing

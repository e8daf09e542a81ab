#include "tests/support/fault_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>
#include <stdexcept>
#include <system_error>

namespace personae::testing {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return std::string(text);
}

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// Buffered reads that give up when the proxy stops or the peer closes.
class Reader {
 public:
  Reader(int fd, const std::atomic<bool>& stopping) : fd_(fd), stopping_(stopping) {}

  std::optional<std::string> read_until(std::string_view delimiter, std::size_t max_bytes) {
    while (true) {
      if (const auto end = buffer_.find(delimiter); end != std::string::npos) {
        std::string text = buffer_.substr(0, end);
        buffer_.erase(0, end + delimiter.size());
        return text;
      }
      if (buffer_.size() > max_bytes || !fill()) return std::nullopt;
    }
  }

  /// Up to `count` bytes (fewer when the peer closes first).
  std::string read_up_to(std::uint64_t count) {
    while (buffer_.size() < count && fill()) {
    }
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(count, buffer_.size()));
    std::string bytes = buffer_.substr(0, take);
    buffer_.erase(0, take);
    return bytes;
  }

 private:
  bool fill() {
    while (!stopping_.load()) {
      pollfd entry{fd_, POLLIN, 0};
      const int ready = ::poll(&entry, 1, 50);
      if (ready < 0 && errno != EINTR) return false;
      if (ready <= 0) continue;
      std::array<char, 65536> chunk{};
      const auto n = ::recv(fd_, chunk.data(), chunk.size(), 0);
      if (n <= 0) return false;
      buffer_.append(chunk.data(), static_cast<std::size_t>(n));
      return true;
    }
    return false;
  }

  int fd_;
  const std::atomic<bool>& stopping_;
  std::string buffer_;
};

int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

}  // namespace

std::string ProxiedRequest::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

FaultProxy::FaultProxy(int upstream_port) : upstream_port_(upstream_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  const int yes = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    const int error = errno;
    ::close(listen_fd_);
    throw std::system_error(error, std::generic_category(), "bind/listen");
  }
  socklen_t length = sizeof address;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FaultProxy::~FaultProxy() {
  stop();
}

std::string FaultProxy::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void FaultProxy::add_rule(FaultRule rule) {
  const std::lock_guard lock(mutex_);
  rules_.push_back(std::move(rule));
}

void FaultProxy::clear_rules() {
  const std::lock_guard lock(mutex_);
  rules_.clear();
}

std::vector<ProxiedRequest> FaultProxy::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

void FaultProxy::clear_requests() {
  const std::lock_guard lock(mutex_);
  requests_.clear();
}

void FaultProxy::record(ProxiedRequest request) {
  const std::lock_guard lock(mutex_);
  requests_.push_back(std::move(request));
}

bool FaultProxy::take_rule(const ProxiedRequest& request, FaultRule& rule) {
  const std::lock_guard lock(mutex_);
  for (auto& candidate : rules_) {
    if (candidate.times == 0) continue;
    if (!candidate.method.empty() && candidate.method != request.method) continue;
    if (!candidate.target_contains.empty() &&
        request.target.find(candidate.target_contains) == std::string::npos) {
      continue;
    }
    if (candidate.times > 0) --candidate.times;
    rule = candidate;
    return true;
  }
  return false;
}

void FaultProxy::stop() {
  if (stopping_.exchange(true)) return;
  { const std::lock_guard lock(wait_mutex_); }
  wait_signal_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> workers;
  {
    const std::lock_guard lock(mutex_);
    for (const int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    workers = std::move(workers_);
  }
  for (auto& worker : workers) worker.join();
}

void FaultProxy::accept_loop() {
  while (!stopping_.load()) {
    pollfd entry{listen_fd_, POLLIN, 0};
    if (::poll(&entry, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const std::lock_guard lock(mutex_);
    if (stopping_.load()) {
      ::close(fd);
      return;
    }
    open_fds_.insert(fd);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

void FaultProxy::serve(int client) {
  // Sockets leave the tracked set before they are closed, so stop() never touches a reused number.
  const auto close_fd = [this](int fd, bool abort) {
    {
      const std::lock_guard lock(mutex_);
      open_fds_.erase(fd);
    }
    if (abort) {
      const linger abort_on_close{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    }
    ::close(fd);
  };
  Reader reader(client, stopping_);
  while (!stopping_.load()) {
    auto head = reader.read_until("\r\n\r\n", 1 << 20);
    if (!head) break;
    ProxiedRequest request;
    const auto line_end = head->find("\r\n");
    const std::string request_line = head->substr(0, line_end);
    const auto first = request_line.find(' ');
    const auto second = request_line.find(' ', first + 1);
    if (first == std::string::npos || second == std::string::npos) break;
    request.method = request_line.substr(0, first);
    request.target = request_line.substr(first + 1, second - first - 1);
    std::string forwarded_head = request_line + "\r\n";
    for (auto start = line_end; start != std::string::npos && start + 2 < head->size();) {
      const auto end = head->find("\r\n", start + 2);
      const std::string line =
          head->substr(start + 2, end == std::string::npos ? std::string::npos : end - start - 2);
      start = end;
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = trim(std::string_view(line).substr(0, colon));
      std::string value = trim(std::string_view(line).substr(colon + 1));
      if (!iequals(name, "Connection")) forwarded_head += line + "\r\n";
      request.headers.emplace_back(std::move(name), std::move(value));
    }
    forwarded_head += "Connection: close\r\n\r\n";
    if (iequals(request.header("Transfer-Encoding"), "chunked")) {
      request.outcome = "refused chunked";
      record(request);
      send_all(client, "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      break;
    }
    const std::string length = request.header("Content-Length");
    request.body_bytes = length.empty() ? 0 : std::stoull(length);

    FaultRule rule;
    const bool faulty = take_rule(request, rule);
    if (faulty && rule.action == FaultRule::Action::kReset) {
      request.outcome = "reset";
      record(request);
      close_fd(client, true);
      return;
    }
    if (faulty && rule.action == FaultRule::Action::kCutRequestBody) {
      const std::string partial = reader.read_up_to(std::min(rule.cut_after, request.body_bytes));
      request.outcome = "cut after " + std::to_string(partial.size());
      record(request);
      if (rule.forward_partial) {
        const int upstream = connect_loopback(upstream_port_);
        if (upstream >= 0) {
          send_all(upstream, forwarded_head);
          send_all(upstream, partial);
          // Give the server a moment to take the bytes before the connection breaks.
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          const linger abort_on_close{1, 0};
          ::setsockopt(upstream, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
          ::close(upstream);
        }
      }
      close_fd(client, true);
      return;
    }
    if (faulty && rule.action == FaultRule::Action::kRespond) {
      reader.read_up_to(request.body_bytes);
      request.outcome = "responded " + std::to_string(rule.status);
      record(request);
      std::string response = "HTTP/1.1 " + std::to_string(rule.status) + " " + reason(rule.status) + "\r\n";
      for (const auto& [name, value] : rule.headers)
        response.append(name).append(": ").append(value).append("\r\n");
      response.append("Content-Length: ")
          .append(std::to_string(rule.body.size()))
          .append("\r\n\r\n")
          .append(rule.body);
      if (!send_all(client, response)) break;
      continue;  // the client's connection stays open for its next request
    }
    if (faulty && rule.action == FaultRule::Action::kDelay) {
      std::unique_lock lock(wait_mutex_);
      if (wait_signal_.wait_for(lock, rule.delay, [&] { return stopping_.load(); })) break;
    }

    const std::string body = reader.read_up_to(request.body_bytes);
    const int upstream = connect_loopback(upstream_port_);
    if (upstream < 0) {
      request.outcome = "no upstream";
      record(request);
      break;
    }
    {
      const std::lock_guard lock(mutex_);
      open_fds_.insert(upstream);
    }
    request.outcome = "forwarded";
    record(request);
    bool ok = send_all(upstream, forwarded_head) && send_all(upstream, body);
    // The upstream closes after its answer (Connection: close): relay everything until then.
    Reader answer(upstream, stopping_);
    while (ok) {
      const std::string chunk = answer.read_up_to(65536);
      if (chunk.empty()) break;
      ok = send_all(client, chunk);
    }
    close_fd(upstream, false);
    break;  // the answer said "Connection: close"
  }
  close_fd(client, false);
}

FaultRule respond_rule(std::string method, std::string target_contains, int status, int times,
                       std::vector<std::pair<std::string, std::string>> headers) {
  FaultRule rule;
  rule.method = std::move(method);
  rule.target_contains = std::move(target_contains);
  rule.times = times;
  rule.action = FaultRule::Action::kRespond;
  rule.status = status;
  rule.headers = std::move(headers);
  return rule;
}

FaultRule cut_rule(std::string method, std::string target_contains, std::uint64_t after_bytes, int times,
                   bool forward_partial) {
  FaultRule rule;
  rule.method = std::move(method);
  rule.target_contains = std::move(target_contains);
  rule.times = times;
  rule.action = FaultRule::Action::kCutRequestBody;
  rule.cut_after = after_bytes;
  rule.forward_partial = forward_partial;
  return rule;
}

}  // namespace personae::testing

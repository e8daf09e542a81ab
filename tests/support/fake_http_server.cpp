#include "tests/support/fake_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <iostream>
#include <stdexcept>
#include <system_error>

namespace personae::testing {
namespace {

using std::chrono::milliseconds;

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

std::string reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

/// Buffered reads from a socket that give up when the server stops or the peer closes.
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

  std::optional<std::string> read_exact(std::size_t count) {
    while (buffer_.size() < count) {
      if (!fill()) return std::nullopt;
    }
    std::string bytes = buffer_.substr(0, count);
    buffer_.erase(0, count);
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

/// Reads one request; nullopt when the connection closed or the request is malformed.
std::optional<FakeRequest> read_request(Reader& reader, int fd) {
  auto head = reader.read_until("\r\n\r\n", 1 << 20);
  if (!head) return std::nullopt;
  FakeRequest request;
  std::size_t line_end = head->find("\r\n");
  const std::string request_line = head->substr(0, line_end);
  const auto first_space = request_line.find(' ');
  const auto second_space = request_line.find(' ', first_space + 1);
  if (first_space == std::string::npos || second_space == std::string::npos) return std::nullopt;
  request.method = request_line.substr(0, first_space);
  request.target = request_line.substr(first_space + 1, second_space - first_space - 1);
  const auto question = request.target.find('?');
  request.path = request.target.substr(0, question);
  request.query = question == std::string::npos ? "" : request.target.substr(question + 1);
  while (line_end != std::string::npos) {
    const auto start = line_end + 2;
    line_end = head->find("\r\n", start);
    const std::string line =
        head->substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    request.headers.emplace_back(trim(std::string_view(line).substr(0, colon)),
                                 trim(std::string_view(line).substr(colon + 1)));
  }
  if (iequals(request.header("Expect"), "100-continue")) {
    const std::string_view interim = "HTTP/1.1 100 Continue\r\n\r\n";
    (void)::send(fd, interim.data(), interim.size(), MSG_NOSIGNAL);
  }
  if (iequals(request.header("Transfer-Encoding"), "chunked")) {
    while (true) {
      auto size_line = reader.read_until("\r\n", 1024);
      if (!size_line) return std::nullopt;
      const std::size_t size = std::stoul(*size_line, nullptr, 16);
      if (size == 0) {
        // Trailers, if any, end with an empty line.
        while (true) {
          auto trailer = reader.read_until("\r\n", 1 << 16);
          if (!trailer) return std::nullopt;
          if (trailer->empty()) break;
        }
        break;
      }
      auto data = reader.read_exact(size + 2);
      if (!data) return std::nullopt;
      request.body.append(*data, 0, size);
    }
  } else if (const std::string length = request.header("Content-Length"); !length.empty()) {
    auto body = reader.read_exact(std::stoull(length));
    if (!body) return std::nullopt;
    request.body = std::move(*body);
  }
  return request;
}

}  // namespace

std::string FakeRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

bool FakeRequest::has_header(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& entry) { return iequals(entry.first, name); });
}

FakeExchange::FakeExchange(int fd, const std::atomic<bool>& stopping, std::mutex& wait_mutex,
                           std::condition_variable& wait_signal, std::function<void(int)> before_close)
    : fd_(fd),
      stopping_(stopping),
      wait_mutex_(wait_mutex),
      wait_signal_(wait_signal),
      before_close_(std::move(before_close)) {}

void FakeExchange::write_all(std::string_view bytes) const {
  std::size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client went away; the handler carries on harmlessly
    sent += static_cast<std::size_t>(n);
  }
}

void FakeExchange::send_head(int status, const HeaderPairs& headers,
                             std::optional<std::uint64_t> content_length) {
  responded_ = true;
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
  for (const auto& [name, value] : headers) {
    head.append(name).append(": ").append(value).append("\r\n");
    if (iequals(name, "Connection") && iequals(value, "close")) close_after_ = true;
  }
  if (content_length) {
    head += "Content-Length: " + std::to_string(*content_length) + "\r\n";
  } else {
    head += "Transfer-Encoding: chunked\r\n";
  }
  head += "\r\n";
  write_all(head);
}

void FakeExchange::respond(int status, std::string_view body, const HeaderPairs& headers) {
  const bool no_length = status < 200 || status == 204 || status == 304;
  if (no_length) {
    responded_ = true;
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
    for (const auto& [name, value] : headers) head.append(name).append(": ").append(value).append("\r\n");
    head += "\r\n";
    write_all(head);
    return;
  }
  send_head(status, headers, body.size());
  if (!head_request_) write_all(body);
}

void FakeExchange::send_chunk(std::string_view data) {
  if (data.empty()) return;
  std::array<char, 32> size{};
  const int length = std::snprintf(size.data(), size.size(), "%zx\r\n", data.size());
  write_all(std::string_view(size.data(), static_cast<std::size_t>(length)));
  write_all(data);
  write_all("\r\n");
}

void FakeExchange::finish_chunks() {
  write_all("0\r\n\r\n");
}

void FakeExchange::send_raw(std::string_view bytes) {
  responded_ = true;
  write_all(bytes);
}

void FakeExchange::close() {
  if (fd_ < 0) return;
  if (before_close_) before_close_(fd_);
  ::shutdown(fd_, SHUT_RDWR);
  ::close(fd_);
  fd_ = -1;
}

void FakeExchange::reset() {
  if (fd_ < 0) return;
  if (before_close_) before_close_(fd_);
  const linger abort_on_close{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  ::close(fd_);
  fd_ = -1;
}

void FakeExchange::begin_response(const FakeRequest& request) {
  responded_ = false;
  close_after_ = false;
  head_request_ = request.method == "HEAD";
}

bool FakeExchange::sleep(milliseconds duration) {
  std::unique_lock lock(wait_mutex_);
  return !wait_signal_.wait_for(lock, duration, [&] { return stopping_.load(); });
}

FakeHttpServer::FakeHttpServer() : FakeHttpServer(respond_with(404, "no handler\n")) {}

FakeHttpServer::FakeHttpServer(FakeHandler handler) {
  handlers_.push_back(std::move(handler));
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  const int yes = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
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

FakeHttpServer::~FakeHttpServer() {
  stop();
}

std::string FakeHttpServer::url(std::string_view target) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(target);
}

void FakeHttpServer::set_handler(FakeHandler handler) {
  const std::lock_guard lock(mutex_);
  handlers_ = {std::move(handler)};
  next_handler_ = 0;
}

void FakeHttpServer::set_sequence(std::vector<FakeHandler> handlers) {
  if (handlers.empty()) throw std::invalid_argument("set_sequence needs at least one handler");
  const std::lock_guard lock(mutex_);
  handlers_ = std::move(handlers);
  next_handler_ = 0;
}

FakeHandler FakeHttpServer::next_handler() {
  const std::lock_guard lock(mutex_);
  const std::size_t index = std::min(next_handler_, handlers_.size() - 1);
  ++next_handler_;
  return handlers_[index];
}

std::vector<FakeRequest> FakeHttpServer::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t FakeHttpServer::request_count() const {
  const std::lock_guard lock(mutex_);
  return requests_.size();
}

bool FakeHttpServer::wait_for_requests(std::size_t count, milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return requests_changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

void FakeHttpServer::clear_requests() {
  const std::lock_guard lock(mutex_);
  requests_.clear();
}

void FakeHttpServer::stop() {
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

void FakeHttpServer::accept_loop() {
  while (!stopping_.load()) {
    pollfd entry{listen_fd_, POLLIN, 0};
    if (::poll(&entry, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int connection = ++connections_;
    const std::lock_guard lock(mutex_);
    if (stopping_.load()) {
      ::close(fd);
      return;
    }
    open_fds_.insert(fd);
    workers_.emplace_back([this, fd, connection] { serve(fd, connection); });
  }
}

void FakeHttpServer::forget_fd(int fd) {
  const std::lock_guard lock(mutex_);
  open_fds_.erase(fd);
}

void FakeHttpServer::serve(int fd, int connection) {
  Reader reader(fd, stopping_);
  FakeExchange exchange(fd, stopping_, wait_mutex_, wait_signal_,
                        [this](int closing) { forget_fd(closing); });
  while (!stopping_.load()) {
    auto request = read_request(reader, fd);
    if (!request) break;
    request->connection = connection;
    {
      const std::lock_guard lock(mutex_);
      requests_.push_back(*request);
    }
    requests_changed_.notify_all();
    const FakeHandler handler = next_handler();
    exchange.begin_response(*request);
    try {
      handler(*request, exchange);
    } catch (const std::exception& error) {
      std::cerr << "FakeHttpServer handler threw: " << error.what() << "\n";
      exchange.close();
    }
    if (exchange.closed() || !exchange.responded() || exchange.close_after() ||
        iequals(request->header("Connection"), "close")) {
      break;
    }
  }
  exchange.close();
}

FakeHandler respond_with(int status, std::string body, HeaderPairs headers) {
  return [status, body = std::move(body), headers = std::move(headers)](
             const FakeRequest&, FakeExchange& exchange) { exchange.respond(status, body, headers); };
}

}  // namespace personae::testing

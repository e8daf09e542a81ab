#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace personae::testing {

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The first header named `name` (case-insensitive), or "" when absent.
  std::string header(const std::string& name) const;
  bool has_header(const std::string& name) const;
};

/// A deliberately simple blocking HTTP/1.1 client over a POSIX socket, so tests can send exact
/// (and malformed) bytes. One connection per object; keep-alive supported.
class HttpConnection {
 public:
  explicit HttpConnection(int port, std::string host = "127.0.0.1");
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  void send_raw(const std::string& bytes);
  /// Reads one response (Content-Length or chunked or until close). Throws on timeout.
  HttpResponse read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10), bool head = false);
  /// True when the server closed the connection within `timeout`.
  bool closed_by_peer(std::chrono::milliseconds timeout);

  HttpResponse request(const std::string& method, const std::string& target,
                       const std::map<std::string, std::string>& headers = {}, const std::string& body = {});

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

/// One request on a fresh connection.
HttpResponse http_request(int port, const std::string& method, const std::string& target,
                          const std::map<std::string, std::string>& headers = {},
                          const std::string& body = {});

}  // namespace personae::testing

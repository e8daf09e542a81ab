#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "http/headers.hpp"

namespace personae::http {

/// What RequestHeadScanner found in the bytes received so far.
struct HeadScan {
  enum class Status {
    kNeedMore,   ///< no complete head yet, nothing wrong so far
    kComplete,   ///< `size` bytes (up to and including the blank line) form the head
    kTooLarge,   ///< no complete head within the limit: 431
    kMalformed,  ///< `reason` says what: 400, then close
  };
  Status status = Status::kNeedMore;
  std::size_t size = 0;
  std::string reason;
};

/// Finds the end of a request head (request line and fields) before Beast parses it, and rejects
/// what Beast would accept but a proxy in front of us might read differently: obs-fold (a line
/// starting with a space or tab), a bare LF or CR, and NUL. Resumes where the previous call
/// stopped, so feeding a slow client byte by byte costs linear time. One scanner per request.
class RequestHeadScanner {
 public:
  /// `limit`: the most bytes a head may take, blank line included.
  explicit RequestHeadScanner(std::size_t limit) : limit_(limit) {}

  /// `data`: every byte buffered since the start of this request (it only grows between calls).
  HeadScan scan(std::string_view data);

 private:
  std::size_t limit_;
  std::size_t scanned_ = 0;
};

/// Checks the framing fields of a parsed request head. Beast already rejects Content-Length with
/// Transfer-Encoding and differing Content-Length values; this also refuses a Transfer-Encoding
/// other than exactly "chunked" (Beast would read such a body as empty), repeated or list-valued
/// Content-Length, and a missing (HTTP/1.1) or repeated Host. The reason for a 400, or nullopt.
std::optional<std::string> check_request_framing(const Headers& headers, unsigned http_version);

}  // namespace personae::http

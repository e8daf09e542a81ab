#include "http/framing.hpp"

#include <algorithm>

namespace personae::http {
namespace {

HeadScan malformed(std::string reason) {
  return HeadScan{HeadScan::Status::kMalformed, 0, std::move(reason)};
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

HeadScan RequestHeadScanner::scan(std::string_view data) {
  for (std::size_t i = scanned_; i < data.size(); ++i) {
    if (i >= limit_) return HeadScan{HeadScan::Status::kTooLarge, 0, {}};
    const char c = data[i];
    if (c == '\0') return malformed("NUL in the request head");
    if (c == '\r') {
      if (i + 1 >= data.size()) {
        scanned_ = i;
        return {};
      }
      if (data[i + 1] != '\n') return malformed("bare CR in the request head");
      continue;
    }
    if (c != '\n') continue;
    if (i == 0 || data[i - 1] != '\r') return malformed("bare LF in the request head");
    if (i + 1 >= data.size()) {
      scanned_ = i;
      return {};
    }
    const char next = data[i + 1];
    if (next == ' ' || next == '\t') return malformed("obsolete line folding in the request head");
    if (next != '\r') continue;
    if (i + 2 >= data.size()) {
      scanned_ = i;
      return {};
    }
    if (data[i + 2] != '\n') return malformed("bare CR in the request head");
    if (i + 2 >= limit_) return HeadScan{HeadScan::Status::kTooLarge, 0, {}};
    return HeadScan{HeadScan::Status::kComplete, i + 3, {}};
  }
  scanned_ = data.size();
  if (scanned_ >= limit_) return HeadScan{HeadScan::Status::kTooLarge, 0, {}};
  return {};
}

std::optional<std::string> check_request_framing(const Headers& headers, unsigned http_version) {
  const std::size_t transfer_encodings = headers.count("Transfer-Encoding");
  if (transfer_encodings > 1) return "Transfer-Encoding is repeated";
  if (transfer_encodings == 1) {
    if (http_version < 11) return "Transfer-Encoding is not allowed in HTTP/1.0";
    if (!iequals(trim(*headers.get("Transfer-Encoding")), "chunked"))
      return "only Transfer-Encoding: chunked is supported";
    if (headers.contains("Content-Length")) return "both Content-Length and Transfer-Encoding";
  }
  const std::size_t lengths = headers.count("Content-Length");
  if (lengths > 1) return "Content-Length is repeated";
  if (lengths == 1) {
    const std::string_view value = trim(*headers.get("Content-Length"));
    if (value.empty() ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return "Content-Length must be a single decimal number";
    }
  }
  const std::size_t hosts = headers.count("Host");
  if (hosts > 1) return "Host is repeated";
  if (hosts == 0 && http_version >= 11) return "Host is required in HTTP/1.1";
  return std::nullopt;
}

}  // namespace personae::http

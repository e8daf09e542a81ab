#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace personae::llm::internal {

/// How a feed() ended.
enum class FeedStatus {
  kOk,       ///< every complete unit was handed over; a partial one is kept for the next chunk
  kStopped,  ///< the callback returned false
  kTooLong,  ///< a unit grew past the cap (the stream cannot be trusted any further)
};

/// Splits a byte stream into lines across chunk boundaries: NDJSON (Ollama). A line ends at "\n";
/// a "\r" before it is dropped. Complete lines inside one chunk are handed over without copying;
/// only a line cut by a chunk boundary is buffered. Not thread-safe (one per stream).
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  /// Calls `on_line(std::string_view line) -> bool` for each line completed by `chunk`, in order,
  /// without its terminator; stops at the first false. The view is valid during the call only.
  template <class OnLine>
  FeedStatus feed(std::string_view chunk, OnLine&& on_line) {
    while (!chunk.empty()) {
      const std::size_t newline = chunk.find('\n');
      if (newline == std::string_view::npos) {
        if (partial_.size() + chunk.size() > max_line_bytes_) return FeedStatus::kTooLong;
        partial_.append(chunk);
        return FeedStatus::kOk;
      }
      std::string_view line = chunk.substr(0, newline);
      if (!partial_.empty()) {
        if (partial_.size() + line.size() > max_line_bytes_) return FeedStatus::kTooLong;
        partial_.append(line);
        line = partial_;
      } else if (line.size() > max_line_bytes_) {
        return FeedStatus::kTooLong;
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      chunk.remove_prefix(newline + 1);
      const bool go_on = on_line(line);
      partial_.clear();  // after the call: `line` may point into it
      if (!go_on) return FeedStatus::kStopped;
    }
    return FeedStatus::kOk;
  }

  /// Bytes after the last line break: a last line without one, or a line cut off.
  std::string_view rest() const { return partial_; }

 private:
  std::size_t max_line_bytes_;
  std::string partial_;
};

}  // namespace personae::llm::internal

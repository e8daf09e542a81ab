#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "adapters/llm/line_splitter.hpp"

namespace personae::llm::internal {

/// One server-sent event. `type` is the `event:` field ("" when absent, which means "message").
struct SseEvent {
  std::string_view type;
  std::string_view data;
};

/// Parses a text/event-stream (WHATWG HTML, "server-sent events") across chunk boundaries: lines end
/// at CR, LF or CRLF (a CRLF cut between two chunks included); `:` lines are comments (keep-alives);
/// `data:` lines of one event are joined with "\n"; a blank line dispatches the event; an event
/// without data is not dispatched; `id` and `retry` are ignored. Not thread-safe (one per stream).
class SseParser {
 public:
  /// `max_event_bytes` caps one line and one event's joined data.
  explicit SseParser(std::size_t max_event_bytes) : max_bytes_(max_event_bytes) {}

  /// Calls `on_event(const SseEvent&) -> bool` for each event completed by `chunk`, in order; stops
  /// at the first false. The views are valid during the call only.
  template <class OnEvent>
  FeedStatus feed(std::string_view chunk, OnEvent&& on_event) {
    while (!chunk.empty()) {
      if (skip_lf_) {
        skip_lf_ = false;
        if (chunk.front() == '\n') {
          chunk.remove_prefix(1);
          continue;
        }
      }
      std::size_t end = chunk.find_first_of("\r\n");
      if (end == std::string_view::npos) {
        if (line_.size() + chunk.size() > max_bytes_) return FeedStatus::kTooLong;
        line_.append(chunk);
        return FeedStatus::kOk;
      }
      std::string_view line = chunk.substr(0, end);
      if (!line_.empty()) {
        if (line_.size() + line.size() > max_bytes_) return FeedStatus::kTooLong;
        line_.append(line);
        line = line_;
      } else if (line.size() > max_bytes_) {
        return FeedStatus::kTooLong;
      }
      if (chunk[end] == '\r') {
        if (end + 1 < chunk.size()) {
          if (chunk[end + 1] == '\n') ++end;
        } else {
          skip_lf_ = true;  // the LF of a CRLF may start the next chunk
        }
      }
      chunk.remove_prefix(end + 1);
      const FeedStatus status = process_line(line, on_event);
      line_.clear();  // after processing: `line` may point into it
      if (status != FeedStatus::kOk) return status;
    }
    return FeedStatus::kOk;
  }

  /// Whether an event (or a line) has begun and not ended: the stream stopped in the middle.
  bool in_event() const { return !line_.empty() || !data_.empty() || !type_.empty(); }

 private:
  template <class OnEvent>
  FeedStatus process_line(std::string_view line, OnEvent& on_event) {
    if (line.empty()) {
      if (data_.empty()) {
        type_.clear();
        return FeedStatus::kOk;
      }
      std::string_view data = data_;
      data.remove_suffix(1);  // the "\n" after the last data line
      const bool go_on = on_event(SseEvent{type_, data});
      data_.clear();
      type_.clear();
      return go_on ? FeedStatus::kOk : FeedStatus::kStopped;
    }
    if (line.front() == ':') return FeedStatus::kOk;
    const std::size_t colon = line.find(':');
    const std::string_view field = line.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
      if (data_.size() + value.size() + 1 > max_bytes_) return FeedStatus::kTooLong;
      data_.append(value);
      data_.push_back('\n');
    } else if (field == "event") {
      type_.assign(value);
    }
    return FeedStatus::kOk;
  }

  std::size_t max_bytes_;
  std::string line_;
  bool skip_lf_ = false;
  std::string data_;
  std::string type_;
};

}  // namespace personae::llm::internal

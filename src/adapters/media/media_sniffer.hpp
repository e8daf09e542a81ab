#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "ports/image_processor.hpp"

struct magic_set;  // libmagic's handle (magic_t)

namespace personae::media {

/// Decides a file's type from its bytes with libmagic (MIME type mode), never from its name.
/// Thread-safe: one libmagic handle, which is not thread-safe, used under a mutex (a lookup takes
/// microseconds; the compiled database is about 8 MB, so one handle per thread would cost more).
class MediaSniffer {
 public:
  /// How many leading bytes of a file are worth reading for sniff().
  static constexpr std::size_t kHeadBytes = std::size_t{64} * 1024;

  /// Loads the system's magic database. Throws ConfigError when it cannot.
  MediaSniffer();
  ~MediaSniffer();
  MediaSniffer(const MediaSniffer&) = delete;
  MediaSniffer& operator=(const MediaSniffer&) = delete;

  /// libmagic's MIME type for `head` (the first bytes of a file), e.g. "image/jpeg",
  /// "application/x-empty", "text/plain".
  std::string mime_type_of(std::string_view head) const;

  /// The MediaType of `head`, or kInvalidArgument naming what the file is instead ("the file is a
  /// GIF image; upload JPEG, PNG, WebP or PDF", "the file is empty").
  Result<MediaType> sniff(std::string_view head) const;

 private:
  ::magic_set* cookie_ = nullptr;
  mutable std::mutex mutex_;
};

/// Our type for a client's claim: a MIME type ("image/jpeg", "image/jpg; charset=binary"), an
/// extension (".jpg", "jpeg", "PNG") or a file name ("photo.webp"); case-insensitive. nullopt when
/// it names none of MediaType.
std::optional<MediaType> media_type_from_declared(std::string_view declared);

/// kInvalidArgument ("the file is a JPEG image but was declared as image/png") when `declared` is
/// a claim that names another type than `sniffed`. An empty claim and
/// "application/octet-stream" (what clients send when they do not know) claim nothing.
Result<void> check_declared(MediaType sniffed, std::string_view declared);

}  // namespace personae::media

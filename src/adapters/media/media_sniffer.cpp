#include "adapters/media/media_sniffer.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include <magic.h>

namespace personae::media {
namespace {

constexpr std::string_view kAccepted = "; upload JPEG, PNG, WebP or PDF";

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  const auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
  const auto* first = std::find_if(text.begin(), text.end(), not_space);
  const auto* const last = std::find_if(text.rbegin(), text.rend(), not_space).base();
  return first < last ? std::string_view(first, static_cast<std::size_t>(last - first)) : std::string_view();
}

std::optional<MediaType> media_type_from_mime(std::string_view mime) {
  if (mime == "image/jpeg" || mime == "image/jpg" || mime == "image/pjpeg") return MediaType::kJpeg;
  if (mime == "image/png" || mime == "image/apng" || mime == "image/x-png") return MediaType::kPng;
  if (mime == "image/webp") return MediaType::kWebp;
  if (mime == "application/pdf") return MediaType::kPdf;
  return std::nullopt;
}

// What to call a refused type in a message shown to the user.
std::string describe_unsupported(std::string_view mime) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kNames{{
      {"image/gif", "a GIF image"},
      {"image/tiff", "a TIFF image"},
      {"image/svg+xml", "an SVG image"},
      {"image/svg", "an SVG image"},
      {"image/heic", "a HEIC image"},
      {"image/heif", "a HEIF image"},
      {"image/heic-sequence", "a HEIC image"},
      {"image/heif-sequence", "a HEIF image"},
      {"image/avif", "an AVIF image"},
      {"image/bmp", "a BMP image"},
      {"image/x-ms-bmp", "a BMP image"},
      {"image/jxl", "a JPEG XL image"},
      {"image/jp2", "a JPEG 2000 image"},
      {"image/jpx", "a JPEG 2000 image"},
      {"image/vnd.microsoft.icon", "an icon file"},
      {"image/x-icon", "an icon file"},
      {"image/vnd.adobe.photoshop", "a Photoshop document"},
      {"text/html", "an HTML document"},
      {"text/xml", "an XML document"},
      {"application/xml", "an XML document"},
      {"application/zip", "a ZIP archive"},
      {"application/json", "a JSON document"},
      {"application/postscript", "a PostScript document"},
      {"application/x-executable", "a program"},
  }};
  for (const auto& [type, name] : kNames) {
    if (mime == type) return std::string(name);
  }
  if (mime.starts_with("image/")) return "an image in an unsupported format (" + std::string(mime) + ")";
  if (mime.starts_with("video/")) return "a video";
  if (mime.starts_with("audio/")) return "an audio file";
  if (mime.starts_with("text/")) return "a text file";
  if (mime.empty() || mime == "application/octet-stream") return "of an unrecognised type";
  return "of an unsupported type (" + std::string(mime) + ")";
}

// A claim echoed in a message: printable ASCII only, and short.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

MediaSniffer::MediaSniffer()
    : cookie_(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_TAR |
                         MAGIC_NO_CHECK_ELF | MAGIC_NO_CHECK_CDF | MAGIC_NO_CHECK_APPTYPE)) {
  if (cookie_ == nullptr) throw ConfigError("libmagic could not start");
  if (magic_load(cookie_, nullptr) != 0) {
    const std::string detail = magic_error(cookie_) != nullptr ? magic_error(cookie_) : "";
    magic_close(cookie_);
    throw ConfigError("libmagic could not load its database: " + detail);
  }
  std::size_t bytes_max = kHeadBytes;
  magic_setparam(cookie_, MAGIC_PARAM_BYTES_MAX, &bytes_max);
}

MediaSniffer::~MediaSniffer() {
  magic_close(cookie_);
}

std::string MediaSniffer::mime_type_of(std::string_view head) const {
  head = head.substr(0, kHeadBytes);
  std::lock_guard lock(mutex_);
  const char* mime = magic_buffer(cookie_, head.data(), head.size());
  return mime != nullptr ? std::string(mime) : std::string();
}

Result<MediaType> MediaSniffer::sniff(std::string_view head) const {
  if (head.empty()) return make_error(ErrorCode::kInvalidArgument, "the file is empty");
  const std::string mime = mime_type_of(head);
  if (const auto type = media_type_from_mime(mime)) return *type;
  if (mime == "application/x-empty" || mime == "inode/x-empty") {
    return make_error(ErrorCode::kInvalidArgument, "the file is empty");
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "the file is " + describe_unsupported(mime) + std::string(kAccepted),
                    "libmagic: " + mime);
}

std::optional<MediaType> media_type_from_declared(std::string_view declared) {
  std::string claim = lower(trim(declared.substr(0, declared.find(';'))));
  if (claim.find('/') != std::string::npos) return media_type_from_mime(trim(claim));
  if (const auto dot = claim.rfind('.'); dot != std::string::npos) claim.erase(0, dot + 1);
  if (claim == "jpg" || claim == "jpeg" || claim == "jpe" || claim == "jfif") return MediaType::kJpeg;
  if (claim == "png") return MediaType::kPng;
  if (claim == "webp") return MediaType::kWebp;
  if (claim == "pdf") return MediaType::kPdf;
  return std::nullopt;
}

Result<void> check_declared(MediaType sniffed, std::string_view declared) {
  const std::string claim = lower(trim(declared.substr(0, declared.find(';'))));
  if (claim.empty() || claim == "application/octet-stream") return {};
  if (media_type_from_declared(declared) == sniffed) return {};
  static constexpr std::array<std::string_view, 4> kNames{"a JPEG image", "a PNG image", "a WebP image",
                                                          "a PDF document"};
  return make_error(ErrorCode::kInvalidArgument,
                    "the file is " + std::string(kNames.at(static_cast<std::size_t>(sniffed))) +
                        " but was declared as " + printable(trim(declared)));
}

}  // namespace personae::media

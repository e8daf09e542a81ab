#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/request.hpp"
#include "http/response.hpp"

namespace personae::http {

/// The dashboard's built files (web/dist), held in memory and served for GET and HEAD requests no
/// route matched:
///   - a file that exists is served with its content type and an ETag (If-None-Match: 304);
///     Vite's content-hashed files under /assets/ are cacheable for a year (immutable), everything
///     else (index.html first) must be revalidated, so a new release shows at once;
///   - text files are also kept gzip-compressed and sent so to clients that accept it;
///   - any other path without a file extension gets index.html (the single-page app routes in the
///     browser), except the API and operational paths (/api/..., /health, /ready, /metrics), which
///     keep their 404 problems: the dashboard never shadows them;
///   - responses carry a Content-Security-Policy that lets the app run its own scripts and styles
///     and nothing else.
/// Files are read once at start (symbolic links are skipped, so nothing outside the folder is
/// served). Immutable after load; thread-safe.
class StaticSite {
 public:
  /// Loads every regular file under `root`. Throws std::runtime_error naming the problem when the
  /// folder cannot be read, holds no index.html, or exceeds `max_total_bytes`.
  static std::unique_ptr<StaticSite> load(const std::filesystem::path& root,
                                          std::size_t max_total_bytes = std::size_t{64} << 20);

  /// A one-page site telling the operator the dashboard is not built (the API still works).
  static std::unique_ptr<StaticSite> placeholder();

  /// The answer for `request` (GET or HEAD, path already decoded), or nullopt when the request is
  /// not the site's (another method, an API or operational path, a missing file with an
  /// extension).
  std::optional<Response> serve(const Request& request) const;

  std::size_t file_count() const { return files_.size(); }
  std::size_t total_bytes() const { return total_bytes_; }

  /// The Content-Security-Policy of dashboard responses.
  static constexpr std::string_view kContentSecurityPolicy =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
      "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
      "frame-ancestors 'none'";

 private:
  struct File {
    std::string bytes;
    std::string gzipped;  ///< empty when not worth compressing
    std::string content_type;
    std::string etag;
    bool immutable = false;
  };

  Response respond(const Request& request, const File& file) const;

  std::map<std::string, File, std::less<>> files_;  ///< by URL path ("/index.html")
  std::size_t total_bytes_ = 0;
};

/// The content type a dashboard file is served with, from its extension.
std::string_view content_type_for(const std::filesystem::path& file);

}  // namespace personae::http

#include "http/static_site.hpp"

#include <zlib.h>

#include <array>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "core/crypto.hpp"
#include "http/headers.hpp"

namespace personae::http {
namespace {

constexpr std::size_t kCompressAbove = 1024;

std::string gzip(std::string_view data) {
  z_stream stream{};
  // 15 window bits + 16: a gzip wrapper, which every browser accepts as Content-Encoding: gzip.
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    return {};
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return result == Z_STREAM_END ? out : std::string();
}

bool is_text(std::string_view content_type) {
  return content_type.starts_with("text/") || content_type.starts_with("application/json") ||
         content_type.starts_with("image/svg+xml") || content_type.starts_with("application/manifest+json");
}

bool is_operational_path(std::string_view path) {
  return path.starts_with("/api/") || path == "/api" || path == "/health" || path == "/ready" ||
         path == "/metrics";
}

// The last segment has a dot: it names a file ("/assets/app.js"), not an app route.
bool names_a_file(std::string_view path) {
  const auto slash = path.rfind('/');
  return path.substr(slash == std::string_view::npos ? 0 : slash).find('.') != std::string_view::npos;
}

bool accepts_gzip(const Request& request) {
  for (const auto& [name, value] : request.headers) {
    if (iequals(name, "Accept-Encoding") && value.find("gzip") != std::string_view::npos) return true;
  }
  return false;
}

constexpr std::string_view kPlaceholderPage = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Personae</title></head>
<body><h1>Personae is running</h1>
<p>The dashboard is not built on this installation; the API answers under <code>/api/v1/</code>
(<a href="/api/v1/openapi.yaml">its contract</a>).</p>
<p>From a clone of the repository, <code>make run</code> builds the dashboard and serves it here.</p>
</body></html>
)";

}  // namespace

std::string_view content_type_for(const std::filesystem::path& file) {
  const std::string extension = file.extension().string();
  if (extension == ".html") return "text/html; charset=utf-8";
  if (extension == ".js" || extension == ".mjs") return "text/javascript; charset=utf-8";
  if (extension == ".css") return "text/css; charset=utf-8";
  if (extension == ".json" || extension == ".map") return "application/json; charset=utf-8";
  if (extension == ".webmanifest") return "application/manifest+json; charset=utf-8";
  if (extension == ".svg") return "image/svg+xml";
  if (extension == ".png") return "image/png";
  if (extension == ".jpg" || extension == ".jpeg") return "image/jpeg";
  if (extension == ".webp") return "image/webp";
  if (extension == ".ico") return "image/x-icon";
  if (extension == ".woff2") return "font/woff2";
  if (extension == ".woff") return "font/woff";
  if (extension == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::unique_ptr<StaticSite> StaticSite::load(const std::filesystem::path& root, std::size_t max_total_bytes) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    throw std::runtime_error("the dashboard folder " + root.string() + " does not exist");
  }
  auto site = std::unique_ptr<StaticSite>(new StaticSite());
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const auto status = it->symlink_status(ec);
    if (ec || !std::filesystem::is_regular_file(status)) continue;  // links and specials are skipped
    std::ifstream in(it->path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) throw std::runtime_error("cannot read " + it->path().string());
    site->total_bytes_ += bytes.size();
    if (site->total_bytes_ > max_total_bytes) {
      throw std::runtime_error("the dashboard folder " + root.string() + " holds more than " +
                               std::to_string(max_total_bytes) + " bytes");
    }
    File file;
    const auto relative = std::filesystem::relative(it->path(), root, ec);
    const std::string url = "/" + relative.generic_string();
    file.content_type = std::string(content_type_for(it->path()));
    file.etag = "\"" + sha256_hex(bytes).substr(0, 32) + "\"";
    file.immutable = url.starts_with("/assets/");
    if (bytes.size() > kCompressAbove && is_text(file.content_type)) {
      std::string compressed = gzip(bytes);
      if (!compressed.empty() && compressed.size() < bytes.size()) file.gzipped = std::move(compressed);
    }
    file.bytes = std::move(bytes);
    site->files_.emplace(url, std::move(file));
  }
  if (ec) throw std::runtime_error("cannot list the dashboard folder " + root.string() + ": " + ec.message());
  if (!site->files_.contains("/index.html")) {
    throw std::runtime_error("the dashboard folder " + root.string() + " has no index.html (is it built?)");
  }
  return site;
}

std::unique_ptr<StaticSite> StaticSite::placeholder() {
  auto site = std::unique_ptr<StaticSite>(new StaticSite());
  File page;
  page.bytes = std::string(kPlaceholderPage);
  page.content_type = "text/html; charset=utf-8";
  page.etag = "\"" + sha256_hex(page.bytes).substr(0, 32) + "\"";
  site->total_bytes_ = page.bytes.size();
  site->files_.emplace("/index.html", std::move(page));
  return site;
}

std::optional<Response> StaticSite::serve(const Request& request) const {
  if (request.method != Method::kGet && request.method != Method::kHead) return std::nullopt;
  const std::string_view path = request.path;
  if (is_operational_path(path)) return std::nullopt;
  auto found = files_.find(path == "/" ? std::string_view("/index.html") : path);
  if (found == files_.end()) {
    if (names_a_file(path)) return std::nullopt;  // a missing asset is a 404, never the app
    found = files_.find(std::string_view("/index.html"));
  }
  return respond(request, found->second);
}

Response StaticSite::respond(const Request& request, const File& file) const {
  Response response;
  response.headers.set("ETag", file.etag);
  response.headers.set("Cache-Control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  response.headers.set("Content-Security-Policy", std::string(kContentSecurityPolicy));
  response.headers.set("Vary", "Accept-Encoding");
  if (const auto match = request.headers.get("If-None-Match"); match && *match == file.etag) {
    response.status = 304;
    return response;
  }
  response.status = 200;
  response.headers.set("Content-Type", file.content_type);
  if (!file.gzipped.empty() && accepts_gzip(request)) {
    response.headers.set("Content-Encoding", "gzip");
    response.body = file.gzipped;
  } else {
    response.body = file.bytes;
  }
  return response;
}

}  // namespace personae::http

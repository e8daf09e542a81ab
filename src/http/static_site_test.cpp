#include "http/static_site.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "http/http_service.hpp"
#include "observability/metrics.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::http {
namespace {

Request get(std::string path, Headers headers = {}) {
  Request request;
  request.method = Method::kGet;
  request.method_text = "GET";
  request.target = path;
  request.path = std::move(path);
  request.headers = std::move(headers);
  return request;
}

std::string gunzip(const std::string& data) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out(std::size_t{1} << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  inflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write("index.html",
          "<!doctype html><div id=root></div><script type=module src=/assets/app-1a2b.js></script>");
    write("assets/app-1a2b.js", "console.log('" + std::string(4000, 'x') + "');");
    write("favicon.svg", "<svg/>");
    std::filesystem::create_symlink("/etc/hostname", dir_.path() / "leak.txt");
  }
  void write(const std::string& name, const std::string& content) {
    const auto path = dir_.path() / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
  }
  ::personae::testing::TempDir dir_;
};

TEST_F(StaticSiteTest, ServesFilesWithTypesCachingAndRevalidation) {
  const auto site = StaticSite::load(dir_.path());
  EXPECT_EQ(site->file_count(), 3U);  // the symbolic link is skipped
  const auto index = site->serve(get("/"));
  ASSERT_TRUE(index);
  EXPECT_EQ(index->headers.get("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_EQ(index->headers.get("Cache-Control").value_or(""), "no-cache");
  EXPECT_NE(index->headers.get("Content-Security-Policy").value_or("").find("script-src 'self'"),
            std::string::npos);
  const auto asset = site->serve(get("/assets/app-1a2b.js"));
  ASSERT_TRUE(asset);
  EXPECT_EQ(asset->headers.get("Cache-Control").value_or(""), "public, max-age=31536000, immutable");
  EXPECT_EQ(asset->headers.get("Content-Type").value_or(""), "text/javascript; charset=utf-8");
  Headers conditional;
  conditional.set("If-None-Match", std::string(asset->headers.get("ETag").value_or("")));
  EXPECT_EQ(site->serve(get("/assets/app-1a2b.js", conditional))->status, 304);
  EXPECT_FALSE(site->serve(get("/leak.txt")));
}

TEST_F(StaticSiteTest, AppRoutesGetTheIndexButMissingFilesAndTheApiDoNot) {
  const auto site = StaticSite::load(dir_.path());
  const auto route = site->serve(get("/personas/123/edit"));
  ASSERT_TRUE(route);
  EXPECT_NE(route->body.find("id=root"), std::string::npos);
  EXPECT_FALSE(site->serve(get("/assets/missing-9z.js")));
  for (const char* path : {"/api/v1/nothing", "/api", "/health", "/ready", "/metrics"}) {
    EXPECT_FALSE(site->serve(get(path))) << path;
  }
  Request post = get("/");
  post.method = Method::kPost;
  EXPECT_FALSE(site->serve(post));
}

TEST_F(StaticSiteTest, TextIsSentCompressedToClientsThatAcceptIt) {
  const auto site = StaticSite::load(dir_.path());
  Headers gzip_ok;
  gzip_ok.set("Accept-Encoding", "gzip, deflate, br");
  const auto compressed = site->serve(get("/assets/app-1a2b.js", gzip_ok));
  ASSERT_TRUE(compressed);
  EXPECT_EQ(compressed->headers.get("Content-Encoding").value_or(""), "gzip");
  EXPECT_LT(compressed->body.size(), 1000U);
  EXPECT_EQ(gunzip(compressed->body), site->serve(get("/assets/app-1a2b.js"))->body);
}

TEST_F(StaticSiteTest, AFolderWithoutIndexOrMissingIsRefused) {
  std::filesystem::remove(dir_.path() / "index.html");
  EXPECT_THROW(StaticSite::load(dir_.path()), std::runtime_error);
  EXPECT_THROW(StaticSite::load(dir_.path() / "nowhere"), std::runtime_error);
  EXPECT_THROW(StaticSite::load(dir_.path(), 10), std::runtime_error);
  EXPECT_NE(StaticSite::placeholder()->serve(get("/"))->body.find("make run"), std::string::npos);
}

TEST_F(StaticSiteTest, TheServiceFallsBackToTheSiteOnlyForUnroutedPaths) {
  Router router;
  router.add(
      Method::kGet, "/api/v1/version", RouteAccess::public_route(),
      [](const Request&) { return Response::text(200, "v", "text/plain"); }, Execution::kInline);
  observability::MetricsRegistry metrics;
  HttpServiceOptions options;
  options.site = StaticSite::load(dir_.path());
  HttpService service(router, metrics, options);
  const auto answer = [&](const std::string& path) {
    Request request = get(path);
    request.target = path;
    auto prepared = service.prepare(request);
    Response response = std::holds_alternative<Response>(prepared)
                            ? std::get<Response>(prepared)
                            : service.invoke(*std::get<const Route*>(prepared), request);
    service.finish(request, response, nullptr, std::chrono::milliseconds(1));
    return response;
  };
  EXPECT_EQ(answer("/api/v1/version").body, "v");
  EXPECT_EQ(answer("/api/v1/unknown").status, 404);
  EXPECT_EQ(answer("/api/v1/unknown").headers.get("Content-Type").value_or(""),
            "application/problem+json; charset=utf-8");
  const auto page = answer("/media");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.headers.get("Content-Security-Policy").value_or("").find("'self'"), std::string::npos);
  EXPECT_EQ(answer("/favicon.svg").headers.get("Content-Type").value_or(""), "image/svg+xml");
}

}  // namespace
}  // namespace personae::http

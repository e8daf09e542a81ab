// Feeds arbitrary bytes through what the server does with a request: the head scanner, Beast's
// parser with the server's limits, the framing checks, the conversion to our Request, and the
// HttpService pipeline over a small router (including a JSON body route), then serializes the
// response as the server would.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "http/beast_conversion.hpp"
#include "http/framing.hpp"
#include "http/http_service.hpp"
#include "http/json_body.hpp"
#include "observability/log.hpp"

namespace {

using namespace personae;
namespace beast_http = boost::beast::http;

constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxBodyBytes = 64 * 1024;

http::Router make_router() {
  http::Router router;
  router.add(http::Method::kGet, "/api/v1/personas/{id}", http::RouteAccess::public_route(),
             [](const http::Request& request) {
               const auto limit = request.query_param("limit");
               return http::Response::json(
                   200, {{"id", std::string(request.path_param("id"))}, {"limit", limit.value_or("")}});
             });
  router.add(
      http::Method::kPost, "/api/v1/notes", http::RouteAccess::public_route(),
      [](const http::Request& request) { return http::Response::text(200, request.body, "text/plain"); },
      http::Execution::kBlocking, http::BodyPolicy{32, std::nullopt, false});
  router.add(http::Method::kPost, "/api/v1/personas", http::RouteAccess::public_route(),
             [](const http::Request& request) {
               const auto json = http::parse_json_body(request);
               http::JsonReader body(json);
               auto name = body.required<std::string>("name");
               auto age = body.optional<int>("age");
               auto tags = body.optional<std::vector<std::string>>("tags");
               auto address = body.object("address");
               auto city = address.optional<std::string>("city");
               body.finish();
               return http::Response::json(
                   201, {{"name", name}, {"age", age.value_or(0)}, {"city", city.value_or("")}});
             });
  router.add(
      http::Method::kGet, "/", http::RouteAccess::public_route(),
      [](const http::Request&) { return http::Response::text(200, "ok", "text/plain"); },
      http::Execution::kInline);
  return router;
}

struct Fixture {
  Fixture() : service(router, metrics, options()) { log::configure(log::Level::kError, log::Format::kJson); }

  static http::HttpServiceOptions options() {
    http::HttpServiceOptions result;
    result.cors_allowed_origins = {"https://app.example.com"};
    result.cors_allow_credentials = true;
    return result;
  }

  http::Router router = make_router();
  observability::MetricsRegistry metrics;
  http::HttpService service;
};

void serialize(http::BeastResponse& message) {
  beast_http::response_serializer<beast_http::string_body> serializer(message);
  boost::beast::error_code ec;
  while (!serializer.is_done() && !ec) {
    serializer.next(ec, [&](boost::beast::error_code&, const auto& buffers) {
      serializer.consume(boost::asio::buffer_size(buffers));
    });
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  // Pipelined requests, as the server reads them off one connection.
  while (!input.empty()) {
    http::RequestHeadScanner scanner(kMaxHeaderBytes);
    const auto scan = scanner.scan(input);
    if (scan.status != http::HeadScan::Status::kComplete) return 0;

    // As the server: the head alone, routing, then the body under the route's limit.
    beast_http::request_parser<beast_http::empty_body> head_parser;
    head_parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
    head_parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    boost::beast::error_code ec;
    std::size_t used = head_parser.put(boost::asio::buffer(input.data(), scan.size), ec);
    if (ec || !head_parser.is_header_done()) return 0;
    input.remove_prefix(used);
    const unsigned version = head_parser.get().version();
    if (version != 10 && version != 11) return 0;
    http::Request request;
    request.method_text = std::string(head_parser.get().method_string());
    request.method = http::parse_method(request.method_text);
    request.target = std::string(head_parser.get().target());
    request.headers = http::to_headers(head_parser.get().base());
    request.remote_address = "192.0.2.1";
    if (http::check_request_framing(request.headers, version)) return 0;

    http::Response response;
    const http::Route* route = nullptr;
    auto prepared = fixture.service.prepare(request);
    const bool immediate = std::holds_alternative<http::Response>(prepared);
    if (!immediate) route = std::get<const http::Route*>(prepared);
    const std::size_t limit =
        route != nullptr ? route->body.max_bytes.value_or(kMaxBodyBytes) : kMaxBodyBytes;
    bool keep_alive = head_parser.keep_alive();
    bool refused = false;
    if (const auto length = head_parser.content_length(); length && *length > limit) refused = true;
    if (!refused && !head_parser.is_done()) {
      beast_http::request_parser<beast_http::string_body> parser(std::move(head_parser));
      parser.body_limit(limit);
      parser.eager(true);
      while (!parser.is_done() && !input.empty()) {
        used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
        if (ec == beast_http::error::need_more && used == 0) break;
        if (ec && ec != beast_http::error::need_more) break;
        input.remove_prefix(used);
      }
      if (!ec && !parser.is_done()) parser.put_eof(ec);
      refused = (ec && ec != beast_http::error::need_more) || !parser.is_done();
      keep_alive = parser.keep_alive();
      if (!refused) request.body = std::move(parser.get().body());
    }
    if (refused) {
      response = http::HttpService::problem(request, 413, "refused");
      keep_alive = false;
    } else if (immediate) {
      response = std::move(std::get<http::Response>(prepared));
    } else {
      response = fixture.service.invoke(*route, request);
    }
    fixture.service.finish(request, response, route, std::chrono::microseconds(1));
    auto message = http::to_beast_response(std::move(response), version, keep_alive);
    serialize(message);
    if (!keep_alive) return 0;
  }
  return 0;
}

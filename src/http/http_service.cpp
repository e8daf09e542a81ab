#include "http/http_service.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/error_code_name.hpp"
#include "http/problem.hpp"
#include "observability/log.hpp"

namespace personae::http {
namespace {

constexpr int kLowestStatus = 100;
constexpr int kHighestStatus = 599;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A handler that copies client input into a header must not be able to split the response.
bool valid_field(std::string_view name, std::string_view value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) return false;
  return std::none_of(value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

std::string_view method_label(const Request& request) {
  return to_string(request.method);
}

std::string_view logged_method(const Request& request) {
  return request.method_text.empty() ? to_string(request.method) : std::string_view(request.method_text);
}

// The path for logs: the decoded one when decoding worked, else the raw target without its query
// (which may carry tokens).
std::string_view logged_path(const Request& request) {
  if (!request.path.empty()) return request.path;
  const std::string_view target = request.target;
  return target.substr(0, target.find('?'));
}

void merge_vary(Response& response, std::string_view value) {
  const auto existing = response.headers.get("Vary");
  if (!existing) {
    response.headers.set("Vary", value);
    return;
  }
  if (existing->find(value) != std::string_view::npos || trim(*existing) == "*") return;
  response.headers.set("Vary", std::string(*existing) + ", " + std::string(value));
}

}  // namespace

struct HttpService::RouteMetrics {
  observability::Histogram* duration = nullptr;
  // requests_total for the route's own method, indexed by status - 100: looked up once, then a
  // relaxed atomic load per request instead of a locked map lookup.
  std::array<std::atomic<observability::Counter*>, kHighestStatus - kLowestStatus + 1> by_status{};
};

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  });
}

HttpService::HttpService(const Router& router, observability::MetricsRegistry& metrics,
                         HttpServiceOptions options)
    : router_(router),
      metrics_(metrics),
      options_(std::move(options)),
      requests_total_(metrics.counter("personae_http_requests_total",
                                      "HTTP requests completed, by route pattern.",
                                      {"method", "route", "status"})),
      request_duration_(metrics.histogram(
          "personae_http_request_duration_seconds",
          "HTTP request duration from the first byte read to the response, by route.", {"route"},
          {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      in_flight_(
          metrics.gauge("personae_http_requests_in_flight", "HTTP requests being handled.").labels({})) {
  const bool wildcard = std::find(options_.cors_allowed_origins.begin(), options_.cors_allowed_origins.end(),
                                  "*") != options_.cors_allowed_origins.end();
  if (wildcard && options_.cors_allow_credentials) {
    throw std::invalid_argument(
        "CORS: the origin \"*\" cannot be combined with credentials; list the origins");
  }
  unmatched_duration_ = &request_duration_.labels({"unmatched"});
}

HttpService::~HttpService() = default;

Prepared HttpService::prepare(Request& request) {
  in_flight_.inc();
  const auto offered_id = request.headers.get("X-Request-Id");
  request.request_id =
      offered_id && valid_request_id(*offered_id) ? std::string(*offered_id) : random_hex(16);
  request.path_params.clear();
  try {
    decode_target(request);
  } catch (const HttpError& error) {
    return problem_response(error.problem(), request.request_id);
  }

  if (request.method == Method::kOther && request.method_text != "TRACE" &&
      request.method_text != "CONNECT") {
    return problem(request, 501, "this server does not support the method");
  }
  const auto origin = request.headers.get("Origin");
  if (request.method == Method::kOptions && origin &&
      request.headers.contains("Access-Control-Request-Method")) {
    return preflight(request, *origin);
  }

  auto result = router_.match(request.method, request.path);
  if (auto* match = std::get_if<RouteMatch>(&result)) {
    request.path_params = std::move(match->params);
    return match->route;
  }
  if (auto* not_allowed = std::get_if<MethodNotAllowed>(&result)) {
    if (request.method == Method::kOptions) {
      Response response = Response::no_content(204);
      response.headers.set("Allow", not_allowed->allow + ", OPTIONS");
      return response;
    }
    Response response = problem(request, 405, "the method is not allowed on this resource");
    response.headers.set("Allow", not_allowed->allow);
    return response;
  }
  if (options_.site) {
    if (auto page = options_.site->serve(request)) return std::move(*page);
  }
  return problem(request, 404, "no resource at this path");
}

Response HttpService::invoke(const Route& route, const Request& request) const {
  try {
    return route.handler(request);
  } catch (const HttpError& error) {
    return problem_response(error.problem(), request.request_id);
  } catch (const AppError& error) {
    const Error& failure = error.error();
    Problem problem = problem_for(failure);
    const nlohmann::json fields = {{"request_id", request.request_id},
                                   {"route", route.pattern},
                                   {"code", error_code_name(failure.code)},
                                   {"message", failure.message},
                                   {"detail", failure.detail},
                                   {"status", problem.status}};
    if (problem.status >= 500) {
      log::error("request_failed", fields);
    } else {
      log::info("request_rejected", fields);
    }
    return problem_response(problem, request.request_id);
  } catch (const std::exception& error) {
    log::error("unhandled_exception", {{"request_id", request.request_id},
                                       {"route", route.pattern},
                                       {"method", logged_method(request)},
                                       {"what", error.what()},
                                       {"service", options_.service_name},
                                       {"version", options_.service_version}});
  } catch (...) {
    log::error("unhandled_exception", {{"request_id", request.request_id},
                                       {"route", route.pattern},
                                       {"method", logged_method(request)},
                                       {"what", "a non-standard exception"},
                                       {"service", options_.service_name},
                                       {"version", options_.service_version}});
  }
  return problem(request, 500, {});
}

void HttpService::finish(const Request& request, Response& response, const Route* route,
                         std::chrono::nanoseconds duration) {
  record(request, response, route, duration);
  in_flight_.dec();
}

void HttpService::finish_unprepared(Request& request, Response& response, std::chrono::nanoseconds duration) {
  if (request.request_id.empty()) {
    const auto offered_id = request.headers.get("X-Request-Id");
    request.request_id =
        offered_id && valid_request_id(*offered_id) ? std::string(*offered_id) : random_hex(16);
  }
  record(request, response, nullptr, duration);
}

Response HttpService::problem(const Request& request, int status, std::string detail) {
  Problem problem;
  problem.status = status;
  problem.title = std::string(reason_phrase(status));
  problem.detail = std::move(detail);
  return problem_response(problem, request.request_id);
}

bool HttpService::origin_allowed(std::string_view origin) const {
  return std::any_of(options_.cors_allowed_origins.begin(), options_.cors_allowed_origins.end(),
                     [origin](const std::string& allowed) { return allowed == "*" || allowed == origin; });
}

Response HttpService::preflight(const Request& request, std::string_view origin) const {
  if (!origin_allowed(origin)) return problem(request, 403, "this origin may not call the API");
  const std::string_view method = trim(*request.headers.get("Access-Control-Request-Method"));
  if (std::find(options_.cors_allowed_methods.begin(), options_.cors_allowed_methods.end(), method) ==
      options_.cors_allowed_methods.end()) {
    return problem(request, 403, "this method may not be used across origins");
  }
  std::string_view requested = request.headers.get("Access-Control-Request-Headers").value_or("");
  while (!requested.empty()) {
    const std::size_t comma = requested.find(',');
    const std::string_view name = trim(requested.substr(0, comma));
    requested = comma == std::string_view::npos ? std::string_view() : requested.substr(comma + 1);
    if (name.empty()) continue;
    const bool allowed =
        std::any_of(options_.cors_allowed_headers.begin(), options_.cors_allowed_headers.end(),
                    [name](const std::string& header) { return iequals(header, name); });
    if (!allowed)
      return problem(request, 403, "the header '" + std::string(name) + "' may not be sent across origins");
  }
  Response response = Response::no_content(204);
  response.headers.set("Access-Control-Allow-Methods", join(options_.cors_allowed_methods));
  response.headers.set("Access-Control-Allow-Headers", join(options_.cors_allowed_headers));
  response.headers.set("Access-Control-Max-Age", std::to_string(options_.cors_max_age.count()));
  merge_vary(response, "Access-Control-Request-Method");
  merge_vary(response, "Access-Control-Request-Headers");
  return response;
}

void HttpService::add_cors_headers(const Request& request, Response& response) const {
  if (options_.cors_allowed_origins.empty()) return;
  // The answer depends on Origin even when this one is refused: caches must keep them apart.
  merge_vary(response, "Origin");
  const auto origin = request.headers.get("Origin");
  if (!origin || !origin_allowed(*origin)) return;
  const bool wildcard = std::find(options_.cors_allowed_origins.begin(), options_.cors_allowed_origins.end(),
                                  "*") != options_.cors_allowed_origins.end();
  response.headers.set("Access-Control-Allow-Origin", wildcard ? std::string_view("*") : *origin);
  if (options_.cors_allow_credentials) response.headers.set("Access-Control-Allow-Credentials", "true");
  if (!options_.cors_exposed_headers.empty()) {
    response.headers.set("Access-Control-Expose-Headers", join(options_.cors_exposed_headers));
  }
}

void HttpService::add_security_headers(Response& response) const {
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("X-Frame-Options", "DENY");
  response.headers.set("Referrer-Policy", "no-referrer");
  response.headers.set("Cross-Origin-Opener-Policy", "same-origin");
  response.headers.set("Cross-Origin-Resource-Policy", "same-origin");
  response.headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
  // The dashboard's static handler sets its own policy (it needs scripts and styles); API answers
  // are data and need nothing.
  if (!response.headers.contains("Content-Security-Policy")) {
    response.headers.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  }
  if (!response.headers.contains("Cache-Control")) response.headers.set("Cache-Control", "no-store");
  if (options_.hsts) response.headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
}

HttpService::RouteMetrics* HttpService::route_metrics(const Route* route) {
  std::call_once(route_metrics_once_, [this] {
    for (const auto& each : router_.routes()) {
      auto metrics = std::make_unique<RouteMetrics>();
      metrics->duration = &request_duration_.labels({each.pattern});
      route_metrics_.push_back(std::move(metrics));
    }
  });
  const auto& routes = router_.routes();
  if (route == nullptr || routes.empty() || route < routes.data() || route >= routes.data() + routes.size()) {
    return nullptr;
  }
  const auto index = static_cast<std::size_t>(route - routes.data());
  return index < route_metrics_.size() ? route_metrics_[index].get() : nullptr;
}

void HttpService::record(const Request& request, Response& response, const Route* route,
                         std::chrono::nanoseconds duration) {
  bool headers_valid = true;
  for (const auto& [name, value] : response.headers)
    headers_valid = headers_valid && valid_field(name, value);
  if (!headers_valid || response.status < kLowestStatus || response.status > kHighestStatus) {
    log::error("invalid_response",
               {{"request_id", request.request_id},
                {"route", route != nullptr ? route->pattern : "unmatched"},
                {"status", response.status},
                {"why", headers_valid ? "status out of range" : "a header has CR, LF or NUL"}});
    response = problem(request, 500, {});
  }
  response.headers.set("X-Request-Id", request.request_id);
  add_security_headers(response);
  add_cors_headers(request, response);

  const int status = response.status;
  const bool bodiless_status = status < 200 || status == 204 || status == 304;
  if (bodiless_status) {
    response.body.clear();
    response.headers.remove("Content-Length");
  } else {
    response.headers.set("Content-Length", std::to_string(response.body.size()));
  }
  const std::size_t bytes_out = response.body.size();
  // HEAD: the same headers as GET, Content-Length included, and no body.
  if (request.method == Method::kHead) response.body.clear();

  const std::string route_label = route != nullptr ? route->pattern : "unmatched";
  const double seconds = std::chrono::duration<double>(duration).count();
  RouteMetrics* cached = route_metrics(route);
  if (cached != nullptr && request.method == route->method) {
    auto& slot = cached->by_status[static_cast<std::size_t>(status - kLowestStatus)];
    observability::Counter* counter = slot.load(std::memory_order_acquire);
    if (counter == nullptr) {
      counter = &requests_total_.labels({method_label(request), route_label, std::to_string(status)});
      slot.store(counter, std::memory_order_release);
    }
    counter->inc();
  } else {
    requests_total_.labels({method_label(request), route_label, std::to_string(status)}).inc();
  }
  if (cached != nullptr) {
    cached->duration->observe(seconds);
  } else if (route != nullptr) {
    request_duration_.labels({route_label}).observe(seconds);
  } else {
    unmatched_duration_->observe(seconds);
  }

  log::info("http_request",
            {{"request_id", request.request_id},
             {"method", logged_method(request)},
             {"route", route_label},
             {"path", logged_path(request)},
             {"status", status},
             {"duration_ms", seconds * 1000.0},
             {"bytes_in", request.spooled_body ? request.spooled_body->size() : request.body.size()},
             {"bytes_out", bytes_out},
             {"remote", request.remote_address}});
}

}  // namespace personae::http

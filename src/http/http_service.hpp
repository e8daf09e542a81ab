#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/request.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "http/static_site.hpp"
#include "observability/metrics.hpp"

namespace personae::http {

struct HttpServiceOptions {
  std::string service_name = "personae";  ///< in error log lines
  std::string service_version;            ///< in error log lines
  /// Origins allowed to call the API from a browser, matched exactly ("https://app.example.com").
  /// "*" allows any origin, and only without credentials. Empty: no CORS headers at all.
  std::vector<std::string> cors_allowed_origins;
  bool cors_allow_credentials = false;
  /// What a preflight may ask for (compared case-insensitively).
  std::vector<std::string> cors_allowed_methods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
  std::vector<std::string> cors_allowed_headers = {"Authorization", "Content-Type", "X-Request-Id",
                                                   "Idempotency-Key"};
  /// Response headers a browser script may read.
  std::vector<std::string> cors_exposed_headers = {"X-Request-Id", "Retry-After", "Location"};
  std::chrono::seconds cors_max_age{600};
  /// Sends Strict-Transport-Security (only behind TLS: a browser remembers it for a year).
  bool hsts = false;
  /// The dashboard, answering GET and HEAD requests no route matched (see StaticSite); none: 404.
  std::shared_ptr<const StaticSite> site;
};

/// What prepare() decided: answer now, or run this route's handler.
using Prepared = std::variant<Response, const Route*>;

/// The transport-neutral middleware around every request: request id, CORS, routing, error
/// mapping, security headers, metrics and the access log. The server calls, for each request,
/// `prepare`, then (when it returned a route) `invoke` on the IO thread or on the worker pool per
/// Route::execution, then `finish`, then writes the response. Handlers never see this class.
///
/// Thread-safety: every member is safe to call from any thread at once. The router may still get
/// routes after construction (so a handler can capture this service), but not once the first
/// request was prepared. The router and the registry must outlive the service.
class HttpService {
 public:
  /// Registers the metrics below in `metrics`; throws std::invalid_argument for inconsistent
  /// options ("*" origin with credentials).
  ///   personae_http_requests_total{method,route,status}        counter
  ///   personae_http_request_duration_seconds{route}             histogram, 0.0005 s to 10 s
  ///   personae_http_requests_in_flight                          gauge
  HttpService(const Router& router, observability::MetricsRegistry& metrics, HttpServiceOptions options = {});
  ~HttpService();
  HttpService(const HttpService&) = delete;
  HttpService& operator=(const HttpService&) = delete;

  /// Accepts X-Request-Id when it is 1-128 characters of [A-Za-z0-9._:-] (else makes one), decodes
  /// the target, answers a CORS preflight or an unroutable request (400, 403, 404, 405, 501), or
  /// returns the matched route with `request.path_params` filled. Counts the request in flight:
  /// every prepare() must be followed by exactly one finish(), whatever it returned.
  Prepared prepare(Request& request);

  /// Runs the route's handler, mapping what it throws: HttpError to its problem, AppError to
  /// problem_for() (the detail only logged), anything else to a bare 500 (logged). Never throws.
  Response invoke(const Route& route, const Request& request) const;

  /// Completes a prepared request: X-Request-Id, security and CORS headers, Content-Length (a HEAD
  /// response keeps it and loses its body), metrics (`route` null: "unmatched") and one access log
  /// line. `duration`: from the first byte read to now.
  void finish(const Request& request, Response& response, const Route* route,
              std::chrono::nanoseconds duration);

  /// The same for a request the server refused before prepare() (malformed, too large, too slow):
  /// assigns the request id if there is none yet, does not touch the in-flight gauge.
  void finish_unprepared(Request& request, Response& response, std::chrono::nanoseconds duration);

  /// A problem response for a request the server refused itself, with the request id as instance.
  static Response problem(const Request& request, int status, std::string detail);

  /// True once shutdown began. The server sets it; the /ready handler reads it (through a
  /// `std::function<bool()>` such as `[&service] { return service.draining(); }`) to answer 503 so
  /// that load balancers stop sending traffic.
  bool draining() const noexcept { return draining_.load(std::memory_order_acquire); }
  void set_draining() noexcept { draining_.store(true, std::memory_order_release); }

  observability::MetricsRegistry& metrics() const { return metrics_; }
  const HttpServiceOptions& options() const { return options_; }

 private:
  struct RouteMetrics;

  Response preflight(const Request& request, std::string_view origin) const;
  bool origin_allowed(std::string_view origin) const;
  void add_cors_headers(const Request& request, Response& response) const;
  void add_security_headers(Response& response) const;
  void record(const Request& request, Response& response, const Route* route,
              std::chrono::nanoseconds duration);
  RouteMetrics* route_metrics(const Route* route);

  const Router& router_;
  observability::MetricsRegistry& metrics_;
  HttpServiceOptions options_;
  std::atomic<bool> draining_{false};

  observability::CounterFamily& requests_total_;
  observability::HistogramFamily& request_duration_;
  observability::Gauge& in_flight_;
  // One entry per router route, built on the first request (the route table is final by then).
  std::once_flag route_metrics_once_;
  std::vector<std::unique_ptr<RouteMetrics>> route_metrics_;
  observability::Histogram* unmatched_duration_ = nullptr;
};

/// True when `id` is 1-128 characters of [A-Za-z0-9._:-].
bool valid_request_id(std::string_view id);

}  // namespace personae::http

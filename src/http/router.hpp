#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/authorization/authorization.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace personae::http {

using Handler = std::function<Response(const Request&)>;

/// Where a handler runs. kInline handlers run on the IO thread and must not block (no database,
/// no disk, no hashing); kBlocking handlers run on the bounded worker pool.
enum class Execution { kInline, kBlocking };

/// Who may call a route. Every route declares one (Router::add requires it); the route table test
/// compares it with the operation's `x-personae-action` in api/openapi.yaml, and the handler of a
/// non-public route is wrapped by http/auth's guard(), which enforces it.
class RouteAccess {
 public:
  enum class Kind { kPublic, kAuthenticated, kAction };

  /// Anyone, without credentials (the route may still check its own, like /metrics).
  static RouteAccess public_route() { return RouteAccess(Kind::kPublic, std::nullopt); }
  /// Any authenticated principal, whatever its role (its own account, its own sessions).
  static RouteAccess any_principal() { return RouteAccess(Kind::kAuthenticated, std::nullopt); }
  /// A principal that holds `action` (Principal::can).
  static RouteAccess action(Action action) { return RouteAccess(Kind::kAction, action); }

  Kind kind() const { return kind_; }
  /// Set exactly when kind() is kAction.
  std::optional<Action> required_action() const { return action_; }
  /// "public", "authenticated" or the action's name ("members.manage"): the `x-personae-action`
  /// spelling.
  std::string name() const;

  bool operator==(const RouteAccess&) const = default;

 private:
  RouteAccess(Kind kind, std::optional<Action> action) : kind_(kind), action_(action) {}
  Kind kind_;
  std::optional<Action> action_;
};

/// How a route takes its request body. The server routes a request as soon as its head arrives,
/// then reads the body under the matched route's policy (an unroutable request gets the defaults).
struct BodyPolicy {
  /// The largest body accepted, 413 beyond it (refused from Content-Length before any byte of the
  /// body is read, and before `100 Continue`); nullopt: the server's max_body_bytes.
  std::optional<std::size_t> max_bytes;
  /// How long the whole body may take to arrive, 408 after it; nullopt: the server's body_timeout.
  std::optional<std::chrono::milliseconds> timeout;
  /// Write the body to a temporary file as it arrives (Request::spooled_body) instead of memory:
  /// for uploads. Requires Execution::kBlocking (the handler reads a file).
  bool spool_to_file = false;
};

struct Route {
  Method method;
  std::string pattern;  ///< "/api/v1/personas/{id}": literal segments and whole-segment "{name}"
  RouteAccess access;
  Handler handler;
  Execution execution = Execution::kBlocking;
  BodyPolicy body;
};

struct RouteMatch {
  const Route* route;
  std::map<std::string, std::string, std::less<>> params;
};
struct RouteNotFound {};
struct MethodNotAllowed {
  std::string allow;  ///< value for the Allow header, e.g. "GET, HEAD"
};
using RouteResult = std::variant<RouteMatch, RouteNotFound, MethodNotAllowed>;

/// The one route table. A GET route also answers HEAD.
class Router {
 public:
  /// Throws std::invalid_argument for a malformed pattern, a duplicate (method, pattern), a
  /// non-public route that is kInline (authentication reads the database, so it must run on the
  /// worker pool), or a spooled body on a kInline route or with a zero limit.
  void add(Method method, std::string pattern, RouteAccess access, Handler handler,
           Execution execution = Execution::kBlocking, BodyPolicy body = {});
  RouteResult match(Method method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  ///< routes_[i].pattern split once, at add()
};

}  // namespace personae::http

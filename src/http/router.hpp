#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/request.hpp"
#include "http/response.hpp"

namespace personae::http {

using Handler = std::function<Response(const Request&)>;

/// Where a handler runs. kInline handlers run on the IO thread and must not block (no database,
/// no disk, no hashing); kBlocking handlers run on the bounded worker pool.
enum class Execution { kInline, kBlocking };

struct Route {
  Method method;
  std::string pattern;  ///< "/api/v1/personas/{id}": literal segments and whole-segment "{name}"
  Handler handler;
  Execution execution = Execution::kBlocking;
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
  /// Throws std::invalid_argument for a malformed pattern or a duplicate (method, pattern).
  void add(Method method, std::string pattern, Handler handler, Execution execution = Execution::kBlocking);
  RouteResult match(Method method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  ///< routes_[i].pattern split once, at add()
};

}  // namespace personae::http

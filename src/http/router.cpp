#include "http/router.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <utility>

namespace personae::http {
namespace {

std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.starts_with('/')) path.remove_prefix(1);
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = path.find('/', start);
    segments.push_back(
        path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

template <class Segments>
bool is_param_at(const Segments& segments, std::size_t i) {
  return segments[i].size() >= 2 && segments[i].front() == '{' && segments[i].back() == '}';
}

bool is_param(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void validate_pattern(std::string_view pattern) {
  const auto fail = [pattern](std::string_view why) {
    throw std::invalid_argument("route pattern '" + std::string(pattern) + "': " + std::string(why));
  };
  if (!pattern.starts_with('/')) fail("must start with '/'");
  if (pattern == "/") return;
  std::set<std::string_view> names;
  for (const auto segment : split_segments(pattern)) {
    if (segment.empty()) fail("has an empty segment");
    if (is_param(segment)) {
      const std::string_view name = segment.substr(1, segment.size() - 2);
      if (name.empty() || !std::all_of(name.begin(), name.end(), is_name_char))
        fail("has a bad parameter name");
      if (!names.insert(name).second) fail("repeats a parameter name");
    } else if (segment.find_first_of("{}?#%") != std::string_view::npos) {
      fail("has '{', '}', '?', '#' or '%' outside a whole-segment parameter");
    }
  }
}

// Two patterns that differ only in parameter names match the same requests.
std::string shape_of(std::string_view pattern) {
  std::string shape;
  for (const auto segment : split_segments(pattern)) {
    shape += '/';
    shape += is_param(segment) ? std::string_view("{}") : segment;
  }
  return shape;
}

// Literal segments are more specific than parameters, compared from the left, so "/personas/me"
// wins over "/personas/{id}" whatever the order of registration.
bool more_specific(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const bool a_literal = !is_param_at(a, i);
    const bool b_literal = !is_param_at(b, i);
    if (a_literal != b_literal) return a_literal;
  }
  return false;
}

bool matches(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_param_at(pattern, i)) {
      if (path[i].empty()) return false;
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string RouteAccess::name() const {
  switch (kind_) {
    case Kind::kPublic: return "public";
    case Kind::kAuthenticated: return "authenticated";
    case Kind::kAction: return std::string(to_string(*action_));
  }
  return "public";
}

void Router::add(Method method, std::string pattern, RouteAccess access, Handler handler, Execution execution,
                 BodyPolicy body) {
  if (method == Method::kOther) throw std::invalid_argument("route " + pattern + ": unsupported method");
  if (!handler) throw std::invalid_argument("route " + pattern + ": empty handler");
  if (access.kind() != RouteAccess::Kind::kPublic && execution == Execution::kInline) {
    throw std::invalid_argument("route " + pattern + ": an authenticated route must be kBlocking");
  }
  if (body.spool_to_file && execution == Execution::kInline) {
    throw std::invalid_argument("route " + pattern + ": a spooled body needs a kBlocking handler");
  }
  if (body.max_bytes && *body.max_bytes == 0 && body.spool_to_file) {
    throw std::invalid_argument("route " + pattern + ": a spooled body with a zero limit");
  }
  validate_pattern(pattern);
  const std::string shape = shape_of(pattern);
  for (const auto& route : routes_) {
    if (route.method == method && shape_of(route.pattern) == shape) {
      throw std::invalid_argument("duplicate route " + std::string(to_string(method)) + " " + pattern +
                                  " (same as " + route.pattern + ")");
    }
  }
  std::vector<std::string> segments;
  for (const auto segment : split_segments(pattern)) segments.emplace_back(segment);
  routes_.push_back(Route{method, std::move(pattern), access, std::move(handler), execution, body});
  segments_.push_back(std::move(segments));
}

RouteResult Router::match(Method method, std::string_view path) const {
  const auto path_segments = split_segments(path);
  const Route* best = nullptr;
  const std::vector<std::string>* best_segments = nullptr;
  bool best_is_exact_method = false;
  std::set<Method> allowed;
  for (std::size_t index = 0; index < routes_.size(); ++index) {
    const Route& route = routes_[index];
    const auto& route_segments = segments_[index];
    if (!matches(route_segments, path_segments)) continue;
    allowed.insert(route.method);
    if (route.method == Method::kGet) allowed.insert(Method::kHead);
    const bool exact = route.method == method;
    // A GET route answers HEAD unless an explicit HEAD route matches.
    const bool via_get = method == Method::kHead && route.method == Method::kGet;
    if (!exact && !via_get) continue;
    const bool better = best == nullptr || more_specific(route_segments, *best_segments) ||
                        (!more_specific(*best_segments, route_segments) && exact && !best_is_exact_method);
    if (better) {
      best = &route;
      best_segments = &route_segments;
      best_is_exact_method = exact;
    }
  }
  if (best != nullptr) {
    RouteMatch match{best, {}};
    for (std::size_t i = 0; i < best_segments->size(); ++i) {
      if (is_param_at(*best_segments, i)) {
        const std::string& segment = (*best_segments)[i];
        match.params.emplace(segment.substr(1, segment.size() - 2), std::string(path_segments[i]));
      }
    }
    return match;
  }
  if (allowed.empty()) return RouteNotFound{};
  std::string allow;
  for (const Method allowed_method : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += to_string(allowed_method);
  }
  return MethodNotAllowed{std::move(allow)};
}

}  // namespace personae::http

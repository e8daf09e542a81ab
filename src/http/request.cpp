#include "http/request.hpp"

#include "core/text_encoding.hpp"

#include <array>
#include <utility>

#include "http/problem.hpp"

namespace personae::http {
namespace {

constexpr std::array<std::pair<Method, std::string_view>, 7> kMethodNames{{
    {Method::kGet, "GET"},
    {Method::kHead, "HEAD"},
    {Method::kPost, "POST"},
    {Method::kPut, "PUT"},
    {Method::kPatch, "PATCH"},
    {Method::kDelete, "DELETE"},
    {Method::kOptions, "OPTIONS"},
}};

[[noreturn]] void bad_target(std::string detail) {
  throw HttpError(400, "Bad Request", std::move(detail));
}

std::string decode_path(std::string_view raw) {
  std::string path;
  path.reserve(raw.size());
  std::size_t segment_start = 0;
  for (std::size_t i = 0; i <= raw.size(); ++i) {
    if (i < raw.size() && raw[i] != '/') continue;
    const std::string_view segment = raw.substr(segment_start, i - segment_start);
    // Decoding per segment means "%2F" could only become a '/' inside a segment, which the router
    // would then split on: refuse it rather than guess what the client meant.
    auto decoded = percent_decode(segment, false);
    if (!decoded) bad_target("the path has invalid percent-encoding");
    if (decoded->find('/') != std::string::npos) bad_target("the path has an encoded '/'");
    if (decoded->find('\0') != std::string::npos) bad_target("the path has a NUL character");
    if (*decoded == "." || *decoded == "..") bad_target("the path has a '.' or '..' segment");
    path += *decoded;
    if (i < raw.size()) path += '/';
    segment_start = i + 1;
  }
  return path;
}

}  // namespace

std::string_view to_string(Method method) {
  for (const auto& [value, name] : kMethodNames) {
    if (value == method) return name;
  }
  return "OTHER";
}

Method parse_method(std::string_view text) {
  // Methods are case-sensitive (RFC 9110 section 9.1): "get" is not GET.
  for (const auto& [value, name] : kMethodNames) {
    if (name == text) return value;
  }
  return Method::kOther;
}

std::string_view Request::path_param(std::string_view name) const {
  const auto found = path_params.find(name);
  return found == path_params.end() ? std::string_view() : std::string_view(found->second);
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::optional<std::string> result;
  std::string_view rest = query;
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const auto key = percent_decode(pair.substr(0, eq), true);
    if (!key) throw HttpError(400, "Bad Request", "the query string has invalid percent-encoding");
    if (*key != name) continue;
    const auto value =
        percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!value)
      throw HttpError(400, "Bad Request", "query parameter '" + *key + "' has invalid percent-encoding");
    if (result) throw HttpError(400, "Bad Request", "query parameter '" + *key + "' appears more than once");
    result = *value;
  }
  return result;
}

void decode_target(Request& request) {
  std::string_view target = request.target;
  if (target.starts_with("http://") || target.starts_with("https://")) {
    // Absolute-form (RFC 9112 section 3.2.2): the authority is the client's business, the path is ours.
    const std::size_t authority = target.find("//") + 2;
    const std::size_t slash = target.find_first_of("/?", authority);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    if (target.starts_with('?')) bad_target("the request-target has no path");
  }
  if (!target.starts_with('/')) bad_target("the request-target must start with '/'");
  const std::size_t question = target.find('?');
  const std::size_t fragment = target.find('#');
  if (fragment != std::string_view::npos) bad_target("the request-target must not have a fragment");
  request.path = decode_path(target.substr(0, question));
  request.query =
      question == std::string_view::npos ? std::string() : std::string(target.substr(question + 1));
}

}  // namespace personae::http

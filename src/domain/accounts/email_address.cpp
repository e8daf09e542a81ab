#include "domain/accounts/email_address.hpp"

#include <algorithm>

#include "domain/accounts/text.hpp"

namespace personae {
namespace {

constexpr std::size_t kMaxLocalPartLength = 64;
constexpr std::size_t kMaxLabelLength = 63;

bool is_forbidden_byte(unsigned char byte) {
  // Whitespace and control characters, and what would let an address break out of a header or a
  // quoted context.
  return byte <= 0x20 || byte == 0x7F || byte == '"' || byte == '<' || byte == '>' || byte == '(' ||
         byte == ')' || byte == ',' || byte == ';' || byte == ':' || byte == '\\' || byte == '[' ||
         byte == ']';
}

bool is_valid_domain(std::string_view domain) {
  if (domain.empty()) return false;
  std::size_t labels = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = domain.find('.', start);
    const std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > kMaxLabelLength || label.front() == '-' || label.back() == '-') {
      return false;
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2;
}

}  // namespace

std::string normalize_email(std::string_view raw) {
  std::string email(trim_ascii_whitespace(raw));
  std::transform(email.begin(), email.end(), email.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return email;
}

bool is_valid_email(std::string_view email) {
  if (email.empty() || email.size() > kMaxEmailLength) return false;
  if (!utf8_code_points(email).has_value()) return false;
  for (const char c : email) {
    if (is_forbidden_byte(static_cast<unsigned char>(c))) return false;
  }
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view local = email.substr(0, at);
  if (local.empty() || local.size() > kMaxLocalPartLength) return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  return is_valid_domain(email.substr(at + 1));
}

Result<std::string> parse_email(std::string_view raw) {
  std::string email = normalize_email(raw);
  if (!is_valid_email(email)) return make_error(ErrorCode::kInvalidArgument, "not a valid e-mail address");
  return email;
}

}  // namespace personae

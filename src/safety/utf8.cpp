#include "safety/utf8.hpp"

#include "core/utf8_decode.hpp"

namespace personae::safety::utf8 {

Decoded decode(std::string_view text, std::size_t at) noexcept {
  const auto sequence = decode_utf8(text, at);
  if (!sequence) return {};
  return {sequence->code_point, sequence->length, true};
}

void append(std::string& out, char32_t code_point) {
  if (code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) code_point = kReplacement;
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0U | (code_point >> 6U)));
    out.push_back(static_cast<char>(0x80U | (code_point & 0x3FU)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0U | (code_point >> 12U)));
    out.push_back(static_cast<char>(0x80U | ((code_point >> 6U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | (code_point & 0x3FU)));
  } else {
    out.push_back(static_cast<char>(0xF0U | (code_point >> 18U)));
    out.push_back(static_cast<char>(0x80U | ((code_point >> 12U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | ((code_point >> 6U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | (code_point & 0x3FU)));
  }
}

std::size_t count(std::string_view text) noexcept {
  std::size_t n = 0;
  for (std::size_t at = 0; at < text.size(); at += decode(text, at).length) ++n;
  return n;
}

std::size_t prefix_bytes(std::string_view text, std::size_t max_code_points) noexcept {
  std::size_t at = 0;
  for (std::size_t n = 0; n < max_code_points && at < text.size(); ++n) at += decode(text, at).length;
  return at;
}

std::string excerpt(std::string_view text, std::size_t max_code_points) {
  std::string out;
  std::size_t n = 0;
  for (std::size_t at = 0; at < text.size();) {
    const auto decoded = decode(text, at);
    at += decoded.length;
    if (n == max_code_points) {
      out += "\xE2\x80\xA6";
      break;
    }
    char32_t cp = decoded.code_point;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029) cp = ' ';
    append(out, cp);
    ++n;
  }
  return out;
}

}  // namespace personae::safety::utf8

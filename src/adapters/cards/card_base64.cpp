#include "adapters/cards/card_base64.hpp"

#include <array>
#include <cstdint>

namespace personae::cards::detail {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xFF;
constexpr std::uint8_t kPadding = 0xFE;
constexpr std::uint8_t kSpace = 0xFD;

constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& value : table) value = kInvalid;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  table['='] = kPadding;
  for (const unsigned char c : {' ', '\t', '\r', '\n'}) table[c] = kSpace;
  return table;
}

constexpr auto kTable = make_table();

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16U) |
                                (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8U) |
                                static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(group >> 18U) & 0x3FU]);
    out.push_back(kAlphabet[(group >> 12U) & 0x3FU]);
    out.push_back(kAlphabet[(group >> 6U) & 0x3FU]);
    out.push_back(kAlphabet[group & 0x3FU]);
  }
  const std::size_t left = bytes.size() - i;
  if (left == 0) return out;
  std::uint32_t group = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16U;
  if (left == 2) group |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8U;
  out.push_back(kAlphabet[(group >> 18U) & 0x3FU]);
  out.push_back(kAlphabet[(group >> 12U) & 0x3FU]);
  out.push_back(left == 2 ? kAlphabet[(group >> 6U) & 0x3FU] : '=');
  out.push_back('=');
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t group = 0;
  std::size_t sextets = 0;  // alphabet characters in the current group of four
  std::size_t pads = 0;     // '=' in the current group
  bool finished = false;    // a padded group ends the text
  for (const char c : text) {
    const auto value = kTable[static_cast<unsigned char>(c)];
    if (value == kSpace) continue;
    if (value == kInvalid || finished) return std::nullopt;
    if (value == kPadding) {
      if (sextets < 2) return std::nullopt;
      ++pads;
    } else {
      if (pads > 0) return std::nullopt;
      group = (group << 6U) | value;
      ++sextets;
    }
    if (sextets + pads < 4) continue;
    group <<= 6U * pads;
    out.push_back(static_cast<char>((group >> 16U) & 0xFFU));
    if (pads < 2) out.push_back(static_cast<char>((group >> 8U) & 0xFFU));
    if (pads < 1) out.push_back(static_cast<char>(group & 0xFFU));
    finished = pads > 0;
    group = 0;
    sextets = 0;
    pads = 0;
  }
  if (sextets + pads != 0) return std::nullopt;
  return out;
}

}  // namespace personae::cards::detail

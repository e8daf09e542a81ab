// libFuzzer target: character card import from PNG bytes (chunk structure, CRCs, tEXt decoding,
// base64, then the JSON card). Random bytes almost never carry valid CRCs, so each input is also
// tried with its chunk CRCs recomputed: the fuzzer then reaches the text chunks and the card.
// Invariants: nothing crashes; a refusal is kInvalidArgument with a short message; and a PNG that
// imports takes a V2 and a V3 export of its persona, which import again to the same persona.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <zlib.h>

#include "adapters/cards/character_card.hpp"
#include "adapters/cards/png_chunks.hpp"

namespace {

using personae::cards::CardVersion;
using personae::cards::ExportVersion;

constexpr std::size_t kMaxMessageBytes = 1024;

[[noreturn]] void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "card_png_fuzz: %s %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

std::uint32_t read_be32(std::string_view bytes) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[0])) << 24U) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[1])) << 16U) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[2])) << 8U) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[3]));
}

// Rewrites the CRC of every chunk whose length fits in the input.
std::string with_fixed_crcs(std::string_view png) {
  std::string out(png);
  std::size_t offset = personae::cards::kPngSignature.size();
  while (offset + 12 <= out.size()) {
    const std::uint32_t length = read_be32(std::string_view(out).substr(offset, 4));
    if (length > out.size() - offset - 12) break;
    const auto* typed = reinterpret_cast<const Bytef*>(out.data() + offset + 4);
    const auto crc = static_cast<std::uint32_t>(crc32(crc32(0L, nullptr, 0), typed, length + 4));
    for (int i = 0; i < 4; ++i)
      out[offset + 8 + length + i] = static_cast<char>((crc >> (24 - 8 * i)) & 0xFFU);
    offset += 12 + length;
  }
  return out;
}

void check(std::string_view png) {
  const auto card = personae::cards::parse_card_png(png);
  if (!card) {
    const auto& error = card.error();
    if (error.code != personae::ErrorCode::kInvalidArgument)
      fail("refused with another code:", error.message);
    if (error.message.empty() || error.message.size() > kMaxMessageBytes)
      fail("bad message size:", error.message);
    return;
  }
  for (const auto version : {ExportVersion::kV2, ExportVersion::kV3}) {
    const auto exported = personae::cards::export_card_png(card->persona, version, png);
    if (!exported) fail("a PNG that imports does not take an export:", exported.error().message);
    const auto again = personae::cards::parse_card_png(*exported);
    if (!again) fail("the exported PNG does not import:", again.error().message);
    if (again->version != (version == ExportVersion::kV3 ? CardVersion::kV3 : CardVersion::kV2))
      fail("version changed");
    if (!(again->persona == card->persona)) fail("the round trip changed the persona");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view png(reinterpret_cast<const char*>(data), size);
  check(png);
  const auto fixed = with_fixed_crcs(png);
  if (fixed != png) check(fixed);
  return 0;
}

// libFuzzer target: character card import from JSON text (strict parsing, depth and duplicate-key
// checks, every field's validation, the personae extension, V3 fields lifted from a V2 card).
// Invariants: nothing crashes; a refusal is kInvalidArgument with a short message; and a card that
// imports exports (as V2 and as V3) to JSON that imports again to the very same persona, the
// export being a fixed point (a differential round-trip property).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "adapters/cards/character_card.hpp"

namespace {

using personae::cards::CardVersion;
using personae::cards::ExportVersion;

// Messages are shown to users: they quote at most a few characters of the input.
constexpr std::size_t kMaxMessageBytes = 1024;

[[noreturn]] void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "card_json_fuzz: %s %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto card = personae::cards::parse_card_json(text);
  if (!card) {
    const auto& error = card.error();
    if (error.code != personae::ErrorCode::kInvalidArgument)
      fail("refused with another code:", error.message);
    if (error.message.empty() || error.message.size() > kMaxMessageBytes)
      fail("bad message size:", error.message);
    return 0;
  }
  for (const auto version : {ExportVersion::kV2, ExportVersion::kV3}) {
    const auto exported = personae::cards::export_card_json(card->persona, version);
    const auto again = personae::cards::parse_card_json(exported);
    if (!again) fail("the export does not import:", again.error().message);
    if (again->version != (version == ExportVersion::kV3 ? CardVersion::kV3 : CardVersion::kV2))
      fail("version changed");
    if (!(again->persona == card->persona)) fail("the round trip changed the persona:", exported);
    if (personae::cards::export_card_json(again->persona, version) != exported)
      fail("the export is not stable");
  }
  return 0;
}

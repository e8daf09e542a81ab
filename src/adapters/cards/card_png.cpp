#include <array>
#include <optional>
#include <string>
#include <utility>

#include "adapters/cards/card_base64.hpp"
#include "adapters/cards/character_card.hpp"
#include "adapters/cards/png_chunks.hpp"

namespace personae::cards {
namespace {

static_assert(kMaxCardPngBytes == kMaxPngBytes);

constexpr std::string_view kCharaKeyword = "chara";
constexpr std::string_view kCcv3Keyword = "ccv3";
constexpr std::array<std::string_view, 2> kCardKeywords = {kCharaKeyword, kCcv3Keyword};

tl::unexpected<Error> invalid(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

Result<ImportedCard> parse_card_png(std::string_view png_bytes) {
  auto chunks = parse_png_chunks(png_bytes);
  if (!chunks) return tl::unexpected(std::move(chunks.error()));
  std::optional<std::string> chara;
  std::optional<std::string> ccv3;
  for (std::size_t i = 0; i < chunks->size(); ++i) {
    const auto& chunk = (*chunks)[i];
    if (chunk.type != "tEXt") continue;
    auto text = decode_text_chunk(chunk.data);
    if (!text) return invalid("chunk " + std::to_string(i + 1) + " (tEXt): " + text.error().message);
    auto* slot = text->keyword == kCharaKeyword ? &chara : text->keyword == kCcv3Keyword ? &ccv3 : nullptr;
    if (slot == nullptr) continue;
    if (*slot) return invalid("the PNG holds more than one " + text->keyword + " text chunk");
    *slot = std::move(text->text);
  }
  if (!chara && !ccv3) return invalid("the PNG holds no character card (no chara or ccv3 text chunk)");

  // Readers prefer ccv3: V3 writers keep chara as a V2 fallback for older readers.
  const std::string name(ccv3 ? kCcv3Keyword : kCharaKeyword);
  const auto json = detail::base64_decode(ccv3 ? *ccv3 : *chara);
  if (!json) return invalid(name + " chunk: the text is not valid base64");
  auto card = parse_card_json(*json);
  if (!card) return invalid(name + " chunk: " + card.error().message);
  if (ccv3 && card->version != CardVersion::kV3)
    return invalid(name + R"( chunk: spec: expected "chara_card_v3")");
  return card;
}

Result<std::string> export_card_png(const Persona& persona, ExportVersion version,
                                    std::string_view png_image) {
  // A card we would refuse to read back is not written: every chunk's JSON stays within the limit.
  std::vector<PngText> texts;
  const auto add = [&texts](std::string_view keyword, const std::string& json) {
    if (json.size() > kMaxCardJsonBytes) return false;
    texts.push_back(PngText{std::string(keyword), detail::base64_encode(json)});
    return true;
  };
  if (!add(kCharaKeyword, export_card_json(persona, ExportVersion::kV2)) ||
      (version == ExportVersion::kV3 && !add(kCcv3Keyword, export_card_json(persona, ExportVersion::kV3)))) {
    return invalid("the card would be larger than 4 MiB");
  }
  auto png = replace_png_text_chunks(png_image, kCardKeywords, texts);
  if (!png) return png;
  if (png->size() > kMaxCardPngBytes) return invalid("the card PNG would be larger than 20 MiB");
  return png;
}

}  // namespace personae::cards

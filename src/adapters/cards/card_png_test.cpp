#include <array>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/cards/card_base64.hpp"
#include "adapters/cards/card_test_support.hpp"
#include "adapters/cards/character_card.hpp"
#include "adapters/cards/png_chunks.hpp"
#include "adapters/cards/test_png.hpp"

namespace personae::cards {
namespace {

using nlohmann::json;
using testing::full_persona;
using testing::insert_before_iend;
using testing::make_png;
using testing::text_data;
using testing::without_installation_fields;

std::string card_chunk(std::string_view keyword, std::string_view json) {
  return text_data(keyword, detail::base64_encode(json));
}

std::string png_with(std::initializer_list<std::pair<std::string_view, std::string_view>> texts) {
  auto png = make_png();
  for (const auto& [keyword, text] : texts) png = insert_before_iend(png, "tEXt", text_data(keyword, text));
  return png;
}

std::string error_of(std::string_view png) {
  auto card = parse_card_png(png);
  if (card) return "(accepted)";
  EXPECT_EQ(card.error().code, ErrorCode::kInvalidArgument);
  return card.error().message;
}

// The card chunks of a PNG, keyword -> decoded JSON.
std::map<std::string, json> card_chunks(std::string_view png) {
  std::map<std::string, json> out;
  const auto chunks = parse_png_chunks(png);
  EXPECT_TRUE(chunks);
  for (const auto& chunk : *chunks) {
    if (chunk.type != "tEXt") continue;
    const auto text = decode_text_chunk(chunk.data);
    EXPECT_TRUE(text);
    if (text->keyword != "chara" && text->keyword != "ccv3") continue;
    EXPECT_FALSE(out.contains(text->keyword)) << text->keyword;
    const auto decoded = detail::base64_decode(text->text);
    EXPECT_TRUE(decoded);
    out[text->keyword] = json::parse(decoded.value_or("null"));
  }
  return out;
}

TEST(CardPng, V2RoundTrip) {
  const auto persona = full_persona();
  const auto png = export_card_png(persona, ExportVersion::kV2, make_png());
  ASSERT_TRUE(png) << png.error().message;
  const auto chunks = card_chunks(*png);
  ASSERT_EQ(chunks.size(), 1U);
  EXPECT_EQ(chunks.at("chara")["spec"], "chara_card_v2");
  const auto card = parse_card_png(*png);
  ASSERT_TRUE(card) << card.error().message;
  EXPECT_EQ(card->version, CardVersion::kV2);
  EXPECT_EQ(card->persona, without_installation_fields(persona));
}

TEST(CardPng, V3WritesBothChunksAndReadsCcv3) {
  const auto persona = full_persona();
  const auto png = export_card_png(persona, ExportVersion::kV3, make_png());
  ASSERT_TRUE(png) << png.error().message;
  const auto chunks = card_chunks(*png);
  ASSERT_EQ(chunks.size(), 2U);
  EXPECT_EQ(chunks.at("chara"), json::parse(export_card_json(persona, ExportVersion::kV2)));
  EXPECT_EQ(chunks.at("ccv3"), json::parse(export_card_json(persona, ExportVersion::kV3)));
  const auto card = parse_card_png(*png);
  ASSERT_TRUE(card) << card.error().message;
  EXPECT_EQ(card->version, CardVersion::kV3);
  EXPECT_EQ(card->persona, without_installation_fields(persona));
}

TEST(CardPng, KeepsTheImageAndReplacesOldCards) {
  auto image = insert_before_iend(make_png(3, 2), "tEXt", text_data("Software", "paint"));
  image = insert_before_iend(image, "tEXt", card_chunk("chara", testing::v2_card()));
  const auto first = export_card_png(full_persona(), ExportVersion::kV3, image);
  ASSERT_TRUE(first);
  const auto second = export_card_png(full_persona(), ExportVersion::kV2, *first);
  ASSERT_TRUE(second);
  const auto chunks = parse_png_chunks(*second);
  ASSERT_TRUE(chunks);
  std::vector<std::string> types;
  for (const auto& chunk : *chunks) types.emplace_back(chunk.type);
  EXPECT_EQ(types, (std::vector<std::string>{"IHDR", "IDAT", "tEXt", "tEXt", "IEND"}));
  EXPECT_EQ((*chunks)[2].data, text_data("Software", "paint"));
  EXPECT_EQ((*chunks)[1].data, (*parse_png_chunks(image))[1].data);
  EXPECT_EQ(card_chunks(*second).size(), 1U);
  EXPECT_EQ(parse_card_png(*second)->persona.display_name, "Luna Vale");
}

TEST(CardPng, PrefersCcv3OverChara) {
  const auto png = png_with(
      {{"chara", detail::base64_encode(testing::v2_card({{"name", "Old"}}))},
       {"ccv3",
        detail::base64_encode(R"({"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"New"}})")}});
  const auto card = parse_card_png(png);
  ASSERT_TRUE(card) << card.error().message;
  EXPECT_EQ(card->persona.display_name, "New");
  EXPECT_EQ(card->version, CardVersion::kV3);
}

TEST(CardPng, ReadsAV1CardFromChara) {
  const auto card =
      parse_card_png(png_with({{"chara", detail::base64_encode(R"({"name":"Old Bot","first_mes":"hi"})")}}));
  ASSERT_TRUE(card) << card.error().message;
  EXPECT_EQ(card->version, CardVersion::kV1);
  EXPECT_EQ(card->persona.character.first_message, "hi");
}

TEST(CardPng, AcceptsWrappedBase64) {
  auto text = detail::base64_encode(testing::v2_card());
  text.insert(8, "\r\n");
  EXPECT_EQ(parse_card_png(png_with({{"chara", text}}))->persona.display_name, "Aria");
}

TEST(CardPng, RejectsAPngWithoutACard) {
  EXPECT_EQ(error_of(make_png()), "the PNG holds no character card (no chara or ccv3 text chunk)");
  EXPECT_EQ(error_of(png_with({{"Comment", "hello"}, {"Chara", "e30="}})),
            "the PNG holds no character card (no chara or ccv3 text chunk)");
}

TEST(CardPng, RejectsBadBase64) {
  EXPECT_EQ(error_of(png_with({{"chara", "{\"name\":\"raw json\"}"}})),
            "chara chunk: the text is not valid base64");
  EXPECT_EQ(error_of(png_with({{"chara", "e30="}, {"ccv3", "e30"}})),
            "ccv3 chunk: the text is not valid base64");
}

TEST(CardPng, RejectsAMalformedCardNamingTheChunk) {
  EXPECT_EQ(
      error_of(png_with(
          {{"ccv3", detail::base64_encode(R"({"spec":"chara_card_v3","spec_version":"3.0","data":{}})")}})),
      "ccv3 chunk: data.name: required");
  EXPECT_EQ(error_of(png_with({{"chara", detail::base64_encode("[1]")}})),
            "chara chunk: the card must be a JSON object");
  EXPECT_EQ(error_of(png_with({{"chara", detail::base64_encode("\xFF")}})),
            "chara chunk: the card is not valid UTF-8");
}

TEST(CardPng, RequiresAV3CardInCcv3) {
  EXPECT_EQ(error_of(png_with({{"ccv3", detail::base64_encode(testing::v2_card())}})),
            R"(ccv3 chunk: spec: expected "chara_card_v3")");
}

TEST(CardPng, RejectsRepeatedCardChunks) {
  EXPECT_EQ(error_of(png_with({{"chara", "e30="}, {"chara", "e30="}})),
            "the PNG holds more than one chara text chunk");
  EXPECT_EQ(error_of(png_with({{"ccv3", "e30="}, {"ccv3", "e30="}})),
            "the PNG holds more than one ccv3 text chunk");
}

TEST(CardPng, RejectsMalformedTextChunks) {
  const auto png = insert_before_iend(make_png(), "tEXt", "chara");
  EXPECT_EQ(error_of(png), "chunk 3 (tEXt): no NUL separates the keyword from the text");
}

TEST(CardPng, RejectsBrokenPngStructure) {
  auto png = png_with({{"chara", detail::base64_encode(testing::v2_card())}});
  EXPECT_EQ(error_of(png.substr(0, png.size() - 20)), "the PNG is truncated (chunk 3 (tEXt) is cut off)");
  png[png.size() - 20] ^= 0x20;  // inside the tEXt chunk's text
  EXPECT_EQ(error_of(png), "chunk 3 (tEXt) has a bad CRC");
  EXPECT_EQ(error_of(testing::v2_card()), "the file is not a PNG (wrong signature)");
}

TEST(CardPng, RejectsFilesOver20MiB) {
  const auto png =
      insert_before_iend(png_with({{"chara", "e30="}}), "zzZz", std::string(kMaxCardPngBytes, '\0'));
  EXPECT_EQ(error_of(png), "the PNG is larger than 20 MiB");
}

TEST(CardPng, ExportRejectsAnInvalidImage) {
  EXPECT_EQ(export_card_png(full_persona(), ExportVersion::kV2, "not a png").error().message,
            "the file is not a PNG (wrong signature)");
  auto png = make_png();
  png.pop_back();
  EXPECT_EQ(export_card_png(full_persona(), ExportVersion::kV2, png).error().message,
            "the PNG is truncated (chunk 3 is cut off)");
}

TEST(CardPng, ExportRefusesACardOver4MiB) {
  auto persona = full_persona();
  persona.character.description.assign(kMaxCardJsonBytes, 'd');
  const auto png = export_card_png(persona, ExportVersion::kV3, make_png());
  ASSERT_FALSE(png);
  EXPECT_EQ(png.error().message, "the card would be larger than 4 MiB");
}

TEST(CardPng, ExportRefusesAResultOver20MiB) {
  const auto image = insert_before_iend(make_png(), "zzZz", std::string(kMaxCardPngBytes - 1000, '\0'));
  const auto png = export_card_png(full_persona(), ExportVersion::kV3, image);
  ASSERT_FALSE(png);
  EXPECT_EQ(png.error().message, "the card PNG would be larger than 20 MiB");
}

}  // namespace
}  // namespace personae::cards

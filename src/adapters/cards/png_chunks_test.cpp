#include "adapters/cards/png_chunks.hpp"

#include <array>

#include <gtest/gtest.h>

#include "adapters/cards/test_png.hpp"

namespace personae::cards {
namespace {

using testing::insert_before_iend;
using testing::make_png;
using testing::text_data;

std::string error_of(std::string_view png) {
  auto chunks = parse_png_chunks(png);
  if (chunks) return "(accepted)";
  EXPECT_EQ(chunks.error().code, ErrorCode::kInvalidArgument);
  return chunks.error().message;
}

std::vector<std::string> types_of(std::string_view png) {
  std::vector<std::string> types;
  const auto chunks = parse_png_chunks(png);
  if (!chunks) return {"(rejected: " + chunks.error().message + ")"};
  for (const auto& chunk : *chunks) types.emplace_back(chunk.type);
  return types;
}

// Offset of chunk `number` (1-based) in a PNG.
std::size_t chunk_offset(std::string_view png, std::size_t number) {
  const auto chunks = parse_png_chunks(png);
  return static_cast<std::size_t>((*chunks)[number - 1].data.data() - png.data()) - 8;
}

TEST(PngChunks, SplitsAValidPng) {
  const auto png = make_png();
  const auto chunks = parse_png_chunks(png);
  ASSERT_TRUE(chunks) << chunks.error().message;
  ASSERT_EQ(chunks->size(), 3U);
  EXPECT_EQ((*chunks)[0].type, "IHDR");
  EXPECT_EQ((*chunks)[0].data.size(), 13U);
  EXPECT_EQ((*chunks)[1].type, "IDAT");
  EXPECT_EQ((*chunks)[2].type, "IEND");
  EXPECT_TRUE((*chunks)[2].data.empty());
}

TEST(PngChunks, EncodesTheKnownIendChunk) {
  EXPECT_EQ(encode_png_chunk("IEND", ""), std::string("\0\0\0\0IEND\xAE\x42\x60\x82", 12));
}

TEST(PngChunks, RejectsAWrongSignature) {
  EXPECT_EQ(error_of(""), "the file is not a PNG (wrong signature)");
  EXPECT_EQ(error_of("{\"spec\":\"chara_card_v2\"}"), "the file is not a PNG (wrong signature)");
  auto png = make_png();
  png[1] = 'p';
  EXPECT_EQ(error_of(png), "the file is not a PNG (wrong signature)");
}

TEST(PngChunks, RejectsTruncatedFiles) {
  const auto png = make_png();
  EXPECT_EQ(error_of(kPngSignature), "the PNG is truncated (it has no IEND chunk)");
  EXPECT_EQ(error_of(png.substr(0, png.size() - 12)), "the PNG is truncated (it has no IEND chunk)");
  EXPECT_EQ(error_of(png.substr(0, png.size() - 3)), "the PNG is truncated (chunk 3 is cut off)");
  EXPECT_EQ(error_of(png.substr(0, chunk_offset(png, 2) + 20)),
            "the PNG is truncated (chunk 2 (IDAT) is cut off)");
}

TEST(PngChunks, RejectsABadCrc) {
  auto png = insert_before_iend(make_png(), "tEXt", text_data("Comment", "hello"));
  ASSERT_EQ(types_of(png), (std::vector<std::string>{"IHDR", "IDAT", "tEXt", "IEND"}));
  png[chunk_offset(png, 3) + 10] ^= 0x01;  // a byte of the text
  EXPECT_EQ(error_of(png), "chunk 3 (tEXt) has a bad CRC");
}

TEST(PngChunks, RejectsLengthsThatOverflowOrRunPastTheFile) {
  auto png = make_png();
  const auto idat = chunk_offset(png, 2);
  png.replace(idat, 4, "\xFF\xFF\xFF\xF0");
  EXPECT_EQ(error_of(png), "chunk 2 (IDAT) has an invalid length");
  png.replace(idat, 4, std::string("\x7F\xFF\xFF\xFF", 4));
  EXPECT_EQ(error_of(png), "the PNG is truncated (chunk 2 (IDAT) is cut off)");
}

TEST(PngChunks, RejectsAnInvalidChunkType) {
  auto png = make_png();
  png.replace(chunk_offset(png, 2) + 4, 4, "ID4T");
  EXPECT_EQ(error_of(png), "chunk 2 has an invalid type");
}

TEST(PngChunks, RequiresIhdrFirstAndOnlyThere) {
  const auto ihdr = encode_png_chunk("IHDR", std::string(13, '\1'));
  const auto iend = encode_png_chunk("IEND", "");
  EXPECT_EQ(
      error_of(std::string(kPngSignature) + encode_png_chunk("tEXt", text_data("a", "b")) + ihdr + iend),
      "the PNG does not start with an IHDR chunk");
  EXPECT_EQ(error_of(std::string(kPngSignature) + ihdr + ihdr + iend),
            "chunk 2 (IHDR) repeats the image header");
  EXPECT_EQ(error_of(std::string(kPngSignature) + encode_png_chunk("IHDR", "short") + iend),
            "chunk 1 (IHDR) has a wrong length");
}

TEST(PngChunks, RequiresIendLastAndEmpty) {
  const auto png = make_png();
  EXPECT_EQ(error_of(png + "x"), "the PNG has data after its IEND chunk");
  EXPECT_EQ(error_of(png + encode_png_chunk("tEXt", text_data("a", "b"))),
            "the PNG has data after its IEND chunk");
  const auto body = png.substr(0, png.size() - 12);
  EXPECT_EQ(error_of(body + encode_png_chunk("IEND", "x")), "chunk 3 (IEND) is not empty");
}

TEST(PngChunks, RejectsFilesOver20MiB) {
  const auto png = insert_before_iend(make_png(), "zzZz", std::string(kMaxPngBytes, '\0'));
  EXPECT_EQ(error_of(png), "the PNG is larger than 20 MiB");
}

TEST(PngChunks, DecodesTextChunks) {
  const auto text = decode_text_chunk(text_data("chara", "eyJ9"));
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(text->keyword, "chara");
  EXPECT_EQ(text->text, "eyJ9");
  const auto latin1 = decode_text_chunk(text_data("Caf\xE9", ""));
  ASSERT_TRUE(latin1);
  EXPECT_EQ(latin1->keyword, "Caf\xE9");
}

TEST(PngChunks, RejectsMalformedTextChunks) {
  const auto error = [](std::string_view data) {
    auto text = decode_text_chunk(data);
    return text ? std::string("(accepted)") : text.error().message;
  };
  EXPECT_EQ(error("chara"), "no NUL separates the keyword from the text");
  EXPECT_EQ(error(text_data("", "x")), "the keyword must be 1-79 printable Latin-1 characters");
  EXPECT_EQ(error(text_data(std::string(80, 'k'), "x")),
            "the keyword must be 1-79 printable Latin-1 characters");
  EXPECT_EQ(error(text_data("ch\nra", "x")), "the keyword must be 1-79 printable Latin-1 characters");
  EXPECT_EQ(error(text_data("ch\x85ra", "x")), "the keyword must be 1-79 printable Latin-1 characters");
  EXPECT_EQ(error(text_data("chara", std::string("a\0b", 3))), "the text holds a NUL byte");
  EXPECT_EQ(error(text_data(std::string(79, 'k'), "x")), "(accepted)");
}

TEST(PngChunks, TextChunkKeywordCoversTheThreeTextTypes) {
  const std::string data = text_data("chara", "x");
  EXPECT_EQ(text_chunk_keyword(PngChunk{"tEXt", data}), "chara");
  EXPECT_EQ(text_chunk_keyword(PngChunk{"zTXt", data}), "chara");
  EXPECT_EQ(text_chunk_keyword(PngChunk{"iTXt", data}), "chara");
  EXPECT_FALSE(text_chunk_keyword(PngChunk{"IDAT", data}));
  EXPECT_FALSE(text_chunk_keyword(PngChunk{"tEXt", "chara"}));
}

TEST(PngChunks, ReplacesTextChunksBeforeIend) {
  auto png = insert_before_iend(make_png(), "tEXt", text_data("chara", "old"));
  png = insert_before_iend(png, "tEXt", text_data("Comment", "kept"));
  png = insert_before_iend(png, "zTXt", text_data("ccv3", std::string("\0x", 2)));
  constexpr std::array<std::string_view, 2> kRemove = {"chara", "ccv3"};
  const std::array<PngText, 2> texts = {PngText{"chara", "new"}, PngText{"ccv3", "v3"}};
  const auto replaced = replace_png_text_chunks(png, kRemove, texts);
  ASSERT_TRUE(replaced) << replaced.error().message;
  const auto chunks = parse_png_chunks(*replaced);
  ASSERT_TRUE(chunks) << chunks.error().message;
  ASSERT_EQ(types_of(*replaced), (std::vector<std::string>{"IHDR", "IDAT", "tEXt", "tEXt", "tEXt", "IEND"}));
  EXPECT_EQ((*chunks)[2].data, text_data("Comment", "kept"));
  EXPECT_EQ((*chunks)[3].data, text_data("chara", "new"));
  EXPECT_EQ((*chunks)[4].data, text_data("ccv3", "v3"));
  // The image chunks are copied byte for byte.
  EXPECT_EQ((*chunks)[1].data, (*parse_png_chunks(png))[1].data);
}

TEST(PngChunks, ReplaceRejectsInvalidInput) {
  constexpr std::array<std::string_view, 1> kRemove = {"chara"};
  const std::array<PngText, 1> bad_keyword = {PngText{"", "x"}};
  EXPECT_EQ(replace_png_text_chunks(make_png(), kRemove, bad_keyword).error().message,
            "the keyword must be 1-79 printable Latin-1 characters");
  const std::array<PngText, 1> good = {PngText{"chara", "x"}};
  EXPECT_EQ(replace_png_text_chunks("GIF89a", kRemove, good).error().message,
            "the file is not a PNG (wrong signature)");
}

}  // namespace
}  // namespace personae::cards

#include "adapters/cards/png_chunks.hpp"

#include <algorithm>
#include <cstdint>

#include <zlib.h>

namespace personae::cards {
namespace {

constexpr std::uint32_t kMaxChunkLength = 0x7FFFFFFFU;
constexpr std::size_t kChunkOverhead = 12;  // length, type, CRC
constexpr std::size_t kIhdrLength = 13;
constexpr std::size_t kMaxKeywordBytes = 79;

std::uint32_t read_be32(std::string_view bytes) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[0])) << 24U) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[1])) << 16U) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[2])) << 8U) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[3]));
}

void append_be32(std::string& out, std::uint32_t value) {
  out.push_back(static_cast<char>((value >> 24U) & 0xFFU));
  out.push_back(static_cast<char>((value >> 16U) & 0xFFU));
  out.push_back(static_cast<char>((value >> 8U) & 0xFFU));
  out.push_back(static_cast<char>(value & 0xFFU));
}

// The CRC covers the type and the data. Lengths fit zlib's uInt: chunks are under 2^31 bytes.
std::uint32_t chunk_crc(std::string_view type, std::string_view data) {
  uLong crc = crc32(0L, nullptr, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(type.data()), static_cast<uInt>(type.size()));
  crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
  return static_cast<std::uint32_t>(crc);
}

bool is_chunk_type(std::string_view type) {
  return std::all_of(type.begin(), type.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

bool is_keyword_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte >= 32 && byte <= 126) || byte >= 161;
}

std::string chunk_name(std::size_t number) {
  return "chunk " + std::to_string(number);
}

std::string chunk_name(std::size_t number, std::string_view type) {
  return chunk_name(number) + " (" + std::string(type) + ")";
}

// Checks a keyword and text we are about to write.
std::optional<std::string> text_problem(const PngText& text) {
  if (text.keyword.empty() || text.keyword.size() > kMaxKeywordBytes ||
      !std::all_of(text.keyword.begin(), text.keyword.end(), is_keyword_byte)) {
    return "the keyword must be 1-79 printable Latin-1 characters";
  }
  if (text.text.find('\0') != std::string::npos) return "the text holds a NUL byte";
  if (text.keyword.size() + 1 + text.text.size() > kMaxChunkLength)
    return "the text is too large for a chunk";
  return std::nullopt;
}

}  // namespace

Result<std::vector<PngChunk>> parse_png_chunks(std::string_view png) {
  const auto invalid = [](std::string message) {
    return make_error(ErrorCode::kInvalidArgument, std::move(message));
  };
  if (png.size() > kMaxPngBytes) return invalid("the PNG is larger than 20 MiB");
  if (!png.starts_with(kPngSignature)) return invalid("the file is not a PNG (wrong signature)");
  std::vector<PngChunk> chunks;
  std::size_t offset = kPngSignature.size();
  while (true) {
    const std::size_t number = chunks.size() + 1;
    if (offset == png.size()) return invalid("the PNG is truncated (it has no IEND chunk)");
    if (png.size() - offset < kChunkOverhead)
      return invalid("the PNG is truncated (" + chunk_name(number) + " is cut off)");
    const std::uint32_t length = read_be32(png.substr(offset, 4));
    const auto type = png.substr(offset + 4, 4);
    if (!is_chunk_type(type)) return invalid(chunk_name(number) + " has an invalid type");
    if (length > kMaxChunkLength) return invalid(chunk_name(number, type) + " has an invalid length");
    if (png.size() - offset - kChunkOverhead < length) {
      return invalid("the PNG is truncated (" + chunk_name(number, type) + " is cut off)");
    }
    const auto data = png.substr(offset + 8, length);
    if (read_be32(png.substr(offset + 8 + length, 4)) != chunk_crc(type, data)) {
      return invalid(chunk_name(number, type) + " has a bad CRC");
    }
    offset += kChunkOverhead + length;
    if (number == 1 && type != "IHDR") return invalid("the PNG does not start with an IHDR chunk");
    if (type == "IHDR") {
      if (number != 1) return invalid(chunk_name(number, type) + " repeats the image header");
      if (length != kIhdrLength) return invalid(chunk_name(number, type) + " has a wrong length");
    }
    chunks.push_back(PngChunk{type, data});
    if (type == "IEND") {
      if (length != 0) return invalid(chunk_name(number, type) + " is not empty");
      if (offset != png.size()) return invalid("the PNG has data after its IEND chunk");
      return chunks;
    }
  }
}

Result<PngText> decode_text_chunk(std::string_view data) {
  const auto separator = data.find('\0');
  if (separator == std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument, "no NUL separates the keyword from the text");
  }
  PngText text{std::string(data.substr(0, separator)), std::string(data.substr(separator + 1))};
  if (auto problem = text_problem(text)) return make_error(ErrorCode::kInvalidArgument, std::move(*problem));
  return text;
}

std::optional<std::string_view> text_chunk_keyword(const PngChunk& chunk) {
  if (chunk.type != "tEXt" && chunk.type != "zTXt" && chunk.type != "iTXt") return std::nullopt;
  const auto separator = chunk.data.find('\0');
  if (separator == std::string_view::npos) return std::nullopt;
  return chunk.data.substr(0, separator);
}

std::string encode_png_chunk(std::string_view type, std::string_view data) {
  std::string out;
  out.reserve(kChunkOverhead + data.size());
  append_be32(out, static_cast<std::uint32_t>(data.size()));
  out.append(type);
  out.append(data);
  append_be32(out, chunk_crc(type, data));
  return out;
}

Result<std::string> replace_png_text_chunks(std::string_view png,
                                            std::span<const std::string_view> remove_keywords,
                                            std::span<const PngText> texts) {
  for (const auto& text : texts) {
    if (auto problem = text_problem(text))
      return make_error(ErrorCode::kInvalidArgument, std::move(*problem));
  }
  auto chunks = parse_png_chunks(png);
  if (!chunks) return tl::unexpected(std::move(chunks.error()));
  std::string out(kPngSignature);
  out.reserve(png.size());
  for (const auto& chunk : *chunks) {
    if (chunk.type == "IEND") {
      for (const auto& text : texts) {
        std::string data = text.keyword;
        data.push_back('\0');
        data += text.text;
        out += encode_png_chunk("tEXt", data);
      }
    }
    const auto keyword = text_chunk_keyword(chunk);
    if (keyword &&
        std::find(remove_keywords.begin(), remove_keywords.end(), *keyword) != remove_keywords.end()) {
      continue;
    }
    out += encode_png_chunk(chunk.type, chunk.data);
  }
  return out;
}

}  // namespace personae::cards

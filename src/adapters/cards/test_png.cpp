#include "adapters/cards/test_png.hpp"

#include <stdexcept>

#include <zlib.h>

#include "adapters/cards/png_chunks.hpp"

namespace personae::cards::testing {
namespace {

constexpr std::size_t kIendChunkBytes = 12;

void append_be32(std::string& out, unsigned value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xFFU));
}

}  // namespace

std::string make_png(unsigned width, unsigned height) {
  std::string header;
  append_be32(header, width);
  append_be32(header, height);
  header += std::string("\x08\x06\x00\x00\x00", 5);  // 8-bit RGBA, deflate, no filter, no interlace
  std::string raw;
  for (unsigned y = 0; y < height; ++y) {
    raw.push_back('\0');  // filter: none
    for (unsigned x = 0; x < width; ++x) {
      raw += static_cast<char>(x * 40);
      raw += static_cast<char>(y * 40);
      raw += '\x80';
      raw += '\xFF';
    }
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(size, '\0');
  if (compress(reinterpret_cast<Bytef*>(compressed.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
               static_cast<uLong>(raw.size())) != Z_OK) {
    throw std::runtime_error("zlib compress failed");
  }
  compressed.resize(size);
  return std::string(kPngSignature) + encode_png_chunk("IHDR", header) +
         encode_png_chunk("IDAT", compressed) + encode_png_chunk("IEND", "");
}

std::string insert_before_iend(std::string_view png, std::string_view type, std::string_view data) {
  const auto body = png.substr(0, png.size() - kIendChunkBytes);
  return std::string(body) + encode_png_chunk(type, data) + std::string(png.substr(body.size()));
}

std::string text_data(std::string_view keyword, std::string_view text) {
  std::string out(keyword);
  out.push_back('\0');
  out += text;
  return out;
}

}  // namespace personae::cards::testing

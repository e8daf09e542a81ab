#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

/// PNG chunk structure, enough to read and replace text chunks without decoding the image.
/// Pure functions, thread-safe. Errors are kInvalidArgument with a client-facing message; chunks
/// are numbered from 1 in messages ("chunk 3 (tEXt) has a bad CRC").
namespace personae::cards {

inline constexpr std::string_view kPngSignature = "\x89PNG\r\n\x1a\n";
inline constexpr std::size_t kMaxPngBytes = std::size_t{20} * 1024 * 1024;

/// One chunk of a PNG file. `type` and `data` view the bytes given to parse_png_chunks and are
/// valid as long as they are.
struct PngChunk {
  std::string_view type;
  std::string_view data;
};

/// Splits a PNG file into its chunks, checking: at most kMaxPngBytes, the signature, each chunk's
/// length (at most 2^31-1, within the file), its type (four ASCII letters) and CRC-32, IHDR first
/// (13 bytes) and only there, IEND last (empty) and nothing after it.
Result<std::vector<PngChunk>> parse_png_chunks(std::string_view png);

/// The content of a tEXt chunk.
struct PngText {
  std::string keyword;  ///< 1-79 printable Latin-1 characters
  std::string text;     ///< Latin-1, without NUL
};

/// Decodes a tEXt chunk's data (keyword, NUL, text). The message says what is wrong without
/// naming the chunk. Spaces in keywords are not checked beyond being printable.
Result<PngText> decode_text_chunk(std::string_view data);

/// The keyword of a tEXt, zTXt or iTXt chunk (the bytes before the first NUL); nullopt for other
/// chunks or when there is no NUL.
std::optional<std::string_view> text_chunk_keyword(const PngChunk& chunk);

/// One chunk as written in a file: length, type, data, CRC-32. `type` must be 4 bytes and `data`
/// at most 2^31-1 bytes (the caller's invariants).
std::string encode_png_chunk(std::string_view type, std::string_view data);

/// Rewrites `png` (checked as parse_png_chunks does): every text chunk (tEXt, zTXt, iTXt) whose
/// keyword is in `remove_keywords` is dropped, and `texts` are written as tEXt chunks just before
/// IEND, in order. kInvalidArgument when `png` is not a valid PNG or a text has an invalid keyword
/// or holds a NUL.
Result<std::string> replace_png_text_chunks(std::string_view png,
                                            std::span<const std::string_view> remove_keywords,
                                            std::span<const PngText> texts);

}  // namespace personae::cards

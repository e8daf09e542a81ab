#pragma once

#include <string>
#include <string_view>

/// Test helpers: small valid PNG files built in memory (zlib for IDAT).
namespace personae::cards::testing {

/// A valid `width` x `height` RGBA PNG: IHDR, IDAT, IEND.
std::string make_png(unsigned width = 2, unsigned height = 2);

/// `png` with a chunk (correct length and CRC) inserted before its final IEND chunk.
std::string insert_before_iend(std::string_view png, std::string_view type, std::string_view data);

/// tEXt chunk data: keyword, NUL, text.
std::string text_data(std::string_view keyword, std::string_view text);

}  // namespace personae::cards::testing

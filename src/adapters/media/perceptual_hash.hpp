#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <vips/vips8>

#include "core/error.hpp"

namespace personae::media {

/// Side of the grey image a perceptual hash is computed from.
inline constexpr std::size_t kPerceptualHashSide = 32;

/// DCT perceptual hash (pHash) of a 32x32 grey image, row-major: the 2-D DCT-II's 8x8 lowest
/// frequencies without the DC term (rows and columns 1-8), one bit per coefficient, set when it is
/// above their median. Brightness shifts move only the DC term, so they leave the hash unchanged.
/// Pure function.
std::uint64_t perceptual_hash_of_pixels(
    std::span<const std::uint8_t, kPerceptualHashSide * kPerceptualHashSide> grey);

/// Reduces a decoded, upright image to 32x32 grey (alpha flattened onto white, aspect ignored) and
/// hashes it. kInternal when libvips fails.
Result<std::uint64_t> perceptual_hash_of_image(const vips::VImage& image);

}  // namespace personae::media

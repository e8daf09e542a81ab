#include "adapters/media/perceptual_hash.hpp"

#include <array>
#include <cstdint>

#include <gtest/gtest.h>

#include "ports/image_processor.hpp"

namespace personae::media {
namespace {

constexpr std::size_t kSide = kPerceptualHashSide;
using Grey = std::array<std::uint8_t, kSide * kSide>;

// Some structure: diagonal bands and a bright block, inside 20-220 so shifts do not clip.
Grey pattern() {
  Grey grey{};
  for (std::size_t y = 0; y < kSide; ++y) {
    for (std::size_t x = 0; x < kSide; ++x) {
      std::size_t value = 60 + ((x * 3 + y * 5) % 40) * 2;
      if (x > 18 && x < 28 && y > 4 && y < 12) value = 210;
      grey.at(y * kSide + x) = static_cast<std::uint8_t>(value);
    }
  }
  return grey;
}

TEST(PerceptualHash, IsZeroForAFlatImage) {
  Grey flat{};
  flat.fill(128);
  EXPECT_EQ(perceptual_hash_of_pixels(flat), 0U);
}

TEST(PerceptualHash, HasHalfItsBitsSetForStructuredContent) {
  const int bits = std::popcount(perceptual_hash_of_pixels(pattern()));
  EXPECT_GE(bits, 28);
  EXPECT_LE(bits, 32);  // strictly above the median of 64 distinct-ish values
}

TEST(PerceptualHash, IgnoresAUniformBrightnessShift) {
  Grey brighter = pattern();
  for (auto& value : brighter) value = static_cast<std::uint8_t>(value + 25);
  EXPECT_EQ(perceptual_hash_of_pixels(brighter), perceptual_hash_of_pixels(pattern()));
}

TEST(PerceptualHash, TransposingTheImageTransposesTheBits) {
  const Grey original = pattern();
  Grey transposed{};
  for (std::size_t y = 0; y < kSide; ++y) {
    for (std::size_t x = 0; x < kSide; ++x) {
      transposed.at(x * kSide + y) = original.at(y * kSide + x);
    }
  }
  const std::uint64_t a = perceptual_hash_of_pixels(original);
  const std::uint64_t b = perceptual_hash_of_pixels(transposed);
  for (int v = 0; v < 8; ++v) {
    for (int u = 0; u < 8; ++u) {
      EXPECT_EQ((a >> (v * 8 + u)) & 1U, (b >> (u * 8 + v)) & 1U) << "u=" << u << " v=" << v;
    }
  }
  EXPECT_NE(a, b);
}

TEST(PerceptualHash, SeparatesAnInvertedImage) {
  Grey inverted = pattern();
  for (auto& value : inverted) value = static_cast<std::uint8_t>(255 - value);
  EXPECT_GE(perceptual_distance(perceptual_hash_of_pixels(pattern()), perceptual_hash_of_pixels(inverted)),
            50);
}

}  // namespace
}  // namespace personae::media

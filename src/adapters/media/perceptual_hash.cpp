#include "adapters/media/perceptual_hash.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <utility>

#include "adapters/media/vips_support.hpp"

namespace personae::media {
namespace {

constexpr std::size_t kSide = kPerceptualHashSide;
constexpr std::size_t kLow = 8;

// cos((2x + 1) u pi / 2N) for u = 1..8, x = 0..31: the DCT-II basis rows the hash needs.
using Basis = std::array<std::array<double, kSide>, kLow>;

const Basis& dct_basis() {
  static const Basis basis = [] {
    Basis b{};
    for (std::size_t u = 0; u < kLow; ++u) {
      for (std::size_t x = 0; x < kSide; ++x) {
        b.at(u).at(x) = std::cos((2.0 * static_cast<double>(x) + 1.0) * static_cast<double>(u + 1) *
                                 std::numbers::pi / (2.0 * kSide));
      }
    }
    return b;
  }();
  return basis;
}

}  // namespace

std::uint64_t perceptual_hash_of_pixels(
    std::span<const std::uint8_t, kPerceptualHashSide * kPerceptualHashSide> grey) {
  const Basis& basis = dct_basis();
  // Separable DCT: first along rows (x), then along columns (y), keeping 8x8 coefficients.
  std::array<std::array<double, kLow>, kSide> rows{};
  for (std::size_t y = 0; y < kSide; ++y) {
    for (std::size_t u = 0; u < kLow; ++u) {
      double sum = 0;
      for (std::size_t x = 0; x < kSide; ++x) sum += grey[y * kSide + x] * basis.at(u).at(x);
      rows.at(y).at(u) = sum;
    }
  }
  std::array<double, kLow * kLow> coefficients{};
  for (std::size_t v = 0; v < kLow; ++v) {
    for (std::size_t u = 0; u < kLow; ++u) {
      double sum = 0;
      for (std::size_t y = 0; y < kSide; ++y) sum += rows.at(y).at(u) * basis.at(v).at(y);
      coefficients.at(v * kLow + u) = sum;
    }
  }
  std::array<double, kLow* kLow> sorted = coefficients;
  std::nth_element(sorted.begin(), sorted.begin() + 31, sorted.end());
  const double lower_middle = sorted[31];
  const double upper_middle = *std::min_element(sorted.begin() + 32, sorted.end());
  const double median = (lower_middle + upper_middle) / 2;

  // Rounding leaves flat images with coefficients of about 1e-13 rather than 0; without a
  // tolerance they would hash to noise instead of to one value.
  constexpr double kTolerance = 1e-6;
  std::uint64_t hash = 0;
  for (std::size_t i = 0; i < coefficients.size(); ++i) {
    if (coefficients.at(i) > median + kTolerance) hash |= std::uint64_t{1} << i;
  }
  return hash;
}

Result<std::uint64_t> perceptual_hash_of_image(const vips::VImage& image) {
  try {
    vips::VImage grey = image;
    if (grey.has_alpha()) grey = grey.flatten(vips::VImage::option()->set("background", 255.0));
    grey = grey.colourspace(VIPS_INTERPRETATION_B_W);
    grey = grey.thumbnail_image(static_cast<int>(kSide), vips::VImage::option()
                                                             ->set("height", static_cast<int>(kSide))
                                                             ->set("size", VIPS_SIZE_FORCE)
                                                             ->set("no_rotate", true));
    grey = grey.extract_band(0).cast(VIPS_FORMAT_UCHAR);
    if (std::cmp_not_equal(grey.width(), kSide) || std::cmp_not_equal(grey.height(), kSide)) {
      return make_error(ErrorCode::kInternal, "the image could not be hashed", "unexpected thumbnail size");
    }
    std::array<std::uint8_t, kSide * kSide> pixels{};
    std::size_t size = 0;
    void* memory = grey.write_to_memory(&size);
    if (size == pixels.size()) std::copy_n(static_cast<const std::uint8_t*>(memory), size, pixels.begin());
    g_free(memory);
    if (size != pixels.size()) {
      return make_error(ErrorCode::kInternal, "the image could not be hashed",
                        "unexpected pixel buffer size");
    }
    return perceptual_hash_of_pixels(pixels);
  } catch (const vips::VError& error) {
    return tl::unexpected(from_vips_error(ErrorCode::kInternal, "the image could not be hashed", error));
  }
}

}  // namespace personae::media

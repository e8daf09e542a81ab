#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/error.hpp"

namespace personae::media {

/// A picture `personae demo` draws for its example vault: a vertical gradient between two colours,
/// soft light discs placed from `seed`, and `title` centred in white. Deterministic: the same input
/// gives the same bytes.
struct DemoArt {
  int width = 1080;
  int height = 1350;
  std::array<std::uint8_t, 3> top{0x2b, 0x1a, 0x4a};
  std::array<std::uint8_t, 3> bottom{0xe0, 0x6b, 0x8b};
  std::string title;  ///< plain text (not markup), at most 200 bytes
  std::uint32_t seed = 1;
};

/// The picture as PNG bytes. kInvalidArgument for sizes outside 64-4096 or a long title;
/// kInternal when libvips fails.
Result<std::string> render_demo_art(const DemoArt& art);

}  // namespace personae::media

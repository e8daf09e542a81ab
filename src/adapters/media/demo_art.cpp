#include "adapters/media/demo_art.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "adapters/media/vips_support.hpp"

namespace personae::media {
namespace {

constexpr int kMinSide = 64;
constexpr int kMaxSide = 4096;
constexpr std::size_t kMaxTitleBytes = 200;

vips::VImage gradient(const DemoArt& art) {
  // xyz gives each pixel its coordinates; band 1 is y, which makes a 0..1 ramp top to bottom.
  const vips::VImage ramp =
      vips::VImage::xyz(art.width, art.height).extract_band(1) / std::max(1, art.height - 1);
  std::vector<vips::VImage> bands;
  for (int band = 0; band < 3; ++band) {
    const double top = art.top[static_cast<std::size_t>(band)];
    const double bottom = art.bottom[static_cast<std::size_t>(band)];
    bands.push_back(ramp * (bottom - top) + top);
  }
  return vips::VImage::bandjoin(bands).cast(VIPS_FORMAT_UCHAR);
}

vips::VImage light_discs(const DemoArt& art) {
  // A mask of blurred discs, used to lighten the gradient: soft "bokeh".
  vips::VImage mask = vips::VImage::black(art.width, art.height).copy_memory();
  std::mt19937 random(art.seed);
  const int shortest = std::min(art.width, art.height);
  std::uniform_int_distribution<int> x(0, art.width - 1);
  std::uniform_int_distribution<int> y(0, art.height - 1);
  std::uniform_int_distribution<int> radius(std::max(2, shortest / 40), std::max(3, shortest / 8));
  std::uniform_int_distribution<int> brightness(40, 140);
  for (int disc = 0; disc < 14; ++disc) {
    mask.draw_circle({static_cast<double>(brightness(random))}, x(random), y(random), radius(random),
                     vips::VImage::option()->set("fill", true));
  }
  return mask.gaussblur(std::max(1.0, shortest / 90.0)).cast(VIPS_FORMAT_UCHAR);
}

vips::VImage title_overlay(const DemoArt& art, const vips::VImage& base) {
  gchar* escaped = g_markup_escape_text(art.title.c_str(), static_cast<gssize>(art.title.size()));
  const std::string markup = escaped;
  g_free(escaped);
  const int dpi = std::max(72, art.width / 4);
  vips::VImage text = vips::VImage::text(markup.c_str(), vips::VImage::option()
                                                             ->set("font", "sans bold 22")
                                                             ->set("dpi", dpi)
                                                             ->set("width", art.width * 4 / 5)
                                                             ->set("align", VIPS_ALIGN_CENTRE));
  if (text.width() > art.width || text.height() > art.height) return base;
  const int x = (art.width - text.width()) / 2;
  const int y = (art.height - text.height()) / 2;
  const vips::VImage alpha = text.embed(x, y, art.width, art.height);
  const vips::VImage white =
      vips::VImage::black(art.width, art.height, vips::VImage::option()->set("bands", 3)) + 255;
  return (alpha > 0)
      .bandjoin(alpha > 0)
      .bandjoin(alpha > 0)
      .ifthenelse(white, base, vips::VImage::option()->set("blend", true))
      .cast(VIPS_FORMAT_UCHAR);
}

}  // namespace

Result<std::string> render_demo_art(const DemoArt& art) {
  if (art.width < kMinSide || art.width > kMaxSide || art.height < kMinSide || art.height > kMaxSide) {
    return make_error(ErrorCode::kInvalidArgument, "demo art must be 64 to 4096 pixels on each side");
  }
  if (art.title.size() > kMaxTitleBytes) {
    return make_error(ErrorCode::kInvalidArgument, "the demo art's title is longer than 200 bytes");
  }
  try {
    start_vips();
    vips::VImage picture = gradient(art);
    const vips::VImage discs = light_discs(art);
    picture = (picture + discs.bandjoin(discs).bandjoin(discs)).cast(VIPS_FORMAT_UCHAR);
    if (!art.title.empty()) picture = title_overlay(art, picture);
    picture = picture.copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
    void* buffer = nullptr;
    std::size_t length = 0;
    picture.write_to_buffer(".png", &buffer, &length, vips::VImage::option()->set("compression", 6));
    std::string bytes(static_cast<const char*>(buffer), length);
    g_free(buffer);
    return bytes;
  } catch (const vips::VError& error) {
    return tl::unexpected(from_vips_error(ErrorCode::kInternal, "cannot draw the demo picture", error));
  }
}

}  // namespace personae::media

#include "adapters/media/watermark_renderer.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "adapters/media/vips_support.hpp"

namespace personae::media {
namespace {

// Text is rendered once at this size (about 120 px tall) and scaled down per variant, which is
// cheaper than asking Pango again for every size.
constexpr const char* kFont = "sans bold 32";
constexpr int kReferenceDpi = 288;
constexpr std::size_t kMaxTextBytes = 200;

bool has_visible_text(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](unsigned char c) { return c > 0x20; });
}

std::string escape_markup(const std::string& text) {
  // vips_text interprets Pango markup: "<", "&" in a persona's name must stay literal.
  gchar* escaped = g_markup_escape_text(text.c_str(), static_cast<gssize>(text.size()));
  std::string out = escaped;
  g_free(escaped);
  return out;
}

vips::VImage to_uchar(const vips::VImage& image) {
  return image.cast(VIPS_FORMAT_UCHAR);
}

// Scales an image so that its width is `width` (height proportionally).
vips::VImage scale_to_width(const vips::VImage& image, int width) {
  return image.resize(static_cast<double>(width) / image.width());
}

}  // namespace

Result<void> validate_watermark(const Watermark& watermark) {
  if (!has_visible_text(watermark.text) && !watermark.logo) {
    return make_error(ErrorCode::kInvalidArgument, "the watermark needs a text or a logo");
  }
  if (watermark.text.size() > kMaxTextBytes) {
    return make_error(ErrorCode::kInvalidArgument, "the watermark text is longer than 200 bytes");
  }
  if (g_utf8_validate(watermark.text.data(), static_cast<gssize>(watermark.text.size()), nullptr) == 0) {
    return make_error(ErrorCode::kInvalidArgument, "the watermark text is not valid UTF-8");
  }
  if (!(watermark.opacity >= 0.0 && watermark.opacity <= 1.0)) {
    return make_error(ErrorCode::kInvalidArgument, "the watermark opacity must be between 0 and 1");
  }
  if (!(watermark.relative_size > 0.0 && watermark.relative_size <= 0.5)) {
    return make_error(ErrorCode::kInvalidArgument, "the watermark size must be above 0 and at most 0.5");
  }
  return {};
}

std::optional<vips::VImage> WatermarkOverlayCache::find(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto found =
      std::find_if(entries_.begin(), entries_.end(), [&](const auto& entry) { return entry.first == key; });
  if (found == entries_.end()) return std::nullopt;
  entries_.splice(entries_.begin(), entries_, found);
  return entries_.front().second;
}

void WatermarkOverlayCache::insert(const std::string& key, const vips::VImage& overlay) {
  std::lock_guard lock(mutex_);
  const auto found =
      std::find_if(entries_.begin(), entries_.end(), [&](const auto& entry) { return entry.first == key; });
  if (found != entries_.end()) entries_.erase(found);
  entries_.emplace_front(key, overlay);
  while (entries_.size() > capacity_) entries_.pop_back();
}

WatermarkRenderer::WatermarkRenderer(Watermark watermark, LogoLoader load_logo, WatermarkOverlayCache* cache,
                                     std::string cache_key)
    : watermark_(std::move(watermark)),
      load_logo_(std::move(load_logo)),
      cache_(cache_key.empty() ? nullptr : cache),
      cache_key_(std::move(cache_key)) {}

vips::VImage WatermarkRenderer::text_overlay(int text_height) {
  if (!text_mask_) {
    const std::string markup = escape_markup(watermark_.text);
    text_mask_ = vips::VImage::text(markup.c_str(),
                                    vips::VImage::option()->set("font", kFont)->set("dpi", kReferenceDpi))
                     .copy_memory();
  }
  vips::VImage mask = *text_mask_;
  if (text_height < mask.height()) {
    mask = to_uchar(mask.resize(static_cast<double>(text_height) / mask.height()));
  } else if (text_height > mask.height()) {
    // Larger than the reference: render again at the size needed rather than upscale pixels.
    const std::string markup = escape_markup(watermark_.text);
    const int dpi =
        static_cast<int>(std::ceil(kReferenceDpi * static_cast<double>(text_height) / mask.height()));
    mask = vips::VImage::text(markup.c_str(), vips::VImage::option()->set("font", kFont)->set("dpi", dpi));
  }
  // A dark halo around the white glyphs keeps them legible on light and dark backgrounds alike.
  const int pad = std::max(2, static_cast<int>(std::lround(mask.height() * 0.12)));
  mask = mask.embed(pad, pad, mask.width() + 2 * pad, mask.height() + 2 * pad);
  const vips::VImage halo =
      to_uchar(mask.gaussblur(std::max(1.0, pad / 2.0),
                              vips::VImage::option()->set("precision", VIPS_PRECISION_INTEGER)) *
               3.0);
  const vips::VImage alpha = (mask > halo).ifthenelse(mask, halo);
  return mask.bandjoin(mask).bandjoin(mask).bandjoin(alpha);
}

Result<vips::VImage> WatermarkRenderer::overlay_for(int image_width) {
  if (const auto known = overlays_.find(image_width); known != overlays_.end()) return known->second;
  const std::string key = cache_key_ + "\n" + std::to_string(image_width);
  if (cache_ != nullptr) {
    if (auto shared = cache_->find(key)) {
      overlays_.emplace(image_width, *shared);
      return *shared;
    }
  }

  const int size = std::max(4, static_cast<int>(std::lround(image_width * watermark_.relative_size)));
  std::optional<vips::VImage> text;
  std::optional<vips::VImage> logo;
  if (has_visible_text(watermark_.text)) text = text_overlay(size);
  if (watermark_.logo) {
    if (!logo_) {
      auto loaded = load_logo_();
      if (!loaded) return tl::unexpected(loaded.error());
      vips::VImage rgba = loaded->colourspace(VIPS_INTERPRETATION_sRGB);
      if (!rgba.has_alpha()) rgba = rgba.bandjoin_const({255});
      logo_ = to_uchar(rgba).copy_memory();
    }
    logo = to_uchar(scale_to_width(*logo_, size));
  }

  vips::VImage overlay;
  if (text && logo) {
    // Logo, a gap, then the text, centred on one line.
    const int gap = size / 2;
    const int width = logo->width() + gap + text->width();
    const int height = std::max(logo->height(), text->height());
    const auto place = [height, width](const vips::VImage& part, int x) {
      return part.embed(x, (height - part.height()) / 2, width, height);
    };
    overlay = place(*logo, 0).composite2(place(*text, logo->width() + gap), VIPS_BLEND_MODE_OVER);
  } else {
    overlay = text ? *text : *logo;
  }
  // Opacity scales the alpha band only.
  overlay = to_uchar(overlay.extract_band(0, vips::VImage::option()->set("n", 3))
                         .bandjoin(overlay.extract_band(3) * watermark_.opacity))
                .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB))
                .copy_memory();
  overlays_.emplace(image_width, overlay);
  if (cache_ != nullptr) cache_->insert(key, overlay);
  return overlay;
}

Result<vips::VImage> WatermarkRenderer::apply(const vips::VImage& image) {
  try {
    auto rendered = overlay_for(image.width());
    if (!rendered) return tl::unexpected(rendered.error());
    vips::VImage overlay = std::move(*rendered);
    const int margin =
        std::max(1, static_cast<int>(std::lround(std::min(image.width(), image.height()) * 0.02)));
    const int room_width = image.width() - 2 * margin;
    const int room_height = image.height() - 2 * margin;
    if (room_width < 1 || room_height < 1) return image;
    if (overlay.width() > room_width || overlay.height() > room_height) {
      const double scale = std::min(static_cast<double>(room_width) / overlay.width(),
                                    static_cast<double>(room_height) / overlay.height());
      overlay = to_uchar(overlay.resize(scale));
      if (overlay.width() > room_width || overlay.height() > room_height) {
        overlay = overlay.extract_area(0, 0, std::min(overlay.width(), room_width),
                                       std::min(overlay.height(), room_height));
      }
    }
    int x = margin;
    int y = margin;
    switch (watermark_.position) {
      case WatermarkPosition::kTopLeft: break;
      case WatermarkPosition::kTopRight: x = image.width() - margin - overlay.width(); break;
      case WatermarkPosition::kBottomLeft: y = image.height() - margin - overlay.height(); break;
      case WatermarkPosition::kBottomRight:
        x = image.width() - margin - overlay.width();
        y = image.height() - margin - overlay.height();
        break;
      case WatermarkPosition::kCenter:
        x = (image.width() - overlay.width()) / 2;
        y = (image.height() - overlay.height()) / 2;
        break;
    }
    // Blend only the covered region (compositing works in float), then put it back.
    const vips::VImage region = image.extract_area(x, y, overlay.width(), overlay.height());
    vips::VImage blended = region.composite2(overlay, VIPS_BLEND_MODE_OVER);
    blended = to_uchar(blended.extract_band(0, vips::VImage::option()->set("n", image.bands())));
    return image.insert(blended, x, y);
  } catch (const vips::VError& error) {
    return tl::unexpected(from_vips_error(ErrorCode::kInternal, "the watermark could not be applied", error));
  }
}

}  // namespace personae::media

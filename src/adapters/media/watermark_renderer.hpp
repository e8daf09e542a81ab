#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <vips/vips8>

#include "core/error.hpp"
#include "ports/image_processor.hpp"

namespace personae::media {

/// kInvalidArgument when a watermark's fields are out of range (opacity 0-1, relative size
/// (0, 0.5], text at most 200 bytes, text or logo present).
Result<void> validate_watermark(const Watermark& watermark);

/// Rendered watermark overlays shared across calls: a persona's watermark is the same on every
/// image, and rendering one (Pango, blur, compositing) costs several milliseconds per width. Holds
/// at most `capacity` small in-memory images, dropping the least recently used. Thread-safe.
class WatermarkOverlayCache {
 public:
  explicit WatermarkOverlayCache(std::size_t capacity) : capacity_(capacity) {}

  std::optional<vips::VImage> find(const std::string& key);
  void insert(const std::string& key, const vips::VImage& overlay);

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::list<std::pair<std::string, vips::VImage>> entries_;  // most recently used first
};

/// Applies one watermark to images of any width. The overlay (white text with a dark halo for
/// legibility on any background, and/or the logo, at the watermark's opacity) is rendered once per
/// image width and reused. Not thread-safe: one instance per render() call.
class WatermarkRenderer {
 public:
  /// Returns the decoded logo (any bands; alpha is kept); called at most once, and only when an
  /// overlay must be rendered.
  using LogoLoader = std::function<Result<vips::VImage>()>;

  /// `watermark` must have passed validate_watermark. `load_logo` is used when watermark.logo is
  /// set. Overlays are shared through `cache` under `cache_key` (which must identify the text, the
  /// logo's content, the opacity and the size) unless `cache` is null or the key is empty.
  WatermarkRenderer(Watermark watermark, LogoLoader load_logo, WatermarkOverlayCache* cache,
                    std::string cache_key);

  /// `image` (sRGB, 3 or 4 bands, uchar) with the watermark blended in at its position, inset by
  /// a margin of 2 % of the shorter side; the overlay is scaled down when it would not fit.
  /// The logo loader's error, or kInternal when libvips fails.
  Result<vips::VImage> apply(const vips::VImage& image);

 private:
  Result<vips::VImage> overlay_for(int image_width);
  vips::VImage text_overlay(int text_height);

  Watermark watermark_;
  LogoLoader load_logo_;
  WatermarkOverlayCache* cache_;
  std::string cache_key_;
  std::optional<vips::VImage> logo_;       // sRGB + alpha, uchar
  std::optional<vips::VImage> text_mask_;  // rendered once, large, then resized per height
  std::map<int, vips::VImage> overlays_;   // by image width
};

}  // namespace personae::media

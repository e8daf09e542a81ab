#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include <memory>

#include "adapters/media/media_sniffer.hpp"
#include "ports/image_processor.hpp"
#include "security/concurrency_limiter.hpp"

namespace vips {
class VImage;
}

namespace personae::media {

class WatermarkOverlayCache;

struct VipsImageProcessorOptions {
  /// Limits for render(), sanitize_original() and perceptual_hash() (inspect() takes its own).
  ImageLimits limits;
  /// Largest file accepted, images and PDFs alike.
  std::uint64_t max_file_bytes = 200ULL * 1024 * 1024;
  /// Largest watermark logo.
  ImageLimits logo_limits{.max_pixels = 4096ULL * 4096, .max_dimension = 4096};
  /// Operations running at once (each holds one decoded image), callers queued behind them, and
  /// how long one may wait before kUnavailable.
  std::size_t max_concurrent = 2;
  std::size_t max_waiting = 64;
  std::chrono::milliseconds wait_timeout{30'000};
  /// libvips worker threads per pipeline (process-wide, vips_concurrency_set); 0 keeps libvips'
  /// default (one per core).
  int vips_threads = 0;
  /// Refuse JPEGs whose decoder reports corrupt data (see OpenOptions::refuse_jpeg_warnings).
  bool refuse_jpeg_warnings = true;
  /// JPEG/WebP quality of sanitize_original() and of thumbnails.
  int original_quality = 92;
  int thumbnail_quality = 80;
  /// Rendered watermark overlays kept between calls (one per watermark and image width).
  std::size_t watermark_cache_entries = 64;
};

/// ImageProcessor on libvips (decoding, resizing, smart crop, watermark, encoding), libmagic
/// (sniffing) and exiv2 (provenance). Starts libvips on construction (once per process; see
/// start_vips() for what it locks down). Thread-safe; at most `max_concurrent` operations run at
/// once, each decoding its source once (shrunk on load when the outputs are smaller). Throws
/// ConfigError from the constructor when libvips or libmagic cannot start.
///
/// render(): the thumbnail is a JPEG (alpha flattened onto white), "thumbnail_size" on its longer
/// side, never enlarged. kCover variants are exactly the preset's size (enlarged if needed, then
/// cropped around the most interesting region); kContain variants fit inside it, never enlarged.
/// inspect() reports the displayed size (after the EXIF orientation).
class VipsImageProcessor final : public ImageProcessor {
 public:
  explicit VipsImageProcessor(VipsImageProcessorOptions options = {});
  ~VipsImageProcessor() override;
  VipsImageProcessor(const VipsImageProcessor&) = delete;
  VipsImageProcessor& operator=(const VipsImageProcessor&) = delete;

  Result<MediaProbe> inspect(const std::filesystem::path& file, const ImageLimits& limits,
                             std::string_view declared_mime = {}) override;
  Result<std::vector<RenderedImage>> render(const std::filesystem::path& image,
                                            const std::vector<VariantPreset>& presets,
                                            const std::optional<Watermark>& watermark,
                                            const Provenance& provenance, int thumbnail_size) override;
  Result<RenderedImage> sanitize_original(const std::filesystem::path& image,
                                          const Provenance& provenance) override;
  Result<std::uint64_t> perceptual_hash(const std::filesystem::path& image) override;

 private:
  struct Source;
  Result<Source> open_source(const std::filesystem::path& file, const ImageLimits& limits) const;
  Result<MediaType> sniff_image(const std::filesystem::path& file) const;
  Result<vips::VImage> load_logo(const std::filesystem::path& file) const;

  VipsImageProcessorOptions options_;
  MediaSniffer sniffer_;
  security::ConcurrencyLimiter limiter_;
  std::unique_ptr<WatermarkOverlayCache> overlay_cache_;
};

}  // namespace personae::media

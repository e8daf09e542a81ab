#pragma once

#include <bit>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace personae {

/// The file types the media vault accepts, decided from the bytes (never from a name or a
/// client's Content-Type).
enum class MediaType { kJpeg, kPng, kWebp, kPdf };

/// "image/jpeg", "image/png", "image/webp", "application/pdf".
constexpr std::string_view mime_type(MediaType type) {
  switch (type) {
    case MediaType::kJpeg: return "image/jpeg";
    case MediaType::kPng: return "image/png";
    case MediaType::kWebp: return "image/webp";
    case MediaType::kPdf: return "application/pdf";
  }
  return "application/octet-stream";
}
/// ".jpg", ".png", ".webp", ".pdf".
constexpr std::string_view file_extension(MediaType type) {
  switch (type) {
    case MediaType::kJpeg: return ".jpg";
    case MediaType::kPng: return ".png";
    case MediaType::kWebp: return ".webp";
    case MediaType::kPdf: return ".pdf";
  }
  return "";
}
/// True for the image types (everything but kPdf).
constexpr bool is_image(MediaType type) {
  return type != MediaType::kPdf;
}

/// Refusal thresholds for untrusted images.
struct ImageLimits {
  /// Most pixels (width x height) an image may declare: a decompression bomb is refused from its
  /// header, before anything is decoded.
  std::uint64_t max_pixels = 100'000'000;
  /// Largest width or height.
  int max_dimension = 20'000;
};

/// What inspect() found in a file.
struct MediaProbe {
  MediaType type = MediaType::kJpeg;
  int width = 0;   ///< 0 for documents
  int height = 0;  ///< 0 for documents
};

/// How a variant fills its box.
enum class VariantFit {
  kCover,    ///< fill the box exactly, cropping what does not fit, keeping the most interesting part
             ///< (libvips smart crop: attention)
  kContain,  ///< fit inside the box, keeping the whole image (one side may be smaller)
};

/// One output size, from the configuration's presets ("instagram_portrait" 1080x1350 cover, ...).
struct VariantPreset {
  std::string name;  ///< [a-z0-9_]{1,40}
  int width = 0;
  int height = 0;
  VariantFit fit = VariantFit::kCover;
  MediaType format = MediaType::kJpeg;  ///< kJpeg, kPng or kWebp
  int quality = 85;                     ///< 1-100, for JPEG and WebP
  bool watermark = true;                ///< whether the tenant's watermark is applied
};

enum class WatermarkPosition { kTopLeft, kTopRight, kBottomLeft, kBottomRight, kCenter };

/// A tenant's or persona's watermark: text, or a logo image (PNG with alpha), or both.
struct Watermark {
  std::string text;                           ///< UTF-8, rendered in white with a dark outline
  std::optional<std::filesystem::path> logo;  ///< a local file (fetched from the blob store first)
  WatermarkPosition position = WatermarkPosition::kBottomRight;
  double opacity = 0.6;         ///< 0-1
  double relative_size = 0.04;  ///< text height or logo width, as a fraction of the image width
};

/// The AI-disclosure metadata written into every processed image (IPTC/XMP).
struct Provenance {
  /// Xmp.iptcExt.DigitalSourceType. The default is the IPTC code for AI-generated media.
  std::string digital_source_type = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";
  std::string persona;    ///< the persona's display name (Xmp.dc.creator / Iptc.Application2.Byline)
  std::string generator;  ///< the model or backend that made the image ("ComfyUI sdxl-base-1.0", or
                          ///< "uploaded" when unknown) (Xmp.xmp.CreatorTool)
  std::string credit;     ///< e.g. "AI-generated image" (Iptc.Application2.Credit, Xmp.photoshop.Credit)
};

/// One rendered output.
struct RenderedImage {
  std::string name;  ///< the preset's name, or "thumbnail"
  std::string bytes;
  MediaType format = MediaType::kJpeg;
  int width = 0;
  int height = 0;
};

/// Image work for the media vault: sniffing, validation, variants, provenance, perceptual hashes.
/// Implementation: libvips + exiv2 + libmagic (adapters/media). Every method blocks (CPU-heavy):
/// call it from worker threads; the implementation bounds how many run at once.
///
/// Untrusted input never crashes it: a file that is not one of MediaType, or whose bytes
/// contradict each other, is truncated or corrupt, or exceeds ImageLimits, is refused with
/// kInvalidArgument and a message that says which ("the file is a GIF image; upload JPEG, PNG,
/// WebP or PDF", "the image is 30000x30000 pixels; the limit is 100000000 pixels", "the image is
/// truncated or corrupt"). Thread-safe.
class ImageProcessor {
 public:
  virtual ~ImageProcessor() = default;

  /// Sniffs the type from the bytes, reads the dimensions from the header, checks the limits, and
  /// for images decodes the whole file once (so truncated or corrupt data is found here, not
  /// later). `declared` is what the client claimed (e.g. the part's Content-Type or the file
  /// name's extension), or empty: when it names another type the file is refused as mismatched.
  virtual Result<MediaProbe> inspect(const std::filesystem::path& file, const ImageLimits& limits,
                                     std::string_view declared_mime = {}) = 0;

  /// Renders each preset (and a thumbnail of `thumbnail_size` pixels on the longer side, named
  /// "thumbnail", never watermarked) from the image, decoding it once and shrinking on load.
  /// Every output has its metadata stripped (EXIF, GPS, maker notes), is auto-rotated from the
  /// EXIF orientation, converted to sRGB, and carries `provenance`. `watermark` applies to the
  /// presets whose `watermark` is true.
  virtual Result<std::vector<RenderedImage>> render(const std::filesystem::path& image,
                                                    const std::vector<VariantPreset>& presets,
                                                    const std::optional<Watermark>& watermark,
                                                    const Provenance& provenance, int thumbnail_size) = 0;

  /// The image's original bytes re-encoded in its own format with metadata stripped and
  /// `provenance` written: what the vault keeps as the "original" variant.
  virtual Result<RenderedImage> sanitize_original(const std::filesystem::path& image,
                                                  const Provenance& provenance) = 0;

  /// A 64-bit perceptual hash (DCT pHash of a 32x32 grey thumbnail): near-duplicates (re-encoded,
  /// resized, lightly edited) differ in few bits. Compare with perceptual_distance().
  virtual Result<std::uint64_t> perceptual_hash(const std::filesystem::path& image) = 0;
};

/// Hamming distance between two perceptual hashes (0-64).
inline int perceptual_distance(std::uint64_t a, std::uint64_t b) {
  return std::popcount(a ^ b);
}

}  // namespace personae

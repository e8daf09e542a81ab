#include "adapters/media/vips_image_processor.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <system_error>
#include <utility>
#include <vector>

#include "adapters/media/perceptual_hash.hpp"
#include "adapters/media/provenance.hpp"
#include "adapters/media/vips_support.hpp"
#include "adapters/media/watermark_renderer.hpp"

namespace personae::media {
namespace {

constexpr const char* kBusyMessage = "image processing is busy; try again shortly";
constexpr int kMaxPresetSide = 8192;
constexpr std::uint64_t kMebibyte = std::uint64_t{1024} * 1024;
constexpr int kMaxThumbnailSize = 4096;
constexpr int kProxyMinSide = 256;  // smart crop's attention map is 32x32: this leaves margin

struct FileHead {
  std::string bytes;
  std::uint64_t size = 0;
};

// The first bytes of a file (for sniffing) and its size. A missing or unreadable file is our
// fault (the caller spooled it), not the user's.
Result<FileHead> read_head(const std::filesystem::path& file, std::size_t max_bytes,
                           std::uint64_t max_file_bytes) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    return make_error(ErrorCode::kInternal, "the file could not be read",
                      file.string() + " is not a regular file");
  }
  FileHead head;
  head.size = std::filesystem::file_size(file, error);
  if (error) return make_error(ErrorCode::kInternal, "the file could not be read", error.message());
  if (head.size > max_file_bytes) {
    return make_error(ErrorCode::kInvalidArgument, "the file is " + std::to_string(head.size / kMebibyte) +
                                                       " MiB; the limit is " +
                                                       std::to_string(max_file_bytes / kMebibyte) + " MiB");
  }
  std::ifstream stream(file, std::ios::binary);
  if (!stream)
    return make_error(ErrorCode::kInternal, "the file could not be read", "cannot open " + file.string());
  head.bytes.resize(static_cast<std::size_t>(std::min<std::uint64_t>(head.size, max_bytes)));
  stream.read(head.bytes.data(), static_cast<std::streamsize>(head.bytes.size()));
  head.bytes.resize(static_cast<std::size_t>(stream.gcount()));
  return head;
}

// A PDF is stored, never rendered here: it must look like one from end to end.
Result<void> check_pdf(const std::filesystem::path& file, const FileHead& head) {
  constexpr std::string_view kBroken = "the PDF document is truncated or corrupt";
  if (!std::string_view(head.bytes).starts_with("%PDF-"))
    return make_error(ErrorCode::kInvalidArgument, std::string(kBroken));
  constexpr std::uint64_t kTail = 1024;
  std::ifstream stream(file, std::ios::binary);
  const std::uint64_t start = head.size > kTail ? head.size - kTail : 0;
  stream.seekg(static_cast<std::streamoff>(start));
  std::string tail(static_cast<std::size_t>(head.size - start), '\0');
  stream.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  if (!stream || tail.find("%%EOF") == std::string::npos) {
    return make_error(ErrorCode::kInvalidArgument, std::string(kBroken), "no %%EOF in the last 1024 bytes");
  }
  return {};
}

bool valid_preset_name(const std::string& name) {
  return !name.empty() && name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Result<void> validate_presets(const std::vector<VariantPreset>& presets, int thumbnail_size) {
  for (const VariantPreset& preset : presets) {
    const std::string which =
        "preset \"" + (valid_preset_name(preset.name) ? preset.name : std::string("?")) + "\"";
    if (!valid_preset_name(preset.name)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "a preset name must be 1-40 characters of a-z, 0-9 and _");
    }
    if (preset.width < 1 || preset.height < 1 || preset.width > kMaxPresetSide ||
        preset.height > kMaxPresetSide) {
      return make_error(ErrorCode::kInvalidArgument, which + ": width and height must be 1-8192");
    }
    if (!is_image(preset.format))
      return make_error(ErrorCode::kInvalidArgument, which + ": the format must be an image");
    if (preset.quality < 1 || preset.quality > 100) {
      return make_error(ErrorCode::kInvalidArgument, which + ": the quality must be 1-100");
    }
  }
  if (thumbnail_size < 1 || thumbnail_size > kMaxThumbnailSize) {
    return make_error(ErrorCode::kInvalidArgument, "the thumbnail size must be 1-4096");
  }
  return {};
}

// The largest shrink-on-load factor (1, 2, 4, 8) that still leaves at least `scale` of the image.
int shrink_for(double scale) {
  int shrink = 1;
  while (shrink < 8 && scale * shrink * 2 <= 1.0) shrink *= 2;
  return shrink;
}

// sRGB, 8 bits: an embedded profile is applied (then dropped with the rest of the metadata); a
// profile lcms refuses is ignored rather than failing the upload.
vips::VImage to_srgb(vips::VImage image) {
  if (image.get_typeof(VIPS_META_ICC_NAME) != 0) {
    try {
      image = image.icc_transform("srgb", vips::VImage::option()
                                              ->set("embedded", true)
                                              ->set("intent", VIPS_INTENT_PERCEPTUAL)
                                              ->set("depth", 8));
    } catch (const vips::VError&) {
      vips_error_clear();
      image = image.copy();
      image.remove(VIPS_META_ICC_NAME);
    }
  }
  if (image.interpretation() != VIPS_INTERPRETATION_sRGB) image = image.colourspace(VIPS_INTERPRETATION_sRGB);
  if (image.format() != VIPS_FORMAT_UCHAR) image = image.cast(VIPS_FORMAT_UCHAR);
  return image;
}

// The part of `image` that a `width` x `height` cover variant keeps: the box of the variant's
// aspect ratio, as large as fits, placed where libvips' attention measure finds the most
// interesting content (edges, saturated colour, skin tones), measured on `proxy`, a smaller copy.
vips::VImage cover_region(const vips::VImage& image, const vips::VImage& proxy, int width, int height) {
  const double scale =
      std::max(static_cast<double>(width) / image.width(), static_cast<double>(height) / image.height());
  const int crop_width = std::clamp(static_cast<int>(std::lround(width / scale)), 1, image.width());
  const int crop_height = std::clamp(static_cast<int>(std::lround(height / scale)), 1, image.height());
  if (crop_width == image.width() && crop_height == image.height()) return image;
  const double proxy_scale = static_cast<double>(proxy.width()) / image.width();
  const int proxy_width =
      std::clamp(static_cast<int>(std::lround(crop_width * proxy_scale)), 1, proxy.width());
  const int proxy_height =
      std::clamp(static_cast<int>(std::lround(crop_height * proxy_scale)), 1, proxy.height());
  const vips::VImage chosen = proxy.smartcrop(
      proxy_width, proxy_height, vips::VImage::option()->set("interesting", VIPS_INTERESTING_ATTENTION));
  // smartcrop is an extract_area, which records the crop's corner as a negative offset.
  const int left = std::clamp(static_cast<int>(std::lround(-chosen.xoffset() / proxy_scale)), 0,
                              image.width() - crop_width);
  const int top = std::clamp(static_cast<int>(std::lround(-chosen.yoffset() / proxy_scale)), 0,
                             image.height() - crop_height);
  return image.extract_area(left, top, crop_width, crop_height);
}

std::string take_blob(VipsBlob* blob) {
  std::size_t size = 0;
  const void* data = vips_blob_get(blob, &size);
  std::string bytes(static_cast<const char*>(data), size);
  vips_area_unref(VIPS_AREA(blob));
  return bytes;
}

// Encodes without any metadata (strip): provenance is added afterwards by exiv2.
std::string encode(const vips::VImage& image, MediaType format, int quality) {
  switch (format) {
    case MediaType::kPng:
      return take_blob(
          image.pngsave_buffer(vips::VImage::option()->set("strip", true)->set("compression", 6)));
    case MediaType::kWebp:
      return take_blob(image.webpsave_buffer(vips::VImage::option()->set("strip", true)->set("Q", quality)));
    case MediaType::kJpeg:
    case MediaType::kPdf: break;
  }
  vips::VImage opaque =
      image.has_alpha()
          ? image.flatten(vips::VImage::option()->set("background", std::vector<double>{255.0, 255.0, 255.0}))
          : image;
  return take_blob(opaque.jpegsave_buffer(vips::VImage::option()->set("strip", true)->set("Q", quality)));
}

Result<RenderedImage> finish(std::string name, const vips::VImage& image, MediaType format, int quality,
                             const Provenance& provenance) {
  RenderedImage out{.name = std::move(name),
                    .bytes = {},
                    .format = format,
                    .width = image.width(),
                    .height = image.height()};
  auto labelled = write_provenance(encode(image, format, quality), format, provenance);
  if (!labelled) return tl::unexpected(labelled.error());
  out.bytes = std::move(*labelled);
  return out;
}

// Identifies a watermark's overlay: the logo by path, size and modification time, since the
// caller may replace the file. Empty (no sharing) when the logo cannot be examined.
std::string overlay_cache_key(const Watermark& watermark) {
  std::string key = watermark.text;
  key += '\n';
  if (watermark.logo) {
    std::error_code error;
    const auto size = std::filesystem::file_size(*watermark.logo, error);
    if (error) return {};
    const auto modified = std::filesystem::last_write_time(*watermark.logo, error);
    if (error) return {};
    key += watermark.logo->string() + '\n' + std::to_string(size) + '\n' +
           std::to_string(modified.time_since_epoch().count());
  }
  std::array<char, 64> numbers{};
  std::snprintf(numbers.data(), numbers.size(), "\n%.17g\n%.17g", watermark.opacity, watermark.relative_size);
  return key + numbers.data();
}

}  // namespace

// An image file that passed sniffing and the limits (from its header only).
struct VipsImageProcessor::Source {
  MediaType type = MediaType::kJpeg;
  OrientedSize size;
};

VipsImageProcessor::VipsImageProcessor(VipsImageProcessorOptions options)
    : options_(options),
      limiter_(options_.max_concurrent, options_.max_waiting, options_.wait_timeout),
      overlay_cache_(std::make_unique<WatermarkOverlayCache>(options_.watermark_cache_entries)) {
  start_vips();
  start_exiv2();
  set_vips_concurrency(options_.vips_threads);
}

VipsImageProcessor::~VipsImageProcessor() = default;

Result<MediaType> VipsImageProcessor::sniff_image(const std::filesystem::path& file) const {
  auto head = read_head(file, MediaSniffer::kHeadBytes, options_.max_file_bytes);
  if (!head) return tl::unexpected(head.error());
  auto type = sniffer_.sniff(head->bytes);
  if (!type) return type;
  if (!is_image(*type))
    return make_error(ErrorCode::kInvalidArgument, "the file is a PDF document, not an image");
  return type;
}

Result<VipsImageProcessor::Source> VipsImageProcessor::open_source(const std::filesystem::path& file,
                                                                   const ImageLimits& limits) const {
  auto type = sniff_image(file);
  if (!type) return tl::unexpected(type.error());
  auto image = open_image(
      file, *type,
      {.access = VIPS_ACCESS_SEQUENTIAL, .shrink = 1, .refuse_jpeg_warnings = options_.refuse_jpeg_warnings});
  if (!image) return tl::unexpected(image.error());
  const OrientedSize size = oriented_size(*image);
  if (auto within = check_limits(size, limits); !within) return tl::unexpected(within.error());
  return Source{.type = *type, .size = size};
}

Result<MediaProbe> VipsImageProcessor::inspect(const std::filesystem::path& file, const ImageLimits& limits,
                                               std::string_view declared_mime) {
  auto head = read_head(file, MediaSniffer::kHeadBytes, options_.max_file_bytes);
  if (!head) return tl::unexpected(head.error());
  auto type = sniffer_.sniff(head->bytes);
  if (!type) return tl::unexpected(type.error());
  if (auto declared = check_declared(*type, declared_mime); !declared)
    return tl::unexpected(declared.error());
  if (*type == MediaType::kPdf) {
    if (auto pdf = check_pdf(file, *head); !pdf) return tl::unexpected(pdf.error());
    return MediaProbe{.type = MediaType::kPdf, .width = 0, .height = 0};
  }

  auto permit = limiter_.acquire(kBusyMessage);
  if (!permit) return tl::unexpected(permit.error());
  auto header = open_image(
      file, *type,
      {.access = VIPS_ACCESS_SEQUENTIAL, .shrink = 1, .refuse_jpeg_warnings = options_.refuse_jpeg_warnings});
  if (!header) return tl::unexpected(header.error());
  const OrientedSize size = oriented_size(*header);
  if (auto within = check_limits(size, limits); !within) return tl::unexpected(within.error());

  // Decode every pixel once, streaming, so damage is found now. JPEG's DCT shrink still reads
  // every coded block, at a fraction of the cost.
  auto decoder = open_image(file, *type,
                            {.access = VIPS_ACCESS_SEQUENTIAL,
                             .shrink = *type == MediaType::kJpeg ? 8 : 1,
                             .refuse_jpeg_warnings = options_.refuse_jpeg_warnings});
  if (!decoder) return tl::unexpected(decoder.error());
  try {
    (void)decoder->avg();
  } catch (const vips::VError& error) {
    return tl::unexpected(from_vips_error(ErrorCode::kInvalidArgument, kCorruptImageMessage, error));
  }
  return MediaProbe{.type = *type, .width = size.width, .height = size.height};
}

Result<vips::VImage> VipsImageProcessor::load_logo(const std::filesystem::path& file) const {
  auto source = open_source(file, options_.logo_limits);
  if (!source) {
    Error error = source.error();
    if (error.code == ErrorCode::kInvalidArgument)
      error.message = "the watermark logo is not usable: " + error.message;
    return tl::unexpected(std::move(error));
  }
  auto logo = open_image(
      file, source->type,
      {.access = VIPS_ACCESS_SEQUENTIAL, .shrink = 1, .refuse_jpeg_warnings = options_.refuse_jpeg_warnings});
  if (!logo) return tl::unexpected(logo.error());
  try {
    return logo->copy_memory().autorot();
  } catch (const vips::VError& error) {
    return tl::unexpected(
        from_vips_error(ErrorCode::kInvalidArgument,
                        "the watermark logo is not usable: the image is truncated or corrupt", error));
  }
}

Result<std::vector<RenderedImage>> VipsImageProcessor::render(const std::filesystem::path& image,
                                                              const std::vector<VariantPreset>& presets,
                                                              const std::optional<Watermark>& watermark,
                                                              const Provenance& provenance,
                                                              int thumbnail_size) {
  if (auto valid = validate_presets(presets, thumbnail_size); !valid) return tl::unexpected(valid.error());
  if (watermark) {
    if (auto valid = validate_watermark(*watermark); !valid) return tl::unexpected(valid.error());
  }
  auto permit = limiter_.acquire(kBusyMessage);
  if (!permit) return tl::unexpected(permit.error());
  auto source = open_source(image, options_.limits);
  if (!source) return tl::unexpected(source.error());

  // Decode once, at the smallest size that still serves the largest output.
  const double width = source->size.width;
  const double height = source->size.height;
  double scale = std::min(1.0, thumbnail_size / std::max(width, height));
  for (const VariantPreset& preset : presets) {
    const double x = preset.width / width;
    const double y = preset.height / height;
    scale =
        std::max(scale, preset.fit == VariantFit::kCover ? std::max(x, y) : std::min(1.0, std::min(x, y)));
  }
  auto loaded = open_image(image, source->type,
                           {.access = VIPS_ACCESS_SEQUENTIAL,
                            .shrink = shrink_for(scale),
                            .refuse_jpeg_warnings = options_.refuse_jpeg_warnings});
  if (!loaded) return tl::unexpected(loaded.error());
  vips::VImage decoded;
  try {
    decoded = loaded->copy_memory().autorot();
  } catch (const vips::VError& error) {
    return tl::unexpected(from_vips_error(ErrorCode::kInvalidArgument, kCorruptImageMessage, error));
  }

  std::optional<WatermarkRenderer> marker;
  if (watermark) {
    marker.emplace(
        *watermark, [this, &watermark] { return load_logo(*watermark->logo); }, overlay_cache_.get(),
        overlay_cache_key(*watermark));
  }
  // Colour, watermark, encoding and provenance: the same for every variant.
  const auto finish_variant = [&](const VariantPreset& preset,
                                  const vips::VImage& resized) -> Result<RenderedImage> {
    vips::VImage variant = to_srgb(resized);
    if (marker && preset.watermark) {
      auto marked = marker->apply(variant);
      if (!marked) return tl::unexpected(marked.error());
      variant = std::move(*marked);
    }
    return finish(preset.name, variant, preset.format, preset.quality, provenance);
  };

  std::vector<RenderedImage> outputs(presets.size());
  try {
    // Contain variants first: each is the whole picture, so the smallest one that is still large
    // enough also gives the proxy below far more cheaply than the full-size decoded image.
    const int proxy_side = std::max(kProxyMinSide, thumbnail_size);
    std::optional<vips::VImage> proxy_source;
    for (std::size_t i = 0; i < presets.size(); ++i) {
      const VariantPreset& preset = presets[i];
      if (preset.fit != VariantFit::kContain) continue;
      const vips::VImage resized = decoded
                                       .thumbnail_image(preset.width, vips::VImage::option()
                                                                          ->set("height", preset.height)
                                                                          ->set("no_rotate", true)
                                                                          ->set("size", VIPS_SIZE_DOWN))
                                       .copy_memory();
      if (std::max(resized.width(), resized.height()) >= proxy_side &&
          (!proxy_source || resized.width() < proxy_source->width())) {
        proxy_source = resized;
      }
      auto out = finish_variant(preset, resized);
      if (!out) return tl::unexpected(out.error());
      outputs[i] = std::move(*out);
    }
    // A small copy of the whole picture for choosing crops and for the thumbnail: smart crop then
    // measures a few hundred pixels instead of a full-size resize, and each cover variant resizes
    // only the region it keeps.
    const vips::VImage proxy = proxy_source.value_or(decoded)
                                   .thumbnail_image(proxy_side, vips::VImage::option()
                                                                    ->set("height", proxy_side)
                                                                    ->set("no_rotate", true)
                                                                    ->set("size", VIPS_SIZE_DOWN))
                                   .copy_memory();
    proxy_source.reset();
    for (std::size_t i = 0; i < presets.size(); ++i) {
      const VariantPreset& preset = presets[i];
      if (preset.fit != VariantFit::kCover) continue;
      auto out =
          finish_variant(preset, cover_region(decoded, proxy, preset.width, preset.height)
                                     .thumbnail_image(preset.width, vips::VImage::option()
                                                                        ->set("height", preset.height)
                                                                        ->set("no_rotate", true)
                                                                        ->set("size", VIPS_SIZE_FORCE)));
      if (!out) return tl::unexpected(out.error());
      outputs[i] = std::move(*out);
    }
    const vips::VImage thumbnail =
        to_srgb(proxy.thumbnail_image(thumbnail_size, vips::VImage::option()
                                                          ->set("height", thumbnail_size)
                                                          ->set("no_rotate", true)
                                                          ->set("size", VIPS_SIZE_DOWN)));
    auto out = finish("thumbnail", thumbnail, MediaType::kJpeg, options_.thumbnail_quality, provenance);
    if (!out) return tl::unexpected(out.error());
    outputs.push_back(std::move(*out));
  } catch (const vips::VError& error) {
    return tl::unexpected(from_vips_error(ErrorCode::kInternal, "the image could not be processed", error));
  }
  return outputs;
}

Result<RenderedImage> VipsImageProcessor::sanitize_original(const std::filesystem::path& image,
                                                            const Provenance& provenance) {
  auto permit = limiter_.acquire(kBusyMessage);
  if (!permit) return tl::unexpected(permit.error());
  auto source = open_source(image, options_.limits);
  if (!source) return tl::unexpected(source.error());
  auto loaded = open_image(
      image, source->type,
      {.access = VIPS_ACCESS_SEQUENTIAL, .shrink = 1, .refuse_jpeg_warnings = options_.refuse_jpeg_warnings});
  if (!loaded) return tl::unexpected(loaded.error());
  vips::VImage decoded;
  try {
    decoded = loaded->copy_memory().autorot();
  } catch (const vips::VError& error) {
    return tl::unexpected(from_vips_error(ErrorCode::kInvalidArgument, kCorruptImageMessage, error));
  }
  try {
    return finish("original", to_srgb(decoded), source->type, options_.original_quality, provenance);
  } catch (const vips::VError& error) {
    return tl::unexpected(from_vips_error(ErrorCode::kInternal, "the image could not be processed", error));
  }
}

Result<std::uint64_t> VipsImageProcessor::perceptual_hash(const std::filesystem::path& image) {
  auto permit = limiter_.acquire(kBusyMessage);
  if (!permit) return tl::unexpected(permit.error());
  auto source = open_source(image, options_.limits);
  if (!source) return tl::unexpected(source.error());
  // 32x32 is all the hash needs: decode at up to 1/8 while keeping a few times that.
  const double scale = 4.0 * kPerceptualHashSide / std::min(source->size.width, source->size.height);
  auto loaded = open_image(image, source->type,
                           {.access = VIPS_ACCESS_SEQUENTIAL,
                            .shrink = shrink_for(std::min(1.0, scale)),
                            .refuse_jpeg_warnings = options_.refuse_jpeg_warnings});
  if (!loaded) return tl::unexpected(loaded.error());
  vips::VImage decoded;
  try {
    decoded = loaded->copy_memory().autorot();
  } catch (const vips::VError& error) {
    return tl::unexpected(from_vips_error(ErrorCode::kInvalidArgument, kCorruptImageMessage, error));
  }
  return perceptual_hash_of_image(decoded);
}

}  // namespace personae::media

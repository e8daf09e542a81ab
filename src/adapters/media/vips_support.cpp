#include "adapters/media/vips_support.hpp"

#include <mutex>
#include <string_view>
#include <utility>

#include "observability/log.hpp"

namespace personae::media {
namespace {

// libvips reports decoder trouble ("error in tile", libpng's text) through GLib warnings on
// standard error; they belong in our log, and the failure itself arrives as a VError.
void forward_glib_message(const gchar* domain, GLogLevelFlags level, const gchar* message, gpointer) {
  log::debug("libvips", {{"domain", domain != nullptr ? domain : ""},
                         {"level", static_cast<int>(level)},
                         {"message", message != nullptr ? message : ""}});
}

void start_once() {
  if (VIPS_INIT("personae") != 0) {
    std::string detail = vips_error_buffer();
    vips_error_clear();
    throw ConfigError("libvips could not start: " + detail);
  }
  g_log_set_handler("VIPS",
                    static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO |
                                                G_LOG_LEVEL_DEBUG),
                    forward_glib_message, nullptr);
  // Defence in depth: the files are sniffed and opened by an explicit loader, but nothing in this
  // process may reach ImageMagick, PDF, SVG, TIFF, HEIF, FITS, ... even by accident.
  vips_block_untrusted_set(TRUE);
  vips_operation_block_set("VipsForeignLoad", TRUE);
  for (const char* allowed : {"VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadWebp"}) {
    vips_operation_block_set(allowed, FALSE);
  }
  // The operation cache keys loads by file name: a spooled upload path reused with other bytes
  // would come back as the old image. It also holds decoded images beyond their use.
  vips_cache_set_max(0);
  vips_cache_set_max_mem(0);
  vips_cache_set_max_files(0);
}

}  // namespace

void start_vips() {
  static std::once_flag once;
  std::call_once(once, start_once);
}

void set_vips_concurrency(int threads) {
  if (threads > 0) vips_concurrency_set(threads);
}

Error from_vips_error(ErrorCode code, std::string message, const vips::VError& error) {
  std::string detail = error.what();
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  vips_error_clear();
  return Error{code, std::move(message), std::move(detail)};
}

Result<vips::VImage> open_image(const std::filesystem::path& file, MediaType type,
                                const OpenOptions& options) {
  const std::string name = file.string();
  const VipsFailOn fail_on = VIPS_FAIL_ON_ERROR;
  try {
    switch (type) {
      case MediaType::kJpeg:
        return vips::VImage::jpegload(
            name.c_str(),
            vips::VImage::option()
                ->set("access", options.access)
                ->set("shrink", options.shrink)
                ->set("fail_on", options.refuse_jpeg_warnings ? VIPS_FAIL_ON_WARNING : fail_on));
      case MediaType::kPng:
        return vips::VImage::pngload(
            name.c_str(), vips::VImage::option()->set("access", options.access)->set("fail_on", fail_on));
      case MediaType::kWebp:
        return vips::VImage::webpload(name.c_str(), vips::VImage::option()
                                                        ->set("access", options.access)
                                                        ->set("scale", 1.0 / options.shrink)
                                                        ->set("fail_on", fail_on));
      case MediaType::kPdf: break;
    }
  } catch (const vips::VError& error) {
    return tl::unexpected(from_vips_error(ErrorCode::kInvalidArgument, kCorruptImageMessage, error));
  }
  return make_error(ErrorCode::kInvalidArgument, "the file is a PDF document, not an image");
}

OrientedSize oriented_size(const vips::VImage& image) {
  if (vips_image_get_orientation_swap(image.get_image()) != 0) return {image.height(), image.width()};
  return {image.width(), image.height()};
}

Result<void> check_limits(OrientedSize size, const ImageLimits& limits) {
  const auto pixels = static_cast<std::uint64_t>(size.width) * static_cast<std::uint64_t>(size.height);
  const std::string dimensions = std::to_string(size.width) + "x" + std::to_string(size.height);
  if (size.width <= 0 || size.height <= 0) {
    return make_error(ErrorCode::kInvalidArgument, kCorruptImageMessage, "empty image " + dimensions);
  }
  if (pixels > limits.max_pixels) {
    return make_error(ErrorCode::kInvalidArgument, "the image is " + dimensions + " pixels; the limit is " +
                                                       std::to_string(limits.max_pixels) + " pixels");
  }
  if (size.width > limits.max_dimension || size.height > limits.max_dimension) {
    return make_error(ErrorCode::kInvalidArgument, "the image is " + dimensions + " pixels; the limit is " +
                                                       std::to_string(limits.max_dimension) +
                                                       " pixels on either side");
  }
  return {};
}

}  // namespace personae::media

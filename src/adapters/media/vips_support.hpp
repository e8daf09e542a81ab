#pragma once

#include <filesystem>
#include <string>

#include <vips/vips8>

#include "core/error.hpp"
#include "ports/image_processor.hpp"

namespace personae::media {

/// Starts libvips once per process (later calls return at once; safe from any thread) and locks
/// it down: every loader except JPEG, PNG and WebP is blocked, "untrusted" operations are blocked,
/// and the operation cache is off (a reused path must never yield a stale image). libvips is never
/// shut down: its global state lives until the process exits. Throws ConfigError when libvips
/// cannot start.
void start_vips();

/// libvips' process-wide worker threads per pipeline (vips_concurrency_set); 0 keeps its default.
void set_vips_concurrency(int threads);

/// An Error carrying what libvips reported (`what` of a VError, or the current error buffer) as
/// log-only detail; clears libvips' error buffer.
Error from_vips_error(ErrorCode code, std::string message, const vips::VError& error);

/// How an image file is opened.
struct OpenOptions {
  VipsAccess access = VIPS_ACCESS_RANDOM;
  /// Shrink on load: JPEG decodes at 1/shrink (1, 2, 4 or 8) from the DCT, WebP scales by 1/shrink
  /// in the decoder; PNG ignores it.
  int shrink = 1;
  /// JPEG has no checksums: its decoder's "corrupt data" warnings are the only sign of damage, so
  /// by default they refuse the file. PNG (CRCs) and WebP fail on errors and truncation only.
  bool refuse_jpeg_warnings = true;
};

/// Opens `file` lazily with the loader of `type` (never libvips' content-based dispatch); only the
/// header is read until pixels are asked for. kInvalidArgument ("the image is truncated or
/// corrupt") when the header cannot be read; kInvalidArgument for kPdf.
Result<vips::VImage> open_image(const std::filesystem::path& file, MediaType type,
                                const OpenOptions& options);

/// Width and height as displayed (EXIF orientations 5-8 swap them).
struct OrientedSize {
  int width = 0;
  int height = 0;
};
OrientedSize oriented_size(const vips::VImage& image);

/// kInvalidArgument naming the size and the limit when `size` exceeds `limits`.
Result<void> check_limits(OrientedSize size, const ImageLimits& limits);

/// The user-facing message for pixels that cannot be decoded.
inline constexpr const char* kCorruptImageMessage = "the image is truncated or corrupt";

}  // namespace personae::media

#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "ports/image_processor.hpp"

namespace personae::media {

/// Rewrites an encoded image (JPEG, PNG or WebP bytes) in memory with exiv2: every metadata block
/// it carries (EXIF, GPS, IPTC, XMP, comments, ICC) is removed, then the AI-disclosure fields are
/// written:
///   Xmp.iptcExt.DigitalSourceType  provenance.digital_source_type (always)
///   Xmp.dc.creator                 provenance.persona
///   Xmp.xmp.CreatorTool            provenance.generator
///   Xmp.photoshop.Credit           provenance.credit
/// and, where the format has IPTC (JPEG, PNG), their IIM equivalents in UTF-8 (Byline,
/// Program, Credit; cut to IIM's 32-byte fields). Empty fields are left out.
/// kInvalidArgument for kPdf, an empty digital source type, or a field that is not UTF-8 text
/// without control characters; kInternal when exiv2 cannot parse or
/// write the bytes (they come from our encoder, so that is a bug). Thread-safe.
Result<std::string> write_provenance(std::string_view encoded, MediaType format,
                                     const Provenance& provenance);

/// Starts exiv2's XMP toolkit once per process with a lock (it is not thread-safe otherwise) and
/// sends exiv2's warnings to our log. write_provenance() calls it; safe from any thread.
void start_exiv2();

}  // namespace personae::media

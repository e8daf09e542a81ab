#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace personae::http {

/// One part of a multipart/form-data body (RFC 7578): its form name, the file name and content
/// type it declared (untrusted, for display and a consistency check only), and where its bytes
/// are in the body.
struct MultipartPart {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;  ///< "" when the part declared none (text/plain by default)
  std::uint64_t offset = 0;  ///< of the first byte of the content
  std::uint64_t length = 0;
};

struct MultipartLimits {
  std::size_t max_parts = 32;
  std::size_t max_part_header_bytes = std::size_t{8} * 1024;
};

/// The boundary of a `multipart/form-data; boundary=...` Content-Type (quoted or not, 1-70
/// characters as RFC 2046 allows); kInvalidArgument naming the problem otherwise.
Result<std::string> multipart_boundary(std::string_view content_type);

/// Finds the parts of a multipart body held in memory. Refuses (kInvalidArgument, with a message
/// that says what is wrong) a body without the opening boundary, a part without a
/// Content-Disposition of form-data with a name, headers over the limit, too many parts, or a body
/// cut off before the closing boundary (an upload interrupted mid-way).
Result<std::vector<MultipartPart>> parse_multipart(std::string_view body, std::string_view boundary,
                                                   const MultipartLimits& limits = {});

/// The same over a body spooled to a file (mapped read-only, so memory stays flat whatever its
/// size). kInternal when the file cannot be read.
Result<std::vector<MultipartPart>> parse_multipart_file(const std::filesystem::path& file,
                                                        std::string_view boundary,
                                                        const MultipartLimits& limits = {});

/// The bytes of a (small) part of a spooled body.
Result<std::string> read_part(const std::filesystem::path& file, const MultipartPart& part);

/// Copies a part of a spooled body into `destination` (created or truncated).
Result<void> copy_part(const std::filesystem::path& file, const MultipartPart& part,
                       const std::filesystem::path& destination);

}  // namespace personae::http

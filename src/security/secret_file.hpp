#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace personae::security {

/// Creates `path` with mode 0600 and writes `contents`, failing (kConflict) if it already exists so
/// that two processes starting at once cannot overwrite each other's key. Creates missing parent
/// folders with mode 0700. Errors name the path, never the contents.
Result<void> write_secret_file(const std::filesystem::path& path, std::string_view contents);

/// Reads a whole file (kNotFound if it is missing, kInternal on other I/O errors).
Result<std::string> read_secret_file(const std::filesystem::path& path);

/// Succeeds when `path` is a regular file that only its owner may read or write (no permission bit
/// for group or others, like OpenSSH demands of private keys): a signing or encryption key that
/// other local users can read is refused (kFailedPrecondition, naming the path, its mode and the
/// `chmod 600` that fixes it) rather than used.
Result<void> require_owner_only(const std::filesystem::path& path);

}  // namespace personae::security

#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "ports/blob_store.hpp"

namespace personae {

struct LocalBlobStoreOptions {
  /// The folder holding every object (`blob.local.path`); created with mode 0700 when missing.
  std::filesystem::path root = "var/blobs";
  /// Temporary files under `<root>/.tmp` older than this are removed at start-up (left by a
  /// crash). Younger ones may belong to another process writing right now, so they stay.
  std::chrono::seconds stale_temp_age{3600};
  /// Bytes read and written per system call when copying.
  std::size_t buffer_size = std::size_t{1024} * 1024;
};

/// Objects as files on the local filesystem: `<root>/<tenant>/<aa>/<bb>/<sha256>`, where aa and bb
/// are the hash's first two pairs of hex digits (so no folder holds more than a few thousand
/// entries). Every path is built from a validated BlobKey only.
///
/// Writes stream into an owner-only temporary file under `<root>/.tmp` (same filesystem) while the
/// hash is computed, fsync it, rename it into place and fsync the folder: a reader sees the whole
/// object or nothing, and a crash leaves at most a temporary file, removed at the next start.
/// Reads check the bytes against the key's hash (a corrupt file is kInternal, never served).
/// Files are 0600 and folders 0700. A full or failing disk is kUnavailable.
///
/// Thread-safe, and safe for several processes sharing the root (each write has its own temporary
/// file; renames are atomic; equal content makes equal files).
class LocalBlobStore final : public BlobStore {
 public:
  /// Creates the root and `<root>/.tmp` when missing and removes stale temporary files. Throws
  /// ConfigError (naming `blob.local.path`) when the root cannot be created or used.
  explicit LocalBlobStore(LocalBlobStoreOptions options);

  BlobInfo put_file(const std::string& tenant_id, const std::filesystem::path& source) override;
  BlobInfo put_bytes(const std::string& tenant_id, std::string_view bytes) override;
  std::string get(const BlobKey& key) override;
  void get_to_file(const BlobKey& key, const std::filesystem::path& destination) override;
  std::optional<BlobInfo> stat(const BlobKey& key) override;
  void remove(const BlobKey& key) override;
  std::string_view kind() const override { return "local"; }
  void check() override;

  /// Where the object for `key` lives (the key must be valid).
  std::filesystem::path path_of(const BlobKey& key) const;
  /// The folder of temporary files.
  std::filesystem::path temp_folder() const { return options_.root / ".tmp"; }
  /// Removes temporary files older than `stale_temp_age`; returns how many.
  std::size_t remove_stale_temp_files() const;

 private:
  LocalBlobStoreOptions options_;
};

}  // namespace personae

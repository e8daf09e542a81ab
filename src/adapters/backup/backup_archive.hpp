#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace personae {

/// One file inside a backup, with its size and content hash (checked on restore).
struct BackupEntry {
  std::string name;  ///< "database/personae.db", "blobs/<tenant>/<sha256>"
  std::uint64_t size = 0;
  std::string sha256;
};

/// What a backup holds, written last as manifest.json.
struct BackupManifest {
  static constexpr int kFormatVersion = 1;
  int format_version = kFormatVersion;
  std::string created_by;  ///< "personae 0.1.0 (commit ...)"
  std::int64_t created_at_unix_ms = 0;
  std::string dialect;         ///< "sqlite" or "postgresql"
  int schema_version = 0;      ///< the database's migration version
  std::string blob_store;      ///< "included" (blobs/<key> entries) or "referenced" (they stay in the store)
  std::string blob_reference;  ///< the store the rows referred to: a folder, or endpoint/bucket/prefix
  std::string master_key_fingerprint;      ///< of the key that sealed the database's secrets ("" if none)
  bool includes_secrets = false;           ///< secrets/master.key and keys/* are in the archive
  std::vector<std::string> missing_blobs;  ///< referenced but already absent from the store
  std::vector<BackupEntry> entries;
};

/// Writes a backup: a gzip-compressed tar of the entries, then manifest.json with their hashes.
/// The archive is written to a temporary file beside `output` and renamed into place by finish(),
/// so a failed or interrupted backup never leaves a file that looks complete. Not thread-safe.
class BackupWriter {
 public:
  /// kUnavailable when the file cannot be created.
  static Result<std::unique_ptr<BackupWriter>> create(const std::filesystem::path& output);
  ~BackupWriter();
  BackupWriter(const BackupWriter&) = delete;
  BackupWriter& operator=(const BackupWriter&) = delete;

  /// Adds the file at `source` as `name`, hashing it as it is copied.
  Result<void> add_file(const std::string& name, const std::filesystem::path& source);
  /// Writes `manifest` (with the entries added so far) and moves the archive into place.
  Result<void> finish(BackupManifest manifest);

 private:
  struct Impl;
  explicit BackupWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Extracts a backup into `destination` (an empty folder) and checks it before anything uses it:
/// a readable gzip tar; only plain files with safe relative names (no "..", no absolute paths, no
/// links); a manifest.json of a known format version; every listed entry present with its size and
/// SHA-256, and nothing unlisted. kInvalidArgument with a message that says what is wrong ("the
/// file is not a Personae backup", "the backup is truncated", "blobs/...: content does not match
/// its checksum", "made by a newer backup format (2)") — the caller then touches nothing.
Result<BackupManifest> extract_backup(const std::filesystem::path& input,
                                      const std::filesystem::path& destination);

}  // namespace personae

#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace personae {

/// Where one stored object lives: a tenant and the SHA-256 of its bytes (content addressing).
/// Both parts are made by the server (a tenant id, a hash it computed), never taken from a
/// request; BlobKey::parse and the stores refuse anything else, so no path or object name is ever
/// built from user input. Objects of different tenants never share a key, even for equal bytes.
struct BlobKey {
  std::string tenant_id;  ///< 1-64 characters of [A-Za-z0-9_-]
  std::string sha256;     ///< 64 lowercase hex digits

  /// "<tenant_id>/<sha256>": the form stored in database rows.
  std::string to_string() const;
  /// The inverse of to_string(); nullopt for anything malformed.
  static std::optional<BlobKey> parse(std::string_view text);
  /// True when both parts have the shapes above.
  bool valid() const;

  bool operator==(const BlobKey&) const = default;
};

/// What a store answers about an object it holds.
struct BlobInfo {
  BlobKey key;
  std::uint64_t size = 0;
};

/// Object storage for media bytes. Implementations: the local filesystem (the embedded default)
/// and S3-compatible servers (MinIO, AWS S3). One contract suite runs against both.
///
/// Every method blocks (disk or network): call it from worker threads. Failures throw AppError:
/// kNotFound for a missing object, kInvalidArgument for an invalid key, kUnavailable when the
/// backend cannot be reached or keeps failing after the adapter's retries (its `detail`, for logs,
/// says why), kInternal otherwise. Messages never carry credentials.
///
/// Writes are atomic: a reader sees the whole object or none of it, and a failed or interrupted
/// write leaves no object behind. Writing bytes that are already stored for the tenant is cheap
/// and returns the same key.
/// Thread-safe.
class BlobStore {
 public:
  virtual ~BlobStore() = default;

  /// Stores the file's bytes for `tenant_id`; the key's hash is computed here while the file is
  /// read (the file is not modified or moved).
  virtual BlobInfo put_file(const std::string& tenant_id, const std::filesystem::path& source) = 0;

  /// Stores `bytes` for `tenant_id` (small objects: variants, thumbnails).
  virtual BlobInfo put_bytes(const std::string& tenant_id, std::string_view bytes) = 0;

  /// The whole object in memory.
  virtual std::string get(const BlobKey& key) = 0;

  /// Copies the object into `destination` (created or truncated; removed again on failure).
  virtual void get_to_file(const BlobKey& key, const std::filesystem::path& destination) = 0;

  /// Whether the object exists, and its size.
  virtual std::optional<BlobInfo> stat(const BlobKey& key) = 0;

  /// Deletes the object; deleting a missing object is not an error.
  virtual void remove(const BlobKey& key) = 0;

  /// "local" or "s3", for logs and /ready.
  virtual std::string_view kind() const = 0;

  /// A cheap round trip that proves the backend is usable (folder writable, bucket reachable);
  /// throws AppError(kUnavailable) otherwise. Used by /ready.
  virtual void check() = 0;
};

}  // namespace personae

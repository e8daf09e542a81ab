#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/blob/s3_blob_store.hpp"
#include "ports/blob_store.hpp"
#include "tests/support/s3rver_server.hpp"

namespace personae::testing {

/// One BlobStore implementation under the contract suite, with a way to look at its backend
/// directly (not through the store under test).
class BlobStoreHarness {
 public:
  virtual ~BlobStoreHarness() = default;
  virtual BlobStore& store() = 0;
  virtual std::string expected_kind() const = 0;
  /// Whether the backend holds an object for `key`: the file on disk, or the name in an s3rver
  /// listing.
  virtual bool backend_has(const BlobKey& key) = 0;
};

std::unique_ptr<BlobStoreHarness> make_local_harness();
std::unique_ptr<BlobStoreHarness> make_s3_harness(bool path_style);

/// One s3rver for this test binary, started on first use and stopped at exit.
S3rverServer& shared_s3rver();
/// S3RVER credentials; the secret is a canary that must never show up in logs or errors (s3rver
/// accepts any secret).
S3BlobStoreOptions s3rver_options(const std::string& endpoint, const std::string& bucket);
/// "<tag>-<pid>-<n>/": a key prefix no other test in this process uses.
std::string unique_prefix(const std::string& tag);

inline constexpr std::string_view kSecretCanary = "CANARY-s3-secret-7f3a9c1e5b";
inline constexpr std::uint64_t kMiB = std::uint64_t{1024} * 1024;

/// `size` bytes that repeat no short pattern, varied by `seed`.
std::string pseudo_random_bytes(std::size_t size, unsigned seed);
void write_file(const std::filesystem::path& path, const std::string& content);
std::string read_file(const std::filesystem::path& path);

}  // namespace personae::testing

#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/blob/s3_protocol.hpp"
#include "adapters/http_client/http_client.hpp"
#include "adapters/http_client/retry.hpp"
#include "ports/blob_store.hpp"

namespace personae {

/// Settings of S3BlobStore; the comment names each one's configuration key.
struct S3BlobStoreOptions {
  /// `blob.s3.endpoint`: scheme, host and port, e.g. "https://s3.eu-west-1.amazonaws.com" or
  /// "http://minio:9000".
  std::string endpoint;
  /// `blob.s3.bucket`: an existing bucket (the store never creates one).
  std::string bucket;
  /// `blob.s3.region`: the signing region ("us-east-1" for MinIO unless configured otherwise).
  std::string region = "us-east-1";
  /// `blob.s3.access_key` and `blob.s3.secret_key` (or `blob.s3.secret_key_file`). The secret goes
  /// to libcurl's signer only: never into logs or errors.
  std::string access_key;
  std::string secret_key;
  /// `blob.s3.path_style`: true for `<endpoint>/<bucket>/<object>` (MinIO, most compatible servers),
  /// false for `<bucket>.<endpoint host>/<object>` (AWS).
  bool path_style = true;
  /// `blob.s3.prefix`: prepended to every object name ("personae/"); [A-Za-z0-9/_.-], at most 256.
  std::string prefix;
  /// `blob.s3.part_size`: bytes per multipart part; S3 allows 5 MiB to 5 GiB (the last part may be
  /// smaller). Grown automatically when a file would need more than 10,000 parts.
  std::uint64_t part_size = 8ULL * 1024 * 1024;
  /// `blob.s3.multipart_threshold`: objects larger than this are uploaded in parts; at most 5 GiB
  /// (S3's limit for one PUT).
  std::uint64_t multipart_threshold = 16ULL * 1024 * 1024;
  /// `blob.s3.timeout`: the longest one request may take, connecting and the body included.
  std::chrono::milliseconds timeout{60'000};
  std::chrono::milliseconds connect_timeout{5'000};
  /// `blob.s3.max_attempts`: tries per request (1 = no retry), with full-jitter backoff between.
  int max_attempts = 4;
  std::chrono::milliseconds retry_base_delay{200};
  std::chrono::milliseconds retry_max_delay{5'000};
  /// get() holds the object in memory: larger objects fail (use get_to_file()).
  std::uint64_t max_get_bytes = 64ULL * 1024 * 1024;
};

/// Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW), as "<prefix><tenant>/<sha256>".
/// Every request is signed with SigV4 and carries `x-amz-content-sha256` with the payload's real
/// hash (never UNSIGNED-PAYLOAD), so S3 refuses a body that differs from what was hashed.
///
/// put: hash the source (one read), HEAD the object and skip the upload when it is already there
/// with the same size; otherwise one PUT, or above `multipart_threshold` a multipart upload
/// (CreateMultipartUpload, UploadPart each retried, CompleteMultipartUpload, whose 200-with-<Error>
/// answer is handled). Any failure after the upload was created aborts it
/// (AbortMultipartUpload), so no part is kept and nothing becomes visible; the error names the
/// step. Reads check the bytes against the key's hash: a damaged object is kInternal, never served.
///
/// Errors: NoSuchKey is kNotFound; transport failures, timeouts, 5xx after the retries, NoSuchBucket,
/// AccessDenied, SignatureDoesNotMatch, other S3 errors and malformed answers are kUnavailable,
/// with a detail (for logs) naming the S3 operation, the object, the status and the S3 error code.
///
/// Thread-safe.
class S3BlobStore final : public BlobStore {
 public:
  /// Validates the options; throws ConfigError naming the `blob.s3.*` key at fault. Makes no
  /// request (check() does). Uses an HTTP client of its own (TLS checked against the system CAs).
  explicit S3BlobStore(S3BlobStoreOptions options, const outbound::RetryEnvironment& retry_environment = {});
  /// The same, sharing `client` (and its pooled connections) with other adapters; `client` must
  /// outlive the store.
  S3BlobStore(S3BlobStoreOptions options, outbound::HttpClient& client,
              const outbound::RetryEnvironment& retry_environment = {});

  BlobInfo put_file(const std::string& tenant_id, const std::filesystem::path& source) override;
  BlobInfo put_bytes(const std::string& tenant_id, std::string_view bytes) override;
  std::string get(const BlobKey& key) override;
  void get_to_file(const BlobKey& key, const std::filesystem::path& destination) override;
  std::optional<BlobInfo> stat(const BlobKey& key) override;
  void remove(const BlobKey& key) override;
  std::string_view kind() const override { return "s3"; }
  /// ListObjectsV2 with max-keys=0 on the bucket, one attempt: proves the endpoint answers, the
  /// bucket exists and the credentials are accepted.
  void check() override;

  /// "<prefix><tenant>/<sha256>" for a valid key.
  std::string object_name(const BlobKey& key) const;
  const s3::Addressing& addressing() const { return addressing_; }

 private:
  struct Source;
  S3BlobStore(S3BlobStoreOptions options, std::unique_ptr<outbound::HttpClient> own_client,
              outbound::HttpClient* shared_client, const outbound::RetryEnvironment& retry_environment);
  BlobInfo put(const std::string& tenant_id, const Source& source);
  void put_single(const BlobKey& key, const Source& source);
  void put_multipart(const BlobKey& key, const Source& source);
  outbound::Request request(std::string method, std::string url, std::string payload_sha256) const;
  std::optional<BlobInfo> head(const BlobKey& key, int attempts);

  S3BlobStoreOptions options_;
  std::unique_ptr<outbound::HttpClient> own_client_;
  outbound::HttpClient& client_;
  s3::Addressing addressing_;
  outbound::Retrier retrier_;
  outbound::Retrier single_try_;
};

}  // namespace personae

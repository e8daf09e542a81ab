#include "adapters/blob/s3_blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <limits>
#include <system_error>
#include <utility>
#include <vector>

#include "adapters/blob/blob_files.hpp"
#include "adapters/blob/blob_key_checks.hpp"
#include "core/crypto.hpp"
#include "core/text_encoding.hpp"
#include "observability/log.hpp"

namespace personae {
namespace {

using blob_files::kUnavailableMessage;
using outbound::Request;
using outbound::Response;

constexpr std::uint64_t kMiB = 1024ULL * 1024;
constexpr std::uint64_t kMinPartSize = 5 * kMiB;
constexpr std::uint64_t kMaxPartSize = 5ULL * 1024 * kMiB;
constexpr std::uint64_t kMaxParts = 10'000;
// The SHA-256 of nothing: the payload hash of requests without a body.
constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// S3 answers (errors, upload ids, listings with max-keys=0) are small.
constexpr std::uint64_t kMaxAnswerBytes = 1 * kMiB;

bool valid_prefix(std::string_view prefix) {
  if (prefix.size() > 256) return false;
  if (!std::all_of(prefix.begin(), prefix.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
               c == '_' || c == '.' || c == '-';
      })) {
    return false;
  }
  if (!prefix.empty() && prefix.front() == '/') return false;
  // No empty, "." or ".." segments: servers would normalise them away.
  std::size_t start = 0;
  while (start < prefix.size()) {
    const auto end = prefix.find('/', start);
    const auto segment =
        prefix.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (end != std::string_view::npos && (segment.empty() || segment == "." || segment == "..")) return false;
    if (end == std::string_view::npos && (segment == "." || segment == "..")) return false;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return true;
}

bool valid_region(std::string_view region) {
  return !region.empty() && region.size() <= 64 && std::all_of(region.begin(), region.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

S3BlobStoreOptions validated(S3BlobStoreOptions options) {
  if (!valid_region(options.region))
    throw ConfigError("blob.s3.region: expected a region name such as eu-west-1");
  if (options.access_key.empty()) throw ConfigError("blob.s3.access_key: must be set");
  if (options.secret_key.empty())
    throw ConfigError("blob.s3.secret_key: must be set (or blob.s3.secret_key_file)");
  if (!valid_prefix(options.prefix)) {
    throw ConfigError(
        "blob.s3.prefix: expected at most 256 characters of A-Z a-z 0-9 / _ . - without empty, '.' or '..' "
        "segments");
  }
  if (options.part_size < kMinPartSize || options.part_size > kMaxPartSize) {
    throw ConfigError("blob.s3.part_size: S3 needs 5 MiB to 5 GiB (5242880 to 5368709120 bytes)");
  }
  if (options.multipart_threshold == 0 || options.multipart_threshold > kMaxPartSize) {
    throw ConfigError("blob.s3.multipart_threshold: expected 1 byte to 5 GiB (S3's limit for one PUT)");
  }
  if (options.timeout <= std::chrono::milliseconds(0) ||
      options.connect_timeout <= std::chrono::milliseconds(0)) {
    throw ConfigError("blob.s3.timeout: must be positive");
  }
  if (options.max_attempts < 1 || options.max_attempts > 20)
    throw ConfigError("blob.s3.max_attempts: expected 1 to 20");
  if (options.max_get_bytes == 0) throw ConfigError("blob.s3: max_get_bytes must be positive");
  return options;
}

std::string truncated(std::string text, std::size_t limit = 300) {
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  return text;
}

[[noreturn]] void fail(std::string_view step, const std::string& object, const Error& error) {
  // Whatever went wrong on the way (refused, timed out, 5xx after the retries), the storage is
  // unavailable to the caller; the detail keeps the exact cause for the logs.
  throw AppError(Error{ErrorCode::kUnavailable, std::string(kUnavailableMessage),
                       "S3 " + std::string(step) + " " + object + ": " + error.detail, error.retry_after});
}

[[noreturn]] void fail_malformed(std::string_view step, const std::string& object, std::string_view what) {
  throw AppError(ErrorCode::kUnavailable, std::string(kUnavailableMessage),
                 "S3 " + std::string(step) + " " + object + ": malformed answer (" + std::string(what) + ")");
}

/// Throws the AppError for an unexpected S3 status, from its XML error document when there is one.
[[noreturn]] void fail_response(std::string_view step, const std::string& object, const Response& response) {
  std::string detail = "S3 " + std::string(step) + " " + object + ": HTTP " + std::to_string(response.status);
  ErrorCode code = ErrorCode::kUnavailable;
  if (const auto document = s3::parse_error(response.body)) {
    detail += " " + truncated(document->code) + ": " + truncated(document->message);
    if (document->code == "NoSuchKey") {
      code = ErrorCode::kNotFound;
    } else if (document->code == "NoSuchBucket") {
      detail += " (the bucket in blob.s3.bucket does not exist)";
    } else if (document->code == "AccessDenied" || document->code == "SignatureDoesNotMatch" ||
               document->code == "InvalidAccessKeyId") {
      detail += " (check blob.s3.access_key, blob.s3.secret_key, blob.s3.region and the bucket policy)";
    }
  } else if (!response.body.empty()) {
    detail += " (malformed answer: not an S3 error document)";
  } else if (response.status == 403) {
    detail += " (access denied: check the credentials and the bucket policy)";
  }
  const std::string message =
      code == ErrorCode::kNotFound ? "The object does not exist." : std::string(kUnavailableMessage);
  throw AppError(code, message, detail);
}

[[noreturn]] void throw_corrupt(const BlobKey& key, const std::string& actual) {
  throw AppError(ErrorCode::kInternal, "The stored object is damaged.",
                 "S3 GetObject " + key.to_string() + ": the bytes hash to " + actual);
}

std::optional<std::uint64_t> parse_size(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  std::uint64_t value = 0;
  const auto* end = text->data() + text->size();
  const auto [ptr, error] = std::from_chars(text->data(), end, value);
  if (error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

outbound::RetryPolicy retry_policy(int attempts, const S3BlobStoreOptions& options) {
  outbound::RetryPolicy policy;
  policy.max_attempts = attempts;
  policy.base_delay = options.retry_base_delay;
  policy.max_delay = options.retry_max_delay;
  return policy;
}

}  // namespace

/// What put() uploads: a file or bytes in memory, with the hashes computed in one read.
struct S3BlobStore::Source {
  std::optional<std::filesystem::path> file;
  std::string_view bytes;
  std::uint64_t size = 0;
  std::string sha256;
  std::uint64_t part_size = 0;
  std::vector<std::string> part_sha256;  ///< filled when the upload is multipart

  std::variant<std::monostate, std::string, outbound::FileRange> body(std::uint64_t offset,
                                                                      std::uint64_t length) const {
    if (file) return outbound::FileRange{*file, offset, length};
    return std::string(bytes.substr(offset, length));
  }
  std::uint64_t part_count() const { return part_sha256.size(); }
};

S3BlobStore::S3BlobStore(S3BlobStoreOptions options, const outbound::RetryEnvironment& retry_environment)
    : S3BlobStore(std::move(options), std::make_unique<outbound::HttpClient>(), nullptr, retry_environment) {}

S3BlobStore::S3BlobStore(S3BlobStoreOptions options, outbound::HttpClient& client,
                         const outbound::RetryEnvironment& retry_environment)
    : S3BlobStore(std::move(options), nullptr, &client, retry_environment) {}

S3BlobStore::S3BlobStore(S3BlobStoreOptions options, std::unique_ptr<outbound::HttpClient> own_client,
                         outbound::HttpClient* shared_client,
                         const outbound::RetryEnvironment& retry_environment)
    : options_(validated(std::move(options))),
      own_client_(std::move(own_client)),
      client_(shared_client != nullptr ? *shared_client : *own_client_),
      addressing_(options_.endpoint, options_.bucket, options_.path_style),
      retrier_(retry_policy(options_.max_attempts, options_), retry_environment),
      single_try_(retry_policy(1, options_), retry_environment) {}

std::string S3BlobStore::object_name(const BlobKey& key) const {
  blob_checks::require_valid(key);
  return options_.prefix + key.tenant_id + "/" + key.sha256;
}

Request S3BlobStore::request(std::string method, std::string url, std::string payload_sha256) const {
  Request request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers = {{"x-amz-content-sha256", std::move(payload_sha256)}};
  request.timeout = options_.timeout;
  request.connect_timeout = options_.connect_timeout;
  request.max_response_bytes = kMaxAnswerBytes;
  request.aws_sigv4 = outbound::AwsSigV4{options_.region, "s3", options_.access_key, options_.secret_key};
  // Every S3 call made here may be repeated safely: objects are content-addressed, parts are
  // numbered, and a repeated Complete or Abort is reconciled below.
  request.idempotent = true;
  return request;
}

BlobInfo S3BlobStore::put_file(const std::string& tenant_id, const std::filesystem::path& source_path) {
  blob_checks::require_valid_tenant(tenant_id);
  const int fd = ::open(source_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) blob_files::throw_io(ErrorCode::kInternal, "open source", source_path, errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) blob_files::throw_io(ErrorCode::kInternal, "stat source", source_path, errno);
  if (!S_ISREG(info.st_mode))
    blob_files::throw_io(ErrorCode::kInternal, "source is not a regular file:", source_path, EINVAL);

  Source source;
  source.file = source_path;
  source.size = static_cast<std::uint64_t>(info.st_size);
  const bool multipart = source.size > options_.multipart_threshold;
  if (multipart) {
    // Parts of at least part_size, and no more than S3's 10,000 of them (rounded to whole MiB).
    const std::uint64_t needed = (source.size + kMaxParts - 1) / kMaxParts;
    source.part_size = std::max(options_.part_size, (needed + kMiB - 1) / kMiB * kMiB);
  }

  // One read computes the object's hash and, for multipart, each part's payload hash.
  Sha256Stream whole;
  Sha256Stream part;
  std::uint64_t in_part = 0;
  std::uint64_t total = 0;
  std::string buffer(1 * kMiB, '\0');
  while (true) {
    const auto n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) blob_files::throw_io(ErrorCode::kInternal, "read", source_path, errno);
    if (n == 0) break;
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
    whole.update(chunk);
    total += chunk.size();
    while (multipart && !chunk.empty()) {
      const auto take =
          static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), source.part_size - in_part));
      part.update(chunk.substr(0, take));
      in_part += take;
      chunk.remove_prefix(take);
      if (in_part == source.part_size) {
        source.part_sha256.push_back(part.finish_hex());
        in_part = 0;
      }
    }
  }
  if (total != source.size) {
    throw AppError(ErrorCode::kInternal, "The upload could not be read.",
                   "S3 put: " + source_path.string() + " changed size while being read");
  }
  if (multipart && in_part > 0) source.part_sha256.push_back(part.finish_hex());
  source.sha256 = whole.finish_hex();
  return put(tenant_id, source);
}

BlobInfo S3BlobStore::put_bytes(const std::string& tenant_id, std::string_view bytes) {
  blob_checks::require_valid_tenant(tenant_id);
  Source source;
  source.bytes = bytes;
  source.size = bytes.size();
  source.sha256 = sha256_hex(bytes);
  if (source.size > options_.multipart_threshold) {
    const std::uint64_t needed = (source.size + kMaxParts - 1) / kMaxParts;
    source.part_size = std::max(options_.part_size, (needed + kMiB - 1) / kMiB * kMiB);
    for (std::uint64_t offset = 0; offset < source.size; offset += source.part_size) {
      source.part_sha256.push_back(sha256_hex(bytes.substr(offset, source.part_size)));
    }
  }
  return put(tenant_id, source);
}

BlobInfo S3BlobStore::put(const std::string& tenant_id, const Source& source) {
  BlobKey key{tenant_id, source.sha256};
  // Content addressing: the same bytes are already there when an object of that name and size is.
  // (A different size means a damaged object, which the upload replaces.)
  if (const auto existing = head(key, options_.max_attempts); existing && existing->size == source.size) {
    return BlobInfo{std::move(key), source.size};
  }
  if (source.part_sha256.empty()) {
    put_single(key, source);
  } else {
    put_multipart(key, source);
  }
  return BlobInfo{std::move(key), source.size};
}

void S3BlobStore::put_single(const BlobKey& key, const Source& source) {
  const std::string name = object_name(key);
  Request put = request("PUT", addressing_.object_url(name), source.sha256);
  put.headers.emplace_back("Content-Type", "application/octet-stream");
  put.body = source.body(0, source.size);
  const auto result = retrier_.send(client_, put, "S3 PutObject");
  if (!result) fail("PutObject", name, result.error());
  if (result->status != 200) fail_response("PutObject", name, *result);
}

void S3BlobStore::put_multipart(const BlobKey& key, const Source& source) {
  const std::string name = object_name(key);
  Request create = request("POST", addressing_.object_url(name, "uploads="), std::string(kEmptySha256));
  create.headers.emplace_back("Content-Type", "application/octet-stream");
  const auto created = retrier_.send(client_, create, "S3 CreateMultipartUpload");
  if (!created) fail("CreateMultipartUpload", name, created.error());
  if (created->status != 200) fail_response("CreateMultipartUpload", name, *created);
  const auto upload_id = s3::parse_upload_id(created->body);
  if (!upload_id) fail_malformed("CreateMultipartUpload", name, "no UploadId");
  const std::string id_query = "uploadId=" + percent_encode(*upload_id);

  try {
    std::vector<std::string> etags;
    const auto count = source.part_count();
    for (std::uint64_t number = 1; number <= count; ++number) {
      const std::uint64_t offset = (number - 1) * source.part_size;
      const std::uint64_t length = std::min(source.part_size, source.size - offset);
      const std::string step = "UploadPart " + std::to_string(number) + "/" + std::to_string(count);
      Request part = request(
          "PUT", addressing_.object_url(name, "partNumber=" + std::to_string(number) + "&" + id_query),
          source.part_sha256[number - 1]);
      part.body = source.body(offset, length);
      const auto result = retrier_.send(client_, part, "S3 UploadPart");
      if (!result) fail(step, name, result.error());
      if (result->status != 200) fail_response(step, name, *result);
      const auto etag = result->header("ETag");
      if (!etag || etag->empty()) fail_malformed(step, name, "no ETag");
      etags.push_back(*etag);
    }

    const std::string body = s3::complete_multipart_body(etags);
    Request complete = request("POST", addressing_.object_url(name, id_query), sha256_hex(body));
    complete.headers.emplace_back("Content-Type", "application/xml");
    complete.body = body;
    const auto done = retrier_.run<bool>("S3 CompleteMultipartUpload", [&]() -> outbound::Outcome<bool> {
      auto attempt = client_.attempt(complete);
      if (!attempt.result)
        return {tl::unexpected(attempt.result.error()), outbound::retryable(complete, attempt)};
      const Response& response = *attempt.result;
      if (response.status == 200) {
        const auto answer = s3::parse_complete_answer(response.body);
        if (answer.kind == s3::CompleteAnswer::Kind::kCompleted) return {true, false};
        if (answer.kind == s3::CompleteAnswer::Kind::kError) {
          // S3 documents this 200 + <Error> as a failure to retry (InternalError, SlowDown).
          return {tl::unexpected(Error{ErrorCode::kUnavailable, std::string(kUnavailableMessage),
                                       "HTTP 200 with error " + truncated(answer.error.code) + ": " +
                                           truncated(answer.error.message)}),
                  true};
        }
        return {tl::unexpected(Error{ErrorCode::kUnavailable, std::string(kUnavailableMessage),
                                     "HTTP 200 with a malformed answer"}),
                false};
      }
      const auto document = s3::parse_error(response.body);
      if (document && document->code == "NoSuchUpload") {
        // An earlier attempt (ours, or libcurl resending on a dead kept-alive connection) completed
        // it but its answer was lost: the object says so. Equal name and size mean equal bytes.
        if (const auto stored = head(key, 1); stored && stored->size == source.size) return {true, false};
      }
      try {
        fail_response("CompleteMultipartUpload", name, response);
      } catch (const AppError& error) {
        return {tl::unexpected(error.error()), false};
      }
    });
    if (!done) {
      const auto& error = done.error();
      // Errors built from a response already name the step; transport errors do not yet.
      if (error.detail.rfind("S3 ", 0) == 0) throw AppError(error);
      fail("CompleteMultipartUpload", name, error);
    }
  } catch (...) {
    // Nothing partial may stay: S3 keeps (and bills) parts until the upload is aborted.
    Request abort = request("DELETE", addressing_.object_url(name, id_query), std::string(kEmptySha256));
    const auto aborted = retrier_.send(client_, abort, "S3 AbortMultipartUpload");
    if (!aborted || (aborted->status != 204 && aborted->status != 200 && aborted->status != 404)) {
      log::warn("S3 multipart upload not aborted; its parts stay until a lifecycle rule removes them",
                {{"object", name},
                 {"detail", aborted ? "HTTP " + std::to_string(aborted->status) : aborted.error().detail}});
    }
    throw;
  }
}

std::optional<BlobInfo> S3BlobStore::head(const BlobKey& key, int attempts) {
  const std::string name = object_name(key);
  const Request call = request("HEAD", addressing_.object_url(name), std::string(kEmptySha256));
  const auto result = (attempts > 1 ? retrier_ : single_try_).send(client_, call, "S3 HeadObject");
  if (!result) fail("HeadObject", name, result.error());
  if (result->status == 404) return std::nullopt;
  if (result->status != 200) fail_response("HeadObject", name, *result);
  const auto size = parse_size(result->header("Content-Length"));
  if (!size) fail_malformed("HeadObject", name, "no Content-Length");
  return BlobInfo{key, *size};
}

std::string S3BlobStore::get(const BlobKey& key) {
  const std::string name = object_name(key);
  Request call = request("GET", addressing_.object_url(name), std::string(kEmptySha256));
  call.max_response_bytes = options_.max_get_bytes;
  auto result = retrier_.send(client_, call, "S3 GetObject");
  if (!result) fail("GetObject", name, result.error());
  if (result->status != 200) fail_response("GetObject", name, *result);
  if (const auto actual = sha256_hex(result->body); actual != key.sha256) throw_corrupt(key, actual);
  return std::move(result->body);
}

void S3BlobStore::get_to_file(const BlobKey& key, const std::filesystem::path& destination) {
  const std::string name = object_name(key);
  try {
    const auto folder = destination.parent_path();
    blob_files::TempFile temp(folder.empty() ? std::filesystem::path(".") : folder, ".personae-", ".part");
    std::optional<Sha256Stream> hash;
    std::optional<AppError> write_error;
    Request call = request("GET", addressing_.object_url(name), std::string(kEmptySha256));
    call.max_response_bytes = std::numeric_limits<std::uint64_t>::max();  // streamed to disk, not memory
    call.on_body = [&](std::string_view chunk) {
      try {
        hash->update(chunk);
        temp.write(chunk);
        return true;
      } catch (const AppError& error) {
        write_error = error;  // exceptions must not cross libcurl's callbacks
        return false;
      }
    };
    const auto result = retrier_.run<Response>("S3 GetObject", [&]() -> outbound::Outcome<Response> {
      // A retry starts the file over.
      temp.truncate();
      hash.emplace();
      auto attempt = client_.attempt(call);
      const bool again = outbound::retryable(call, attempt);
      return {std::move(attempt.result), again};
    });
    if (write_error) throw AppError(write_error->error());
    if (!result) fail("GetObject", name, result.error());
    if (result->status != 200) fail_response("GetObject", name, *result);
    if (const auto actual = hash->finish_hex(); actual != key.sha256) throw_corrupt(key, actual);
    temp.commit_to(destination);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(destination, ignored);
    throw;
  }
}

std::optional<BlobInfo> S3BlobStore::stat(const BlobKey& key) {
  return head(key, options_.max_attempts);
}

void S3BlobStore::remove(const BlobKey& key) {
  const std::string name = object_name(key);
  const Request call = request("DELETE", addressing_.object_url(name), std::string(kEmptySha256));
  const auto result = retrier_.send(client_, call, "S3 DeleteObject");
  if (!result) fail("DeleteObject", name, result.error());
  if (result->status == 204 || result->status == 200) return;
  if (result->status == 404) {
    const auto document = s3::parse_error(result->body);
    if (!document || document->code == "NoSuchKey") return;  // already gone
  }
  fail_response("DeleteObject", name, *result);
}

void S3BlobStore::check() {
  const Request list =
      request("GET", addressing_.bucket_url("list-type=2&max-keys=0"), std::string(kEmptySha256));
  const auto result = single_try_.send(client_, list, "S3 ListObjectsV2");
  const std::string what = "bucket " + addressing_.bucket();
  if (!result) fail("ListObjectsV2", what, result.error());
  if (result->status != 200) fail_response("ListObjectsV2", what, *result);
  if (s3::root_element(result->body) != std::optional<std::string>("ListBucketResult")) {
    fail_malformed("ListObjectsV2", what, "not a ListBucketResult");
  }
}

}  // namespace personae

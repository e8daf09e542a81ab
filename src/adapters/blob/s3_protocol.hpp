#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The pieces of the S3 REST protocol the S3 blob store needs, apart from any I/O so that they
/// are tested alone: addressing (path or virtual-host style) and the XML documents.
namespace personae::s3 {

/// An S3 `<Error><Code>…</Code><Message>…</Message></Error>` answer.
struct ErrorDocument {
  std::string code;
  std::string message;
};

/// The error document in `body`; nullopt when the body is not well-formed XML with an <Error> root.
std::optional<ErrorDocument> parse_error(std::string_view body);

/// The name of the root element; nullopt when `body` is not well-formed XML.
std::optional<std::string> root_element(std::string_view body);

/// The UploadId of an <InitiateMultipartUploadResult>; nullopt when absent, empty or malformed.
std::optional<std::string> parse_upload_id(std::string_view body);

/// The <CompleteMultipartUpload> request body for parts 1..n with these ETags (XML-escaped).
std::string complete_multipart_body(const std::vector<std::string>& etags);

/// What a 200 answer to CompleteMultipartUpload says: S3 may answer 200 and then an <Error>
/// (the connection is kept alive with whitespace while parts are assembled).
struct CompleteAnswer {
  enum class Kind { kCompleted, kError, kMalformed };
  Kind kind = Kind::kMalformed;
  ErrorDocument error;
};
CompleteAnswer parse_complete_answer(std::string_view body);

/// Whether `name` follows the S3 bucket naming rules: 3-63 characters of [a-z0-9.-], starting and
/// ending with a letter or digit, no "..", not shaped like an IP address.
bool valid_bucket_name(std::string_view name);

/// Request URLs for one bucket. Path style: `<scheme>://<host>/<bucket>/<object>` (MinIO and most
/// S3-compatible servers). Virtual-host style: `<scheme>://<bucket>.<host>/<object>` (AWS's
/// preferred form; needs a DNS name, not an IP address). Object names are made by the store from
/// validated keys and a validated prefix, so they need no escaping.
class Addressing {
 public:
  /// Throws ConfigError naming `blob.s3.endpoint` or `blob.s3.bucket` for unusable values: a
  /// scheme other than http/https, user info, a path, query or fragment, an invalid bucket name,
  /// or virtual-host style on an IP address.
  Addressing(std::string_view endpoint, std::string bucket, bool path_style);

  /// The bucket itself, with an optional query ("list-type=2&max-keys=0").
  std::string bucket_url(std::string_view query = {}) const;
  /// One object, with an optional query ("uploadId=…").
  std::string object_url(std::string_view object_name, std::string_view query = {}) const;

  const std::string& bucket() const { return bucket_; }

 private:
  std::string scheme_;
  std::string host_;  ///< with ":port" when the endpoint names one
  std::string bucket_;
  bool path_style_;
};

}  // namespace personae::s3

#include "adapters/blob/s3_protocol.hpp"

#include <pugixml.hpp>

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace personae::s3 {
namespace {

TEST(S3Xml, ParsesErrorDocuments) {
  const auto error = parse_error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key "
      "does not "
      "exist.</Message><Key>t/abc</Key><RequestId>1</RequestId></Error>");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "NoSuchKey");
  EXPECT_EQ(error->message, "The specified key does not exist.");
  EXPECT_FALSE(parse_error(""));
  EXPECT_FALSE(parse_error("<html><body>502 Bad Gateway</body></html>"));
  EXPECT_FALSE(parse_error("<Error><Code>NoSuchKey</Code>"));  // truncated
  EXPECT_FALSE(parse_error("not xml at all"));
}

TEST(S3Xml, ParsesTheUploadIdOfAnInitiatedUpload) {
  EXPECT_EQ(
      parse_upload_id("<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                      "<Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE.-_x</UploadId>"
                      "</InitiateMultipartUploadResult>"),
      "VXBsb2FkIElE.-_x");
  EXPECT_FALSE(parse_upload_id(
      "<InitiateMultipartUploadResult><UploadId></UploadId></InitiateMultipartUploadResult>"));
  EXPECT_FALSE(parse_upload_id("<Error><Code>AccessDenied</Code></Error>"));
  EXPECT_FALSE(parse_upload_id("<InitiateMultipartUploadResult><UploadId>x"));
}

TEST(S3Xml, BuildsTheCompleteRequestWithPartsInOrderAndEscapedEtags) {
  const std::string body = complete_multipart_body({"\"etag-1\"", "\"a&b<c>\""});
  pugi::xml_document document;
  ASSERT_TRUE(document.load_string(body.c_str()));
  const auto root = document.child("CompleteMultipartUpload");
  ASSERT_TRUE(root);
  auto part = root.child("Part");
  EXPECT_EQ(part.child("PartNumber").text().as_int(), 1);
  EXPECT_STREQ(part.child("ETag").text().as_string(), "\"etag-1\"");
  part = part.next_sibling("Part");
  EXPECT_EQ(part.child("PartNumber").text().as_int(), 2);
  EXPECT_STREQ(part.child("ETag").text().as_string(), "\"a&b<c>\"");
  EXPECT_FALSE(part.next_sibling("Part"));
}

TEST(S3Xml, TellsACompletedUploadFromA200WithAnError) {
  EXPECT_EQ(parse_complete_answer(
                "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>")
                .kind,
            CompleteAnswer::Kind::kCompleted);
  // S3 keeps the connection alive with whitespace before the document.
  const auto error = parse_complete_answer(
      "   \n  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>We "
      "encountered an "
      "internal error. Please try again.</Message></Error>");
  EXPECT_EQ(error.kind, CompleteAnswer::Kind::kError);
  EXPECT_EQ(error.error.code, "InternalError");
  EXPECT_EQ(parse_complete_answer("").kind, CompleteAnswer::Kind::kMalformed);
  EXPECT_EQ(parse_complete_answer("<Other/>").kind, CompleteAnswer::Kind::kMalformed);
  EXPECT_EQ(parse_complete_answer("<CompleteMultipartUploadResult>").kind, CompleteAnswer::Kind::kMalformed);
}

TEST(S3Xml, ReadsTheRootElement) {
  EXPECT_EQ(root_element("<ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>"), "ListBucketResult");
  EXPECT_FALSE(root_element("{\"json\":true}"));
}

TEST(S3BucketName, FollowsTheNamingRules) {
  for (const char* good : {"abc", "personae-media", "my.bucket.01", "a1b"})
    EXPECT_TRUE(valid_bucket_name(good)) << good;
  for (const char* bad :
       {"", "ab", "UPPER", "-start", "end-", "two..dots", "under_score", "192.168.1.1", "a/b", "a b"}) {
    EXPECT_FALSE(valid_bucket_name(bad)) << bad;
  }
  EXPECT_FALSE(valid_bucket_name(std::string(64, 'a')));
}

TEST(S3Addressing, BuildsPathStyleUrls) {
  const Addressing addressing("http://127.0.0.1:9000", "media", true);
  EXPECT_EQ(addressing.bucket_url("list-type=2&max-keys=0"),
            "http://127.0.0.1:9000/media?list-type=2&max-keys=0");
  EXPECT_EQ(addressing.object_url("p/t1/abc"), "http://127.0.0.1:9000/media/p/t1/abc");
  EXPECT_EQ(addressing.object_url("t1/abc", "uploadId=x"), "http://127.0.0.1:9000/media/t1/abc?uploadId=x");
  EXPECT_EQ(Addressing("https://minio.internal/", "media", true).object_url("t/a"),
            "https://minio.internal/media/t/a");
}

TEST(S3Addressing, BuildsVirtualHostUrls) {
  const Addressing aws("https://s3.eu-west-1.amazonaws.com", "personae-media", false);
  EXPECT_EQ(aws.bucket_url("list-type=2&max-keys=0"),
            "https://personae-media.s3.eu-west-1.amazonaws.com/?list-type=2&max-keys=0");
  EXPECT_EQ(aws.object_url("t1/abc", "uploads="),
            "https://personae-media.s3.eu-west-1.amazonaws.com/t1/abc?uploads=");
  const Addressing with_port("http://s3.localhost:9000", "media", false);
  EXPECT_EQ(with_port.object_url("t1/abc"), "http://media.s3.localhost:9000/t1/abc");
}

TEST(S3Addressing, RefusesUnusableEndpointsAndBuckets) {
  EXPECT_THROW(Addressing("ftp://host", "media", true), ConfigError);
  EXPECT_THROW(Addressing("host:9000", "media", true), ConfigError);
  EXPECT_THROW(Addressing("http://user:pass@host:9000", "media", true), ConfigError);
  EXPECT_THROW(Addressing("http://host:9000/base", "media", true), ConfigError);
  EXPECT_THROW(Addressing("http://host:9000/?x=1", "media", true), ConfigError);
  EXPECT_THROW(Addressing("http://host:9000", "Media", true), ConfigError);
  EXPECT_THROW(Addressing("http://127.0.0.1:9000", "media", false), ConfigError);
  try {
    const Addressing refused("http://host", "x", true);
    FAIL() << refused.bucket();
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("blob.s3.bucket"), std::string::npos);
  }
}

}  // namespace
}  // namespace personae::s3

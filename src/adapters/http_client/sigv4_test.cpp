// libcurl signs S3 requests (CURLOPT_AWS_SIGV4); s3rver does not check signatures, so these tests
// recompute each signature with an independent implementation of the AWS SigV4 specification and
// compare. The verifier itself is first checked against AWS's published S3 examples.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/http_client/http_client.hpp"
#include "core/crypto.hpp"
#include "core/text_encoding.hpp"
#include "tests/support/fake_http_server.hpp"

namespace personae::outbound {
namespace {

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &size);
  return {reinterpret_cast<const char*>(digest.data()), size};
}

std::string aws_encode(std::string_view text) {
  // AWS: every byte but A-Z a-z 0-9 - _ . ~ as %XY (uppercase).
  return percent_encode(text);
}

/// The canonical query string: each name and value decoded then encoded, sorted by name, value.
std::string canonical_query(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> parameters;
  std::stringstream stream(query);
  for (std::string item; std::getline(stream, item, '&');) {
    if (item.empty()) continue;
    const auto equals = item.find('=');
    const std::string name = *percent_decode(item.substr(0, equals));
    const std::string value = equals == std::string::npos ? "" : *percent_decode(item.substr(equals + 1));
    parameters.emplace_back(aws_encode(name), aws_encode(value));
  }
  std::sort(parameters.begin(), parameters.end());
  std::string result;
  for (const auto& [name, value] : parameters) {
    if (!result.empty()) result += '&';
    result.append(name).append("=").append(value);
  }
  return result;
}

struct SignedRequest {
  std::string method;
  std::string path;  ///< as sent (S3 does not encode it again)
  std::string query;
  std::map<std::string, std::string> headers;  ///< lowercase names
  std::string secret_key;
};

/// The value of "Signature=" that AWS would compute for `request`, given the Authorization
/// header's credential scope and signed header list.
std::string expected_signature(const SignedRequest& request, const std::string& authorization) {
  const auto field = [&](const std::string& name) {
    const auto start = authorization.find(name + "=");
    if (start == std::string::npos) return std::string();
    const auto end = authorization.find_first_of(", ", start);
    return authorization.substr(start + name.size() + 1,
                                end == std::string::npos ? std::string::npos : end - start - name.size() - 1);
  };
  const std::string credential = field("Credential");
  const std::string signed_headers = field("SignedHeaders");
  // Credential = ACCESS/DATE/REGION/SERVICE/aws4_request
  std::vector<std::string> scope_parts;
  std::stringstream scope_stream(credential);
  for (std::string part; std::getline(scope_stream, part, '/');) scope_parts.push_back(part);
  if (scope_parts.size() != 5) return "malformed credential";
  const std::string scope =
      scope_parts[1] + "/" + scope_parts[2] + "/" + scope_parts[3] + "/" + scope_parts[4];

  std::string canonical_headers;
  std::stringstream names(signed_headers);
  for (std::string name; std::getline(names, name, ';');) {
    const auto found = request.headers.find(name);
    canonical_headers += name + ":" + (found == request.headers.end() ? "" : found->second) + "\n";
  }
  const std::string canonical_request = request.method + "\n" + request.path + "\n" +
                                        canonical_query(request.query) + "\n" + canonical_headers + "\n" +
                                        signed_headers + "\n" + request.headers.at("x-amz-content-sha256");
  const std::string string_to_sign = "AWS4-HMAC-SHA256\n" + request.headers.at("x-amz-date") + "\n" + scope +
                                     "\n" + sha256_hex(canonical_request);
  std::string key = hmac_sha256("AWS4" + request.secret_key, scope_parts[1]);
  key = hmac_sha256(key, scope_parts[2]);
  key = hmac_sha256(key, scope_parts[3]);
  key = hmac_sha256(key, "aws4_request");
  return hex_encode(hmac_sha256(key, string_to_sign));
}

std::string provided_signature(const std::string& authorization) {
  const auto start = authorization.find("Signature=");
  return start == std::string::npos ? "" : authorization.substr(start + 10);
}

TEST(SigV4Verifier, MatchesAwsPublishedExamples) {
  // From the Amazon S3 API reference, "Signature Calculations for the Authorization Header".
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const std::string empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  SignedRequest get_object{"GET",
                           "/test.txt",
                           "",
                           {{"host", "examplebucket.s3.amazonaws.com"},
                            {"range", "bytes=0-9"},
                            {"x-amz-content-sha256", empty_hash},
                            {"x-amz-date", "20130524T000000Z"}},
                           secret};
  EXPECT_EQ(expected_signature(
                get_object,
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=x"),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");

  SignedRequest lifecycle{"GET",
                          "/",
                          "lifecycle",
                          {{"host", "examplebucket.s3.amazonaws.com"},
                           {"x-amz-content-sha256", empty_hash},
                           {"x-amz-date", "20130524T000000Z"}},
                          secret};
  EXPECT_EQ(expected_signature(
                lifecycle,
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                "SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=x"),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");

  SignedRequest list{"GET",
                     "/",
                     "max-keys=2&prefix=J",
                     {{"host", "examplebucket.s3.amazonaws.com"},
                      {"x-amz-content-sha256", empty_hash},
                      {"x-amz-date", "20130524T000000Z"}},
                     secret};
  EXPECT_EQ(expected_signature(
                list,
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                "SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=x"),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

/// Sends `method target` signed by libcurl to a fake server and checks the signature it received.
void expect_valid_signature(const std::string& method, const std::string& target, const std::string& body) {
  testing::FakeHttpServer server(testing::respond_with(200, ""));
  HttpClient client;
  Request request;
  request.method = method;
  request.url = server.url(target);
  if (!body.empty() || method == "PUT" || method == "POST") request.body = body;
  request.headers = {{"x-amz-content-sha256", sha256_hex(body)}};
  const std::string secret = "secret/with+special=chars";
  request.aws_sigv4 = AwsSigV4{"eu-central-1", "s3", "AKIDEXAMPLE", secret};
  ASSERT_TRUE(client.send(request));
  ASSERT_EQ(server.request_count(), 1U);
  const auto received = server.requests()[0];
  SignedRequest signed_request{received.method, received.path, received.query, {}, secret};
  for (const auto& [name, value] : received.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    signed_request.headers[lower] = value;
  }
  const std::string authorization = received.header("Authorization");
  ASSERT_EQ(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0), 0U) << authorization;
  EXPECT_NE(authorization.find("/eu-central-1/s3/aws4_request"), std::string::npos);
  EXPECT_NE(authorization.find("x-amz-content-sha256"), std::string::npos)
      << "the payload hash must be signed";
  EXPECT_EQ(provided_signature(authorization), expected_signature(signed_request, authorization))
      << method << " " << target << "\n"
      << authorization;
}

TEST(SigV4, LibcurlSignaturesMatchTheSpecificationForS3Requests) {
  expect_valid_signature("GET", "/bucket/tenant/abc", "");
  expect_valid_signature("HEAD", "/bucket/tenant/abc", "");
  expect_valid_signature("PUT", "/bucket/tenant/abc", "object bytes");
  expect_valid_signature("DELETE", "/bucket/tenant/abc", "");
  expect_valid_signature("GET", "/bucket?list-type=2&max-keys=0", "");
  expect_valid_signature("POST", "/bucket/tenant/abc?uploads=", "");
  expect_valid_signature("PUT", "/bucket/tenant/abc?partNumber=2&uploadId=0a1b2c", "part bytes");
  expect_valid_signature("POST", "/bucket/tenant/abc?uploadId=0a1b2c", "<CompleteMultipartUpload/>");
  expect_valid_signature("DELETE", "/bucket/tenant/abc?uploadId=0a1b2c", "");
}

}  // namespace
}  // namespace personae::outbound

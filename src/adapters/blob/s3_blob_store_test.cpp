// S3BlobStore against a scripted S3 (FakeHttpServer): error mapping, multipart corner cases and
// addressing that a real server cannot be made to show on demand. The shared behaviour runs
// against s3rver in tests/contract/blob.
#include "adapters/blob/s3_blob_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "core/crypto.hpp"
#include "core/error.hpp"
#include "tests/support/fake_http_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using testing::FakeExchange;
using testing::FakeHttpServer;
using testing::FakeRequest;

constexpr std::uint64_t kMiB = std::uint64_t{1024} * 1024;
constexpr std::string_view kSecret = "S3-SECRET-CANARY-d41d8cd98f00b204";

std::string error_xml(const std::string& code, const std::string& message = "message") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message +
         "</Message></Error>";
}

/// A small in-memory S3 for one bucket, path or virtual-host style. Like S3, it refuses a body
/// whose SHA-256 differs from x-amz-content-sha256 and requests that are not SigV4-signed.
/// `intercept` answers first when it returns true.
class MiniS3 {
 public:
  explicit MiniS3(std::string bucket) : bucket_(std::move(bucket)) {
    server_.set_handler(
        [this](const FakeRequest& request, FakeExchange& exchange) { handle(request, exchange); });
  }

  FakeHttpServer& server() { return server_; }
  std::function<bool(const FakeRequest&, FakeExchange&)> intercept;
  /// Completes that many multipart uploads without answering (the connection is closed instead).
  std::atomic<int> drop_complete_answers{0};

  bool has(const std::string& object) {
    const std::lock_guard lock(mutex_);
    return objects_.contains(object);
  }
  std::string object(const std::string& object) {
    const std::lock_guard lock(mutex_);
    return objects_.at(object);
  }
  void put_object(const std::string& object, std::string bytes) {
    const std::lock_guard lock(mutex_);
    objects_[object] = std::move(bytes);
  }
  int count(const std::string& method, const std::string& query_part = "") {
    int n = 0;
    for (const auto& request : server_.requests()) {
      if (request.method == method && request.query.find(query_part) != std::string::npos) ++n;
    }
    return n;
  }
  int aborted() { return aborted_.load(); }
  std::size_t open_uploads() {
    const std::lock_guard lock(mutex_);
    return uploads_.size();
  }

 private:
  void handle(const FakeRequest& request, FakeExchange& exchange) {
    if (intercept && intercept(request, exchange)) return;
    if (request.header("Authorization").rfind("AWS4-HMAC-SHA256 Credential=", 0) != 0) {
      exchange.respond(403, error_xml("AccessDenied"));
      return;
    }
    if (request.header("x-amz-content-sha256") != sha256_hex(request.body)) {
      exchange.respond(400, error_xml("XAmzContentSHA256Mismatch"));
      return;
    }
    // Path style: /bucket/object; virtual-host: Host "bucket.<endpoint host>", path /object.
    std::string path = request.path;
    const std::string host = request.header("Host");
    if (host.rfind(bucket_ + ".", 0) == 0) {
      path = "/" + bucket_ + path;
    }
    if (path == "/" + bucket_ || path == "/" + bucket_ + "/") {
      exchange.respond(
          200, "<ListBucketResult><Name>" + bucket_ + "</Name><KeyCount>0</KeyCount></ListBucketResult>");
      return;
    }
    if (path.rfind("/" + bucket_ + "/", 0) != 0) {
      exchange.respond(404, error_xml("NoSuchBucket"));
      return;
    }
    const std::string object = path.substr(bucket_.size() + 2);
    const std::lock_guard lock(mutex_);
    if (request.method == "POST" && request.query == "uploads=") {
      const std::string id = "upload-" + std::to_string(++next_upload_);
      uploads_[id] = {};
      exchange.respond(200, "<InitiateMultipartUploadResult><UploadId>" + id +
                                "</UploadId></InitiateMultipartUploadResult>");
      return;
    }
    if (const auto id_at = request.query.find("uploadId="); id_at != std::string::npos) {
      const std::string id = request.query.substr(id_at + 9);
      const auto upload = uploads_.find(id);
      if (upload == uploads_.end()) {
        exchange.respond(404, error_xml("NoSuchUpload"));
        return;
      }
      if (request.method == "PUT") {
        const int number = std::stoi(request.query.substr(request.query.find("partNumber=") + 11));
        upload->second[number] = request.body;
        exchange.respond(200, "", {{"ETag", "\"part-" + std::to_string(number) + "\""}});
      } else if (request.method == "POST") {
        std::string assembled;
        for (const auto& [number, bytes] : upload->second) assembled += bytes;
        objects_[object] = assembled;
        uploads_.erase(upload);
        if (drop_complete_answers.load() > 0) {
          --drop_complete_answers;
          exchange.close();
          return;
        }
        exchange.respond(
            200, "<CompleteMultipartUploadResult><Key>" + object + "</Key></CompleteMultipartUploadResult>");
      } else if (request.method == "DELETE") {
        uploads_.erase(upload);
        ++aborted_;
        exchange.respond(204);
      }
      return;
    }
    const auto found = objects_.find(object);
    if (request.method == "PUT") {
      objects_[object] = request.body;
      exchange.respond(200, "", {{"ETag", "\"etag\""}});
    } else if (request.method == "DELETE") {
      objects_.erase(object);
      exchange.respond(204);
    } else if (found == objects_.end()) {
      exchange.respond(404, request.method == "HEAD" ? "" : error_xml("NoSuchKey"));
    } else if (request.method == "HEAD") {
      exchange.send_head(200, {}, found->second.size());
    } else {
      exchange.respond(200, found->second);
    }
  }

  std::string bucket_;
  FakeHttpServer server_;
  std::mutex mutex_;
  std::map<std::string, std::string> objects_;
  std::map<std::string, std::map<int, std::string>> uploads_;
  int next_upload_ = 0;
  std::atomic<int> aborted_{0};
};

S3BlobStoreOptions options_for(const std::string& endpoint) {
  S3BlobStoreOptions options;
  options.endpoint = endpoint;
  options.bucket = "media";
  options.access_key = "AKIDEXAMPLE";
  options.secret_key = std::string(kSecret);
  options.part_size = 5 * kMiB;
  options.multipart_threshold = 5 * kMiB;
  options.timeout = milliseconds(5000);
  options.max_attempts = 3;
  return options;
}

outbound::RetryEnvironment no_waiting() {
  return outbound::RetryEnvironment{[](milliseconds) {}, [] { return 0.5; }};
}

Error error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const AppError& error) {
    return error.error();
  }
  ADD_FAILURE() << "no AppError thrown";
  return {};
}

std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 31 + i / 4096) % 256);
  return bytes;
}

class S3BlobStoreTest : public ::testing::Test {
 protected:
  MiniS3 s3_{"media"};
  outbound::HttpClient client_;

  S3BlobStore store(S3BlobStoreOptions options) { return {std::move(options), client_, no_waiting()}; }
  S3BlobStore store() { return store(options_for(s3_.server().url(""))); }
};

TEST_F(S3BlobStoreTest, RefusesUnusableOptionsNamingTheKey) {
  const auto refused = [&](const std::function<void(S3BlobStoreOptions&)>& change, const std::string& key) {
    auto options = options_for("http://127.0.0.1:9000");
    change(options);
    try {
      const S3BlobStore accepted(options, client_);
      ADD_FAILURE() << "accepted options that " << key << " should refuse: " << accepted.kind();
    } catch (const ConfigError& error) {
      EXPECT_NE(std::string(error.what()).find(key), std::string::npos) << error.what();
      EXPECT_EQ(std::string(error.what()).find(kSecret), std::string::npos);
    }
  };
  refused([](auto& o) { o.part_size = 4 * kMiB; }, "blob.s3.part_size");
  refused([](auto& o) { o.part_size = 6ULL * 1024 * kMiB; }, "blob.s3.part_size");
  refused([](auto& o) { o.multipart_threshold = 0; }, "blob.s3.multipart_threshold");
  refused([](auto& o) { o.secret_key.clear(); }, "blob.s3.secret_key");
  refused([](auto& o) { o.access_key.clear(); }, "blob.s3.access_key");
  refused([](auto& o) { o.region = "EU West"; }, "blob.s3.region");
  refused([](auto& o) { o.prefix = "../x/"; }, "blob.s3.prefix");
  refused([](auto& o) { o.prefix = "a//b/"; }, "blob.s3.prefix");
  refused([](auto& o) { o.prefix = "/abs/"; }, "blob.s3.prefix");
  refused([](auto& o) { o.prefix = "sp ace/"; }, "blob.s3.prefix");
  refused([](auto& o) { o.max_attempts = 0; }, "blob.s3.max_attempts");
  refused([](auto& o) { o.endpoint = "file:///tmp"; }, "blob.s3.endpoint");
  refused([](auto& o) { o.bucket = "No_Such"; }, "blob.s3.bucket");
}

TEST_F(S3BlobStoreTest, WorksWithAnHttpClientOfItsOwn) {
  S3BlobStore own(options_for(s3_.server().url("")), no_waiting());
  const auto info = own.put_bytes("t1", "own client");
  EXPECT_EQ(own.get(info.key), "own client");
}

TEST_F(S3BlobStoreTest, NamesObjectsByPrefixTenantAndHash) {
  auto options = options_for(s3_.server().url(""));
  options.prefix = "personae/media/";
  auto prefixed = store(options);
  const auto info = prefixed.put_bytes("tenant-1", "bytes");
  EXPECT_EQ(prefixed.object_name(info.key), "personae/media/tenant-1/" + sha256_hex("bytes"));
  EXPECT_TRUE(s3_.has("personae/media/tenant-1/" + sha256_hex("bytes")));
  EXPECT_THROW(prefixed.object_name(BlobKey{"../x", sha256_hex("bytes")}), AppError);
}

TEST_F(S3BlobStoreTest, SignsEveryRequestWithThePayloadHashAndSkipsStoredContent) {
  auto s3 = store();
  const auto info = s3.put_bytes("t1", "hello");
  EXPECT_EQ(info.size, 5U);
  EXPECT_EQ(s3_.count("PUT"), 1);
  // The same bytes again: one HEAD, no upload.
  EXPECT_EQ(s3.put_bytes("t1", "hello").key, info.key);
  EXPECT_EQ(s3_.count("PUT"), 1);
  EXPECT_EQ(s3_.count("HEAD"), 2);
  for (const auto& request : s3_.server().requests()) {
    EXPECT_EQ(request.header("x-amz-content-sha256"), sha256_hex(request.body)) << request.method;
    EXPECT_NE(request.header("Authorization").find("/us-east-1/s3/aws4_request"), std::string::npos);
    EXPECT_NE(request.header("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  }
}

TEST_F(S3BlobStoreTest, UploadsLargeObjectsInPartsWithTheirOwnHashes) {
  auto s3 = store();
  testing::TempDir folder;
  const std::string content = pattern(11 * kMiB + 3);
  const auto source = folder.path() / "video.bin";
  std::ofstream(source, std::ios::binary) << content;
  const auto info = s3.put_file("t1", source);
  EXPECT_EQ(info.key.sha256, sha256_hex(content));
  EXPECT_EQ(s3_.count("POST", "uploads="), 1);
  EXPECT_EQ(s3_.count("PUT", "partNumber="), 3);
  EXPECT_EQ(s3_.count("POST", "uploadId="), 1);
  EXPECT_EQ(s3_.object("t1/" + info.key.sha256), content);
  EXPECT_EQ(s3_.open_uploads(), 0U);
  const auto requests = s3_.server().requests();
  const auto complete = std::find_if(requests.begin(), requests.end(), [](const FakeRequest& r) {
    return r.method == "POST" && r.query.rfind("uploadId=", 0) == 0;
  });
  ASSERT_NE(complete, requests.end());
  EXPECT_NE(complete->body.find("<PartNumber>3</PartNumber><ETag>\"part-3\"</ETag>"), std::string::npos)
      << complete->body;
}

TEST_F(S3BlobStoreTest, RetriesACompleteAnsweredWith200AndAnError) {
  std::atomic<int> completes{0};
  s3_.intercept = [&](const FakeRequest& request, FakeExchange& exchange) {
    if (request.method == "POST" && request.query.rfind("uploadId=", 0) == 0 && ++completes == 1) {
      exchange.respond(200, "  \n" + error_xml("InternalError", "We encountered an internal error."));
      return true;
    }
    return false;
  };
  auto s3 = store();
  const std::string content = pattern(6 * kMiB);
  const auto info = s3.put_bytes("t1", content);
  EXPECT_EQ(completes.load(), 2);
  EXPECT_EQ(s3_.object("t1/" + info.key.sha256), content);
}

TEST_F(S3BlobStoreTest, AbortsTheUploadWhenCompleteKeepsFailing) {
  s3_.intercept = [&](const FakeRequest& request, FakeExchange& exchange) {
    if (request.method == "POST" && request.query.rfind("uploadId=", 0) == 0) {
      exchange.respond(200, error_xml("InternalError", "We encountered an internal error."));
      return true;
    }
    return false;
  };
  auto s3 = store();
  const std::string content = pattern(6 * kMiB);
  const auto error = error_of([&] { s3.put_bytes("t1", content); });
  EXPECT_EQ(error.code, ErrorCode::kUnavailable);
  EXPECT_NE(error.detail.find("CompleteMultipartUpload"), std::string::npos) << error.detail;
  EXPECT_NE(error.detail.find("InternalError"), std::string::npos) << error.detail;
  EXPECT_EQ(s3_.count("POST", "uploadId="), 3);
  EXPECT_EQ(s3_.aborted(), 1);
  EXPECT_EQ(s3_.open_uploads(), 0U);
  EXPECT_FALSE(s3_.has("t1/" + sha256_hex(content)));
}

TEST_F(S3BlobStoreTest, AcceptsACompleteWhoseFirstAnswerWasLost) {
  // The first Complete succeeds on the server but its answer never arrives; the retry then finds
  // no upload (NoSuchUpload) and the object in place.
  s3_.drop_complete_answers = 1;
  auto s3 = store();
  const std::string content = pattern(6 * kMiB);
  const auto info = s3.put_bytes("t1", content);
  EXPECT_EQ(s3_.count("POST", "uploadId="), 2);
  EXPECT_EQ(s3_.object("t1/" + info.key.sha256), content);
  EXPECT_EQ(s3_.aborted(), 0);
}

TEST_F(S3BlobStoreTest, APartWithoutAnEtagAbortsTheUpload) {
  s3_.intercept = [&](const FakeRequest& request, FakeExchange& exchange) {
    if (request.method == "PUT" && request.query.find("partNumber=2") != std::string::npos) {
      exchange.respond(200, "");
      return true;
    }
    return false;
  };
  auto s3 = store();
  const auto error = error_of([&] { s3.put_bytes("t1", pattern(11 * kMiB)); });
  EXPECT_EQ(error.code, ErrorCode::kUnavailable);
  EXPECT_NE(error.detail.find("UploadPart 2/3"), std::string::npos) << error.detail;
  EXPECT_NE(error.detail.find("no ETag"), std::string::npos) << error.detail;
  EXPECT_EQ(s3_.aborted(), 1);
  EXPECT_EQ(s3_.count("POST", "uploadId="), 0);
}

TEST_F(S3BlobStoreTest, MapsS3ErrorCodes) {
  std::string code;
  s3_.intercept = [&](const FakeRequest& request, FakeExchange& exchange) {
    if (code.empty()) return false;
    const int status = code == "NoSuchBucket" ? 404 : 403;
    exchange.respond(status, request.method == "HEAD" ? "" : error_xml(code, "from the server"));
    return true;
  };
  auto s3 = store();
  const BlobKey key{"t1", sha256_hex("x")};
  for (const std::string failing :
       {"NoSuchBucket", "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId"}) {
    code = failing;
    const auto get_error = error_of([&] { s3.get(key); });
    EXPECT_EQ(get_error.code, ErrorCode::kUnavailable) << failing;
    EXPECT_NE(get_error.detail.find(failing), std::string::npos) << get_error.detail;
    EXPECT_NE(get_error.detail.find("GetObject t1/"), std::string::npos) << get_error.detail;
    EXPECT_EQ(get_error.message, "The media storage is unavailable.");
    EXPECT_EQ(get_error.detail.find(kSecret), std::string::npos);
    const auto check_error = error_of([&] { s3.check(); });
    EXPECT_NE(check_error.detail.find(failing), std::string::npos) << check_error.detail;
    EXPECT_EQ(error_of([&] { s3.remove(key); }).code, ErrorCode::kUnavailable);
  }
  code = "NoSuchBucket";
  const auto put_error = error_of([&] { s3.put_bytes("t1", "x"); });
  EXPECT_NE(put_error.detail.find("PutObject"), std::string::npos) << put_error.detail;
  EXPECT_NE(put_error.detail.find("blob.s3.bucket"), std::string::npos) << put_error.detail;
  code = "AccessDenied";
  const auto head_error = error_of([&] { s3.stat(key); });
  EXPECT_EQ(head_error.code, ErrorCode::kUnavailable);
  EXPECT_NE(head_error.detail.find("HTTP 403"), std::string::npos) << head_error.detail;
}

TEST_F(S3BlobStoreTest, AMissingObjectIsNotFoundAndRemovingItIsFine) {
  auto s3 = store();
  const BlobKey key{"t1", sha256_hex("absent")};
  EXPECT_EQ(error_of([&] { s3.get(key); }).code, ErrorCode::kNotFound);
  EXPECT_FALSE(s3.stat(key));
  EXPECT_NO_THROW(s3.remove(key));
}

TEST_F(S3BlobStoreTest, MalformedAnswersAreUnavailable) {
  std::string mode;
  s3_.intercept = [&](const FakeRequest& request, FakeExchange& exchange) {
    if (mode == "html") {
      exchange.respond(request.method == "GET" && request.query.empty() ? 404 : 200,
                       "<html><body>gateway</body></html>");
      return true;
    }
    if (mode == "no-upload-id" && request.method == "POST") {
      exchange.respond(200, "<InitiateMultipartUploadResult></InitiateMultipartUploadResult>");
      return true;
    }
    if (mode == "no-length" && request.method == "HEAD") {
      exchange.send_head(200, {});
      exchange.finish_chunks();
      return true;
    }
    return false;
  };
  auto s3 = store();
  const BlobKey key{"t1", sha256_hex("x")};
  mode = "html";
  const auto get_error = error_of([&] { s3.get(key); });
  EXPECT_EQ(get_error.code, ErrorCode::kUnavailable);
  EXPECT_NE(get_error.detail.find("malformed"), std::string::npos) << get_error.detail;
  EXPECT_NE(error_of([&] { s3.check(); }).detail.find("malformed"), std::string::npos);
  mode = "no-upload-id";
  const auto create_error = error_of([&] { s3.put_bytes("t1", pattern(6 * kMiB)); });
  EXPECT_NE(create_error.detail.find("CreateMultipartUpload"), std::string::npos) << create_error.detail;
  EXPECT_EQ(s3_.count("PUT", "partNumber="), 0);
  mode = "no-length";
  EXPECT_NE(error_of([&] { s3.stat(key); }).detail.find("Content-Length"), std::string::npos);
}

TEST_F(S3BlobStoreTest, NeverServesBytesThatDoNotMatchTheKey) {
  auto s3 = store();
  const auto info = s3.put_bytes("t1", "genuine");
  s3_.put_object("t1/" + info.key.sha256, "forged!");
  EXPECT_EQ(error_of([&] { s3.get(info.key); }).code, ErrorCode::kInternal);
  testing::TempDir folder;
  const auto destination = folder.path() / "copy.bin";
  std::ofstream(destination) << "previous";
  EXPECT_EQ(error_of([&] { s3.get_to_file(info.key, destination); }).code, ErrorCode::kInternal);
  EXPECT_FALSE(fs::exists(destination));
  EXPECT_TRUE(fs::is_empty(folder.path()));
}

TEST_F(S3BlobStoreTest, GetToFileStartsOverWhenADownloadBreaks) {
  auto s3 = store();
  const std::string content = pattern(300'000);
  const auto info = s3.put_bytes("t1", content);
  std::atomic<int> gets{0};
  s3_.intercept = [&](const FakeRequest& request, FakeExchange& exchange) {
    if (request.method == "GET" && ++gets == 1) {
      exchange.send_head(200, {}, content.size());
      exchange.send_raw(content.substr(0, 100'000));
      exchange.close();
      return true;
    }
    return false;
  };
  testing::TempDir folder;
  const auto destination = folder.path() / "copy.bin";
  s3.get_to_file(info.key, destination);
  EXPECT_EQ(gets.load(), 2);
  std::ifstream in(destination, std::ios::binary);
  const std::string copy((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(copy, content);
}

TEST_F(S3BlobStoreTest, TransportFailuresAreUnavailableAndNameTheStep) {
  s3_.intercept = [&](const FakeRequest&, FakeExchange& exchange) {
    exchange.sleep(milliseconds(2000));
    return true;
  };
  auto options = options_for(s3_.server().url(""));
  options.timeout = milliseconds(200);
  options.max_attempts = 2;
  auto s3 = store(options);
  const auto error = error_of([&] { s3.stat(BlobKey{"t1", sha256_hex("x")}); });
  EXPECT_EQ(error.code, ErrorCode::kUnavailable);
  EXPECT_NE(error.detail.find("HeadObject"), std::string::npos) << error.detail;
  EXPECT_NE(error.detail.find("Timeout"), std::string::npos) << error.detail;
}

TEST_F(S3BlobStoreTest, SpeaksVirtualHostStyle) {
  // curl resolves *.localhost to the loopback address, so "<bucket>.s3.localhost" reaches the fake.
  auto options = options_for("http://s3.localhost:" + std::to_string(s3_.server().port()));
  options.path_style = false;
  auto s3 = store(options);
  const auto info = s3.put_bytes("t1", "virtual");
  EXPECT_EQ(s3.get(info.key), "virtual");
  s3.check();
  const auto requests = s3_.server().requests();
  ASSERT_FALSE(requests.empty());
  for (const auto& request : requests) {
    EXPECT_EQ(request.header("Host"), "media.s3.localhost:" + std::to_string(s3_.server().port()));
    EXPECT_EQ(request.path.find("/media"), std::string::npos) << request.path;
  }
  EXPECT_EQ(requests.front().path, "/t1/" + info.key.sha256);
}

}  // namespace
}  // namespace personae

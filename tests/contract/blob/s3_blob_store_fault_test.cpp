// S3BlobStore under faults (SECURITY.md C6): uploads cut mid-way, parts that keep failing, 5xx and
// 429 answers, s3rver stopped, frozen and restarted, a wrong bucket; and no secret in any error or
// log line meanwhile. Faults come from a FaultProxy between the store and s3rver.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/blob/s3_blob_store.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "observability/log.hpp"
#include "tests/contract/blob/blob_store_harness.hpp"
#include "tests/support/fault_proxy.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

using std::chrono::milliseconds;

Error error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const AppError& error) {
    return error.error();
  }
  ADD_FAILURE() << "no AppError thrown";
  return {};
}

int count(const std::vector<ProxiedRequest>& requests, const std::string& method,
          const std::string& contains) {
  return static_cast<int>(std::count_if(requests.begin(), requests.end(), [&](const ProxiedRequest& request) {
    return request.method == method && request.target.find(contains) != std::string::npos;
  }));
}

class S3FaultTest : public ::testing::Test {
 protected:
  /// A store talking to `endpoint` (the proxy by default); retries wait for no one but the
  /// requested delays are recorded.
  std::unique_ptr<S3BlobStore> make_store(const std::optional<std::string>& endpoint = std::nullopt,
                                          const std::function<void(S3BlobStoreOptions&)>& change = {}) {
    auto options = s3rver_options(endpoint.value_or(proxy_.url()), shared_s3rver().bucket());
    options.prefix = prefix_;
    if (change) change(options);
    const outbound::RetryEnvironment environment{[this](milliseconds delay) {
                                                   const std::lock_guard lock(mutex_);
                                                   delays_.push_back(delay);
                                                 },
                                                 [] { return 0.5; }};
    return std::make_unique<S3BlobStore>(options, client_, environment);
  }

  std::vector<std::string> keys_in_bucket() { return shared_s3rver().list_keys(prefix_); }

  std::vector<milliseconds> delays() {
    const std::lock_guard lock(mutex_);
    return delays_;
  }

  std::string prefix_ = unique_prefix("fault");
  FaultProxy proxy_{shared_s3rver().port()};
  outbound::HttpClient client_;
  std::mutex mutex_;
  std::vector<milliseconds> delays_;
  TempDir files_;
};

TEST_F(S3FaultTest, AnUploadCutMidwayOnEveryAttemptFailsAndLeavesNoObject) {
  proxy_.add_rule(cut_rule("PUT", prefix_, 256 * std::uint64_t{1024}));
  auto store = make_store();
  const std::string content = pseudo_random_bytes(2 * kMiB, 20);
  const auto error = error_of([&] { store->put_bytes("tenant-a", content); });
  EXPECT_EQ(error.code, ErrorCode::kUnavailable);
  EXPECT_EQ(error.message, "The media storage is unavailable.");
  EXPECT_NE(error.detail.find("PutObject"), std::string::npos) << error.detail;
  EXPECT_EQ(count(proxy_.requests(), "PUT", prefix_), 3);  // every attempt was cut

  const BlobKey key{"tenant-a", sha256_hex(content)};
  EXPECT_FALSE(store->stat(key));
  EXPECT_TRUE(keys_in_bucket().empty());
  // Once the network heals, the same upload goes through.
  proxy_.clear_rules();
  EXPECT_EQ(store->put_bytes("tenant-a", content).key, key);
  EXPECT_EQ(store->get(key), content);
}

TEST_F(S3FaultTest, AMultipartUploadWhosePartKeepsFailingIsAbortedAndNothingIsVisible) {
  proxy_.add_rule(respond_rule("PUT", "partNumber=2", 500));
  auto store = make_store();
  const std::string content = pseudo_random_bytes(11 * kMiB, 21);
  const auto source = files_.path() / "video.bin";
  write_file(source, content);
  const auto error = error_of([&] { store->put_file("tenant-a", source); });
  EXPECT_EQ(error.code, ErrorCode::kUnavailable);
  EXPECT_NE(error.detail.find("UploadPart 2/3"), std::string::npos) << error.detail;
  EXPECT_NE(error.detail.find("HTTP 500"), std::string::npos) << error.detail;

  const auto requests = proxy_.requests();
  EXPECT_EQ(count(requests, "PUT", "partNumber=1"), 1);
  EXPECT_EQ(count(requests, "PUT", "partNumber=2"), 3);
  EXPECT_EQ(count(requests, "PUT", "partNumber=3"), 0);
  EXPECT_EQ(count(requests, "POST", "?uploadId="), 0) << "never completed";
  // The upload was aborted, by the id its parts were sent with.
  const auto abort = std::find_if(requests.begin(), requests.end(),
                                  [](const ProxiedRequest& request) { return request.method == "DELETE"; });
  ASSERT_NE(abort, requests.end());
  const std::string upload_id = abort->target.substr(abort->target.find("uploadId=") + 9);
  EXPECT_EQ(count(requests, "PUT", "partNumber=1&uploadId=" + upload_id), 1);
  // s3rver 3.7.1 answers AbortMultipartUpload with 405 and has no ListMultipartUploads, so it keeps
  // the upload on its disk; the unit tests check that a server implementing Abort ends with none.
  const auto open = shared_s3rver().open_upload_ids();
  EXPECT_NE(std::find(open.begin(), open.end(), upload_id), open.end());
  EXPECT_FALSE(store->stat(BlobKey{"tenant-a", sha256_hex(content)}));
  EXPECT_TRUE(keys_in_bucket().empty());
}

TEST_F(S3FaultTest, AMultipartUploadCutInsideAPartIsAbortedToo) {
  proxy_.add_rule(cut_rule("PUT", "partNumber=2", 1 * kMiB));
  auto store = make_store();
  const std::string content = pseudo_random_bytes(11 * kMiB, 22);
  const auto error = error_of([&] { store->put_bytes("tenant-a", content); });
  EXPECT_EQ(error.code, ErrorCode::kUnavailable);
  EXPECT_NE(error.detail.find("UploadPart 2/3"), std::string::npos) << error.detail;
  const auto requests = proxy_.requests();
  EXPECT_EQ(count(requests, "POST", "?uploadId="), 0);
  EXPECT_GE(count(requests, "DELETE", "uploadId="), 1);
  EXPECT_TRUE(keys_in_bucket().empty());
}

TEST_F(S3FaultTest, ServiceUnavailableTwiceThenStored) {
  proxy_.add_rule(respond_rule("PUT", prefix_, 503, 2));
  auto store = make_store();
  const auto info = store->put_bytes("tenant-a", "stored after retries");
  EXPECT_EQ(count(proxy_.requests(), "PUT", prefix_), 3);
  EXPECT_EQ(delays().size(), 2U);
  EXPECT_EQ(store->get(info.key), "stored after retries");
  EXPECT_EQ(keys_in_bucket(), std::vector<std::string>{store->object_name(info.key)});
}

TEST_F(S3FaultTest, TooManyRequestsIsRetriedNoSoonerThanRetryAfter) {
  proxy_.add_rule(respond_rule("PUT", prefix_, 429, 1, {{"Retry-After", "2"}}));
  auto store = make_store();
  const auto info = store->put_bytes("tenant-a", "slowed down");
  ASSERT_EQ(delays().size(), 1U);
  EXPECT_GE(delays()[0], milliseconds(2000));
  EXPECT_EQ(store->get(info.key), "slowed down");
}

TEST_F(S3FaultTest, AGetBrokenMidwayIsRetriedAndComplete) {
  auto store = make_store();
  const std::string content = pseudo_random_bytes(3 * kMiB, 23);
  const auto info = store->put_bytes("tenant-a", content);
  FaultRule reset;
  reset.method = "GET";
  reset.target_contains = prefix_;
  reset.times = 1;
  reset.action = FaultRule::Action::kReset;
  proxy_.add_rule(reset);
  const auto copy = files_.path() / "copy.bin";
  store->get_to_file(info.key, copy);
  EXPECT_EQ(read_file(copy), content);
  EXPECT_EQ(count(proxy_.requests(), "GET", prefix_), 2);
}

TEST_F(S3FaultTest, APartialObjectLeftByAServerIsNeverServedAndIsReplaced) {
  // s3rver, unlike S3, keeps the bytes of an interrupted PUT as the object. The store must not
  // trust it: reads check the hash, and a put of the same content replaces it (size differs).
  proxy_.add_rule(cut_rule("PUT", prefix_, 100'000, 1, /*forward_partial=*/true));
  auto store = make_store(std::nullopt, [](S3BlobStoreOptions& options) { options.max_attempts = 1; });
  const std::string content = pseudo_random_bytes(1 * kMiB, 24);
  const BlobKey key{"tenant-a", sha256_hex(content)};
  EXPECT_EQ(error_of([&] { store->put_bytes("tenant-a", content); }).code, ErrorCode::kUnavailable);
  const auto partial = store->stat(key);
  ASSERT_TRUE(partial) << "s3rver no longer keeps partial uploads: this test can be simplified";
  EXPECT_LT(partial->size, content.size());
  EXPECT_EQ(error_of([&] { store->get(key); }).code, ErrorCode::kInternal);
  const auto copy = files_.path() / "copy.bin";
  EXPECT_EQ(error_of([&] { store->get_to_file(key, copy); }).code, ErrorCode::kInternal);
  EXPECT_FALSE(std::filesystem::exists(copy));

  store->put_bytes("tenant-a", content);
  EXPECT_EQ(store->stat(key)->size, content.size());
  EXPECT_EQ(store->get(key), content);
}

TEST_F(S3FaultTest, AWrongBucketIsAClearError) {
  auto store = make_store(shared_s3rver().endpoint(),
                          [](S3BlobStoreOptions& options) { options.bucket = "no-such-bucket"; });
  const auto put = error_of([&] { store->put_bytes("tenant-a", "x"); });
  EXPECT_EQ(put.code, ErrorCode::kUnavailable);
  EXPECT_NE(put.detail.find("NoSuchBucket"), std::string::npos) << put.detail;
  EXPECT_NE(put.detail.find("blob.s3.bucket"), std::string::npos) << put.detail;
  const auto check = error_of([&] { store->check(); });
  EXPECT_EQ(check.code, ErrorCode::kUnavailable);
  EXPECT_NE(check.detail.find("NoSuchBucket"), std::string::npos) << check.detail;
  EXPECT_EQ(error_of([&] {
              store->get(BlobKey{"tenant-a", sha256_hex("x")});
            }).code,
            ErrorCode::kUnavailable);
}

TEST_F(S3FaultTest, AStoppedOrFrozenServerIsUnavailableWithinTheTimeoutAndRecovers) {
  S3rverServer own(S3rverServer::Options{PERSONAE_S3RVER, "outage-test"});
  auto store = make_store(own.endpoint(), [&](S3BlobStoreOptions& options) {
    options.bucket = "outage-test";
    options.timeout = milliseconds(1000);
    options.connect_timeout = milliseconds(1000);
    options.max_attempts = 2;
  });
  const auto before = store->put_bytes("tenant-a", "stored before the outage");

  own.stop();
  auto started = std::chrono::steady_clock::now();
  const auto refused = error_of([&] { store->put_bytes("tenant-a", "during the outage"); });
  EXPECT_EQ(refused.code, ErrorCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(1000));
  EXPECT_EQ(error_of([&] { store->check(); }).code, ErrorCode::kUnavailable);
  // Unreachable is not "missing".
  EXPECT_EQ(error_of([&] { store->get(before.key); }).code, ErrorCode::kUnavailable);

  own.start();
  own.pause();
  started = std::chrono::steady_clock::now();
  const auto frozen = error_of([&] { store->stat(before.key); });
  const auto elapsed = std::chrono::steady_clock::now() - started;
  own.resume();
  EXPECT_EQ(frozen.code, ErrorCode::kUnavailable);
  EXPECT_NE(frozen.detail.find("HeadObject"), std::string::npos) << frozen.detail;
  // Two attempts of one second each (the backoff sleeps are recorded, not waited for).
  EXPECT_GE(elapsed, milliseconds(1900));
  EXPECT_LT(elapsed, milliseconds(4000));

  own.stop();
  own.start();
  EXPECT_NO_THROW(store->check());
  EXPECT_EQ(store->get(before.key), "stored before the outage");
  const auto after = store->put_bytes("tenant-a", "stored after the outage");
  EXPECT_EQ(store->get(after.key), "stored after the outage");
}

TEST_F(S3FaultTest, NoSecretInErrorsOrLogs) {
  std::vector<Error> errors;
  ::testing::internal::CaptureStderr();
  log::configure(log::Level::kDebug, log::Format::kJson);
  {
    auto store = make_store();
    store->put_bytes("tenant-a", "a success, for the debug lines");
    proxy_.add_rule(respond_rule("PUT", prefix_, 503));
    proxy_.add_rule(respond_rule("GET", prefix_, 403));
    errors.push_back(error_of([&] { store->put_bytes("tenant-a", "refused"); }));
    errors.push_back(error_of([&] { store->get(BlobKey{"tenant-a", sha256_hex("x")}); }));
    proxy_.clear_rules();
    proxy_.add_rule(cut_rule("PUT", "partNumber=1", 4096));
    errors.push_back(error_of([&] { store->put_bytes("tenant-a", pseudo_random_bytes(6 * kMiB, 25)); }));
    auto wrong =
        make_store(std::nullopt, [](S3BlobStoreOptions& options) { options.bucket = "no-such-bucket"; });
    errors.push_back(error_of([&] { wrong->check(); }));
    auto dead = make_store("http://127.0.0.1:" + std::to_string(free_tcp_port()));
    errors.push_back(error_of([&] { dead->put_bytes("tenant-a", "nowhere"); }));
  }
  log::flush();
  const std::string logs = ::testing::internal::GetCapturedStderr();
  log::configure(log::Level::kInfo, log::Format::kJson);

  ASSERT_NE(logs.find("outbound request"), std::string::npos) << "debug lines were expected";
  ASSERT_NE(logs.find("retrying"), std::string::npos);
  std::vector<std::string> signatures;
  for (const auto& request : proxy_.requests()) {
    const std::string authorization = request.header("Authorization");
    ASSERT_NE(authorization.find("Signature="), std::string::npos);
    signatures.push_back(authorization.substr(authorization.find("Signature=") + 10));
  }
  ASSERT_FALSE(signatures.empty());
  EXPECT_EQ(logs.find(kSecretCanary), std::string::npos);
  EXPECT_EQ(logs.find("Authorization"), std::string::npos);
  for (const auto& signature : signatures) EXPECT_EQ(logs.find(signature), std::string::npos);
  ASSERT_EQ(errors.size(), 5U);
  for (const auto& error : errors) {
    EXPECT_EQ(error.code, ErrorCode::kUnavailable) << error.detail;
    for (const std::string& text : {error.message, error.detail}) {
      EXPECT_EQ(text.find(kSecretCanary), std::string::npos) << text;
      for (const auto& signature : signatures) EXPECT_EQ(text.find(signature), std::string::npos) << text;
    }
  }
}

}  // namespace
}  // namespace personae::testing

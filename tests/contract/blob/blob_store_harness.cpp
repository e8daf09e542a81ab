#include "tests/contract/blob/blob_store_harness.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <random>
#include <sstream>

#include "adapters/blob/local_blob_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

class LocalHarness final : public BlobStoreHarness {
 public:
  LocalHarness() : store_(options()) {}

  BlobStore& store() override { return store_; }
  std::string expected_kind() const override { return "local"; }
  bool backend_has(const BlobKey& key) override { return std::filesystem::exists(store_.path_of(key)); }

 private:
  LocalBlobStoreOptions options() const {
    LocalBlobStoreOptions options;
    options.root = folder_.path() / "blobs";
    return options;
  }

  TempDir folder_;
  LocalBlobStore store_;
};

class S3Harness final : public BlobStoreHarness {
 public:
  explicit S3Harness(bool path_style) : store_(options(path_style), client_) {}

  BlobStore& store() override { return store_; }
  std::string expected_kind() const override { return "s3"; }
  bool backend_has(const BlobKey& key) override {
    const auto keys = shared_s3rver().list_keys(store_.object_name(key));
    return std::find(keys.begin(), keys.end(), store_.object_name(key)) != keys.end();
  }

 private:
  static S3BlobStoreOptions options(bool path_style) {
    auto& server = shared_s3rver();
    auto options =
        s3rver_options(path_style ? server.endpoint() : server.virtual_host_endpoint(), server.bucket());
    options.path_style = path_style;
    options.prefix = unique_prefix("contract");
    return options;
  }

  outbound::HttpClient client_;
  S3BlobStore store_;
};

}  // namespace

std::unique_ptr<BlobStoreHarness> make_local_harness() {
  return std::make_unique<LocalHarness>();
}

std::unique_ptr<BlobStoreHarness> make_s3_harness(bool path_style) {
  return std::make_unique<S3Harness>(path_style);
}

S3rverServer& shared_s3rver() {
  static S3rverServer server(S3rverServer::Options{PERSONAE_S3RVER, "personae-test"});
  return server;
}

S3BlobStoreOptions s3rver_options(const std::string& endpoint, const std::string& bucket) {
  S3BlobStoreOptions options;
  options.endpoint = endpoint;
  options.bucket = bucket;
  options.region = "us-east-1";
  options.access_key = "S3RVER";
  options.secret_key = std::string(kSecretCanary);
  // The smallest parts S3 allows, so that an 11 MiB file takes three.
  options.part_size = 5 * kMiB;
  options.multipart_threshold = 5 * kMiB;
  options.timeout = std::chrono::seconds(30);
  options.max_attempts = 3;
  options.retry_base_delay = std::chrono::milliseconds(10);
  options.retry_max_delay = std::chrono::milliseconds(100);
  return options;
}

std::string unique_prefix(const std::string& tag) {
  static std::atomic<int> counter{0};
  return tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "/";
}

std::string pseudo_random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::string bytes(size, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(generator() & 0xFFU);
  return bytes;
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace personae::testing

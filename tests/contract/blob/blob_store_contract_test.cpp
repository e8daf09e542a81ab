// The BlobStore contract (ports/blob_store.hpp), run unchanged against the local filesystem and
// S3 (s3rver, path and virtual-host style).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.hpp"
#include "core/error.hpp"
#include "tests/contract/blob/blob_store_harness.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

namespace fs = std::filesystem;

struct Implementation {
  std::string name;
  std::function<std::unique_ptr<BlobStoreHarness>()> make;
};

ErrorCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const AppError& error) {
    return error.error().code;
  }
  ADD_FAILURE() << "no AppError thrown";
  return ErrorCode::kInternal;
}

class BlobStoreContract : public ::testing::TestWithParam<Implementation> {
 protected:
  void SetUp() override { harness_ = GetParam().make(); }
  BlobStore& store() { return harness_->store(); }

  std::unique_ptr<BlobStoreHarness> harness_;
  TempDir files_;
};

TEST_P(BlobStoreContract, RoundTripsBytes) {
  const std::string content = pseudo_random_bytes(70'000, 1);
  const auto info = store().put_bytes("tenant-a", content);
  EXPECT_EQ(info.key, (BlobKey{"tenant-a", sha256_hex(content)}));
  EXPECT_EQ(info.size, content.size());
  EXPECT_EQ(store().get(info.key), content);
  const auto stat = store().stat(info.key);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->key, info.key);
  EXPECT_EQ(stat->size, content.size());
  EXPECT_TRUE(harness_->backend_has(info.key));
}

TEST_P(BlobStoreContract, RoundTripsFilesAndLeavesTheSourceAlone) {
  const std::string content = pseudo_random_bytes(1'500'000, 2);
  const auto source = files_.path() / "upload.bin";
  write_file(source, content);
  const auto info = store().put_file("tenant-a", source);
  EXPECT_EQ(info.key.sha256, sha256_hex(content));
  EXPECT_EQ(read_file(source), content);
  const auto copy = files_.path() / "copy.bin";
  store().get_to_file(info.key, copy);
  EXPECT_EQ(read_file(copy), content);
}

TEST_P(BlobStoreContract, RoundTripsAFileLargerThanTheMultipartThreshold) {
  const std::string content = pseudo_random_bytes(11 * kMiB + 12'345, 3);
  const auto source = files_.path() / "video.bin";
  write_file(source, content);
  const auto info = store().put_file("tenant-a", source);
  EXPECT_EQ(info.key.sha256, sha256_hex(content));
  EXPECT_EQ(info.size, content.size());
  EXPECT_EQ(store().stat(info.key)->size, content.size());
  const auto copy = files_.path() / "copy.bin";
  store().get_to_file(info.key, copy);
  EXPECT_EQ(read_file(copy), content);
  EXPECT_EQ(store().get(info.key), content);
}

TEST_P(BlobStoreContract, TheSameBytesTwiceGiveTheSameKey) {
  const auto first = store().put_bytes("tenant-a", "same bytes");
  const auto source = files_.path() / "same.bin";
  write_file(source, "same bytes");
  const auto second = store().put_file("tenant-a", source);
  EXPECT_EQ(first.key, second.key);
  EXPECT_EQ(store().get(first.key), "same bytes");
}

TEST_P(BlobStoreContract, TwoTenantsWithEqualBytesHaveTwoObjects) {
  const auto a = store().put_bytes("tenant-a", "shared picture");
  const auto b = store().put_bytes("tenant-b", "shared picture");
  EXPECT_NE(a.key, b.key);
  EXPECT_EQ(a.key.sha256, b.key.sha256);
  EXPECT_TRUE(harness_->backend_has(a.key));
  EXPECT_TRUE(harness_->backend_has(b.key));
  store().remove(a.key);
  EXPECT_FALSE(store().stat(a.key));
  EXPECT_EQ(store().get(b.key), "shared picture");
}

TEST_P(BlobStoreContract, AMissingObjectIsNotFound) {
  const BlobKey missing{"tenant-a", sha256_hex("never stored")};
  EXPECT_FALSE(store().stat(missing));
  EXPECT_EQ(code_of([&] { store().get(missing); }), ErrorCode::kNotFound);
  const auto destination = files_.path() / "copy.bin";
  write_file(destination, "stale content");
  EXPECT_EQ(code_of([&] { store().get_to_file(missing, destination); }), ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(destination));
  // Nothing else (no temporary file) is left beside it.
  EXPECT_TRUE(fs::is_empty(files_.path()));
}

TEST_P(BlobStoreContract, RemoveIsIdempotent) {
  const auto info = store().put_bytes("tenant-a", "to be removed");
  store().remove(info.key);
  EXPECT_FALSE(store().stat(info.key));
  EXPECT_FALSE(harness_->backend_has(info.key));
  EXPECT_EQ(code_of([&] { store().get(info.key); }), ErrorCode::kNotFound);
  EXPECT_NO_THROW(store().remove(info.key));
  EXPECT_NO_THROW(store().remove(BlobKey{"tenant-never-used", sha256_hex("x")}));
}

TEST_P(BlobStoreContract, StoresEmptyObjects) {
  const auto info = store().put_bytes("tenant-a", "");
  EXPECT_EQ(info.key.sha256, sha256_hex(""));
  EXPECT_EQ(info.size, 0U);
  EXPECT_EQ(store().get(info.key), "");
  EXPECT_EQ(store().stat(info.key)->size, 0U);
  const auto source = files_.path() / "empty.bin";
  write_file(source, "");
  EXPECT_EQ(store().put_file("tenant-a", source).key, info.key);
  const auto copy = files_.path() / "copy.bin";
  store().get_to_file(info.key, copy);
  EXPECT_TRUE(fs::exists(copy));
  EXPECT_EQ(fs::file_size(copy), 0U);
}

TEST_P(BlobStoreContract, KeepsEveryByteValue) {
  std::string content;
  for (int round = 0; round < 4; ++round) {
    for (int value = 0; value < 256; ++value) content.push_back(static_cast<char>(value));
  }
  content += std::string("\r\n\0\r\n", 5);
  const auto info = store().put_bytes("tenant-a", content);
  EXPECT_EQ(store().get(info.key), content);
  const auto copy = files_.path() / "copy.bin";
  store().get_to_file(info.key, copy);
  EXPECT_EQ(read_file(copy), content);
}

TEST_P(BlobStoreContract, GetToFileReplacesAnExistingFile) {
  const auto info = store().put_bytes("tenant-a", "new content");
  const auto destination = files_.path() / "copy.bin";
  write_file(destination, "a much longer previous content that must not survive");
  store().get_to_file(info.key, destination);
  EXPECT_EQ(read_file(destination), "new content");
}

TEST_P(BlobStoreContract, RefusesInvalidKeysAndTenants) {
  const std::string hash = sha256_hex("x");
  const std::vector<BlobKey> invalid = {
      {"../etc", hash},
      {"tenant/..", hash},
      {"", hash},
      {"tenant", "../../" + hash.substr(6)},
      {"tenant", std::string(64, 'A')},
      {"tenant", hash.substr(1)},
      {"%2e%2e", hash},
      {std::string(65, 't'), hash},
  };
  const auto destination = files_.path() / "copy.bin";
  for (const auto& key : invalid) {
    EXPECT_EQ(code_of([&] { store().get(key); }), ErrorCode::kInvalidArgument) << key.to_string();
    EXPECT_EQ(code_of([&] { store().stat(key); }), ErrorCode::kInvalidArgument) << key.to_string();
    EXPECT_EQ(code_of([&] { store().remove(key); }), ErrorCode::kInvalidArgument) << key.to_string();
    EXPECT_EQ(code_of([&] { store().get_to_file(key, destination); }), ErrorCode::kInvalidArgument);
  }
  const auto source = files_.path() / "source.bin";
  write_file(source, "bytes");
  for (const std::string tenant : {"../escape", "", "a/b", "tenant\n", "t%2f"}) {
    EXPECT_EQ(code_of([&] { store().put_bytes(tenant, "bytes"); }), ErrorCode::kInvalidArgument) << tenant;
    EXPECT_EQ(code_of([&] { store().put_file(tenant, source); }), ErrorCode::kInvalidArgument) << tenant;
  }
  EXPECT_FALSE(fs::exists(destination));
}

TEST_P(BlobStoreContract, ConcurrentPutsOfTheSameContentAgree) {
  const std::string content = pseudo_random_bytes(600'000, 4);
  std::vector<BlobKey> keys(8);
  std::vector<std::thread> threads;
  threads.reserve(keys.size());
  std::atomic<int> failures{0};
  for (auto& key : keys) {
    threads.emplace_back([&] {
      try {
        key = store().put_bytes("tenant-a", content).key;
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  for (const auto& key : keys) EXPECT_EQ(key, keys.front());
  EXPECT_EQ(store().get(keys.front()), content);
}

TEST_P(BlobStoreContract, ConcurrentPutsOfDifferentContentAreKeptApart) {
  std::vector<std::string> contents;
  for (unsigned i = 0; i < 6; ++i) contents.push_back(pseudo_random_bytes(100'000 + i, 10 + i));
  std::vector<BlobKey> keys(contents.size());
  std::vector<std::thread> threads;
  threads.reserve(contents.size());
  for (std::size_t i = 0; i < contents.size(); ++i) {
    threads.emplace_back(
        [&, i] { keys[i] = store().put_bytes("tenant-" + std::to_string(i % 2), contents[i]).key; });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t i = 0; i < contents.size(); ++i) EXPECT_EQ(store().get(keys[i]), contents[i]);
}

TEST_P(BlobStoreContract, ChecksItsBackendAndNamesItsKind) {
  EXPECT_NO_THROW(store().check());
  EXPECT_EQ(store().kind(), harness_->expected_kind());
}

INSTANTIATE_TEST_SUITE_P(
    Stores, BlobStoreContract,
    ::testing::Values(Implementation{"Local", [] { return make_local_harness(); }},
                      Implementation{"S3PathStyle", [] { return make_s3_harness(true); }},
                      Implementation{"S3VirtualHost", [] { return make_s3_harness(false); }}),
    [](const ::testing::TestParamInfo<Implementation>& info) { return info.param.name; });

}  // namespace
}  // namespace personae::testing

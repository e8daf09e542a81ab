// LocalBlobStore specifics; the behaviour shared with S3 is in tests/contract/blob.
#include "adapters/blob/local_blob_store.hpp"

#include <sys/stat.h>
#include <utime.h>

#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "core/crypto.hpp"
#include "core/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return 0;
  return info.st_mode & 07777U;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

std::size_t entries_in(const fs::path& folder) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(folder), fs::directory_iterator()));
}

LocalBlobStoreOptions options_for(const fs::path& root) {
  LocalBlobStoreOptions options;
  options.root = root;
  return options;
}

ErrorCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const AppError& error) {
    return error.error().code;
  }
  ADD_FAILURE() << "no AppError thrown";
  return ErrorCode::kInternal;
}

TEST(LocalBlobStore, StoresUnderTenantAndHashPrefixesWithOwnerOnlyModes) {
  testing::TempDir folder;
  const auto root = folder.path() / "var" / "blobs";
  LocalBlobStore store(options_for(root));
  const auto info = store.put_bytes("tenant-a", "hello");
  const std::string hash = sha256_hex("hello");
  EXPECT_EQ(info.key, (BlobKey{"tenant-a", hash}));
  EXPECT_EQ(info.size, 5U);

  const auto path = root / "tenant-a" / hash.substr(0, 2) / hash.substr(2, 2) / hash;
  EXPECT_EQ(store.path_of(info.key), path);
  EXPECT_EQ(read_file(path), "hello");
  EXPECT_EQ(mode_of(path), 0600U);
  for (const auto& created : {root.parent_path(), root, root / ".tmp", root / "tenant-a",
                              root / "tenant-a" / hash.substr(0, 2), path.parent_path()}) {
    EXPECT_EQ(mode_of(created), 0700U) << created;
  }
  // No temporary file stays behind.
  EXPECT_EQ(entries_in(store.temp_folder()), 0U);
}

TEST(LocalBlobStore, PutFileLeavesTheSourceAlone) {
  testing::TempDir folder;
  LocalBlobStore store(options_for(folder.path() / "blobs"));
  const auto source = folder.path() / "upload.bin";
  std::string content(3 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>((i * 7) % 256);
  write_file(source, content);
  const auto info = store.put_file("t1", source);
  EXPECT_EQ(info.key.sha256, sha256_hex(content));
  EXPECT_EQ(info.size, content.size());
  EXPECT_EQ(read_file(source), content);
  EXPECT_EQ(read_file(store.path_of(info.key)), content);
  EXPECT_EQ(entries_in(store.temp_folder()), 0U);
}

TEST(LocalBlobStore, RemovesOnlyStaleTemporaryFilesAtStart) {
  testing::TempDir folder;
  const auto root = folder.path() / "blobs";
  { LocalBlobStore first(options_for(root)); }
  const auto stale = root / ".tmp" / "0123abcd.tmp";
  const auto fresh = root / ".tmp" / "4567ef01.tmp";
  write_file(stale, "left by a crash");
  write_file(fresh, "being written by another process");
  const time_t two_hours_ago = std::time(nullptr) - 7200;
  const utimbuf times{two_hours_ago, two_hours_ago};
  ASSERT_EQ(::utime(stale.c_str(), &times), 0);

  LocalBlobStore store(options_for(root));
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(fresh));
  EXPECT_EQ(store.remove_stale_temp_files(), 0U);
}

TEST(LocalBlobStore, RefusesToServeADamagedFile) {
  testing::TempDir folder;
  LocalBlobStore store(options_for(folder.path() / "blobs"));
  const auto info = store.put_bytes("t1", "original bytes");
  write_file(store.path_of(info.key), "tampered bytes");
  EXPECT_EQ(code_of([&] { store.get(info.key); }), ErrorCode::kInternal);
  const auto destination = folder.path() / "copy.bin";
  write_file(destination, "old content");
  EXPECT_EQ(code_of([&] { store.get_to_file(info.key, destination); }), ErrorCode::kInternal);
  EXPECT_FALSE(fs::exists(destination));
}

TEST(LocalBlobStore, APutRepairsATruncatedObject) {
  testing::TempDir folder;
  LocalBlobStore store(options_for(folder.path() / "blobs"));
  const auto info = store.put_bytes("t1", "complete content");
  write_file(store.path_of(info.key), "compl");
  EXPECT_EQ(store.stat(info.key)->size, 5U);
  EXPECT_EQ(store.put_bytes("t1", "complete content").key, info.key);
  EXPECT_EQ(store.get(info.key), "complete content");
}

TEST(LocalBlobStore, AnUnreadableSourceIsAnInternalError) {
  testing::TempDir folder;
  LocalBlobStore store(options_for(folder.path() / "blobs"));
  EXPECT_EQ(code_of([&] { store.put_file("t1", folder.path() / "missing.bin"); }), ErrorCode::kInternal);
  EXPECT_EQ(code_of([&] { store.put_file("t1", folder.path()); }), ErrorCode::kInternal);
  EXPECT_EQ(entries_in(store.temp_folder()), 0U);
}

TEST(LocalBlobStore, ARootThatCannotBeAFolderIsAConfigurationError) {
  testing::TempDir folder;
  write_file(folder.path() / "file", "x");
  EXPECT_THROW(LocalBlobStore(options_for(folder.path() / "file" / "blobs")), ConfigError);
  EXPECT_THROW(LocalBlobStore(options_for("")), ConfigError);
}

TEST(LocalBlobStore, CheckFailsWhenTheRootIsNotWritable) {
  testing::TempDir folder;
  const auto root = folder.path() / "blobs";
  LocalBlobStore store(options_for(root));
  EXPECT_NO_THROW(store.check());
  // Root ignores permission bits, so break the folder itself: a file where .tmp should be.
  fs::remove(root / ".tmp");
  write_file(root / ".tmp", "not a folder");
  EXPECT_EQ(code_of([&] { store.check(); }), ErrorCode::kUnavailable);
  EXPECT_EQ(code_of([&] { store.put_bytes("t1", "x"); }), ErrorCode::kUnavailable);
}

TEST(LocalBlobStore, GetToFileIntoAMissingFolderFailsCleanly) {
  testing::TempDir folder;
  LocalBlobStore store(options_for(folder.path() / "blobs"));
  const auto info = store.put_bytes("t1", "bytes");
  EXPECT_EQ(code_of([&] { store.get_to_file(info.key, folder.path() / "nowhere" / "copy.bin"); }),
            ErrorCode::kUnavailable);
  store.get_to_file(info.key, folder.path() / "copy.bin");
  EXPECT_EQ(read_file(folder.path() / "copy.bin"), "bytes");
  EXPECT_EQ(mode_of(folder.path() / "copy.bin"), 0600U);
  // Only the copy: the temporary file was renamed, not left beside it.
  EXPECT_EQ(entries_in(folder.path()), 2U);
}

}  // namespace
}  // namespace personae

#include "adapters/backup/backup_archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

BackupManifest sample_manifest() {
  BackupManifest manifest;
  manifest.created_by = "personae test";
  manifest.created_at_unix_ms = 1'790'000'000'000;
  manifest.dialect = "sqlite";
  manifest.schema_version = 3;
  manifest.blob_store = "local";
  return manifest;
}

/// A tar.gz written entry by entry, to build archives our writer never would.
class RawArchive {
 public:
  explicit RawArchive(const std::filesystem::path& path) : handle_(archive_write_new()) {
    archive_write_add_filter_gzip(handle_);
    archive_write_set_format_pax_restricted(handle_);
    archive_write_open_filename(handle_, path.c_str());
  }
  ~RawArchive() { close(); }
  void add(const std::string& name, std::string_view bytes, unsigned type = AE_IFREG) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, name.c_str());
    archive_entry_set_filetype(entry, type);
    archive_entry_set_perm(entry, 0600);
    if (type == AE_IFLNK) {
      archive_entry_set_symlink(entry, "/etc/passwd");
      archive_entry_set_size(entry, 0);
    } else {
      archive_entry_set_size(entry, static_cast<la_int64_t>(bytes.size()));
    }
    archive_write_header(handle_, entry);
    if (type == AE_IFREG) archive_write_data(handle_, bytes.data(), bytes.size());
    archive_entry_free(entry);
  }
  void close() {
    if (handle_ == nullptr) return;
    archive_write_close(handle_);
    archive_write_free(handle_);
    handle_ = nullptr;
  }

 private:
  archive* handle_;
};

std::string manifest_listing(const std::vector<std::pair<std::string, std::string>>& files,
                             int format_version = 1) {
  auto entries = nlohmann::json::array();
  for (const auto& [name, bytes] : files) {
    entries.push_back({{"name", name}, {"size", bytes.size()}, {"sha256", sha256_hex(bytes)}});
  }
  return nlohmann::json{{"format", "personae-backup"}, {"format_version", format_version},
                        {"created_by", "test"},        {"created_at_unix_ms", 1},
                        {"dialect", "sqlite"},         {"schema_version", 3},
                        {"blob_store", "local"},       {"entries", entries}}
      .dump();
}

class BackupArchiveTest : public ::testing::Test {
 protected:
  std::filesystem::path write_backup() {
    write_file(dir_.path() / "src" / "db", "database bytes");
    write_file(dir_.path() / "src" / "blob", std::string(1'000'000, 'x'));
    auto writer = BackupWriter::create(archive_path());
    EXPECT_TRUE(writer.has_value());
    EXPECT_TRUE((*writer)->add_file("database/personae.db", dir_.path() / "src" / "db").has_value());
    EXPECT_TRUE((*writer)->add_file("blobs/t1/abc", dir_.path() / "src" / "blob").has_value());
    EXPECT_TRUE((*writer)->finish(sample_manifest()).has_value());
    return archive_path();
  }

  std::filesystem::path archive_path() const { return dir_.path() / "backup.tar.gz"; }
  std::filesystem::path out() const { return dir_.path() / "out"; }

  Error extract_error(const std::filesystem::path& file) {
    std::filesystem::create_directories(out());
    auto extracted = extract_backup(file, out());
    EXPECT_FALSE(extracted.has_value());
    return extracted ? Error{} : extracted.error();
  }

  TempDir dir_;
};

TEST_F(BackupArchiveTest, RoundTripsFilesAndTheManifest) {
  write_backup();
  std::filesystem::create_directories(out());
  const auto manifest = extract_backup(archive_path(), out());
  ASSERT_TRUE(manifest.has_value()) << manifest.error().message;
  EXPECT_EQ(manifest->dialect, "sqlite");
  EXPECT_EQ(manifest->schema_version, 3);
  EXPECT_EQ(manifest->created_by, "personae test");
  ASSERT_EQ(manifest->entries.size(), 2U);
  EXPECT_EQ(manifest->entries[0].name, "database/personae.db");
  EXPECT_EQ(manifest->entries[0].sha256, sha256_hex("database bytes"));
  EXPECT_EQ(read_file(out() / "database" / "personae.db"), "database bytes");
  EXPECT_EQ(read_file(out() / "blobs" / "t1" / "abc"), std::string(1'000'000, 'x'));
  // Only the owner may read a backup: it holds every tenant's data.
  const auto permissions = std::filesystem::status(archive_path()).permissions();
  EXPECT_EQ(permissions & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
}

TEST_F(BackupArchiveTest, AnUnfinishedBackupLeavesNoFile) {
  write_file(dir_.path() / "db", "bytes");
  {
    auto writer = BackupWriter::create(archive_path());
    ASSERT_TRUE(writer.has_value());
    ASSERT_TRUE((*writer)->add_file("database/personae.db", dir_.path() / "db").has_value());
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().filename(), "db") << entry.path() << " left behind";
  }
}

TEST_F(BackupArchiveTest, RefusesAMissingSourceAndUnsafeNames) {
  auto writer = BackupWriter::create(archive_path());
  ASSERT_TRUE(writer.has_value());
  EXPECT_EQ((*writer)->add_file("database/x", dir_.path() / "missing").error().code, ErrorCode::kUnavailable);
  write_file(dir_.path() / "db", "bytes");
  EXPECT_EQ((*writer)->add_file("../escape", dir_.path() / "db").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ((*writer)->add_file("manifest.json", dir_.path() / "db").error().code,
            ErrorCode::kInvalidArgument);
}

TEST_F(BackupArchiveTest, AFileThatIsNotABackupIsNamedAsSuch) {
  write_file(dir_.path() / "random.bin", std::string(4096, '\x42'));
  EXPECT_THAT(extract_error(dir_.path() / "random.bin").message, HasSubstr("not a Personae backup"));

  RawArchive other(dir_.path() / "other.tar.gz");
  other.add("notes.txt", "hello");
  other.close();
  EXPECT_THAT(extract_error(dir_.path() / "other.tar.gz").message, HasSubstr("not a Personae backup"));

  RawArchive wrong_manifest(dir_.path() / "wrong.tar.gz");
  wrong_manifest.add("manifest.json", R"({"format":"something-else"})");
  wrong_manifest.close();
  EXPECT_THAT(extract_error(dir_.path() / "wrong.tar.gz").message, HasSubstr("not a Personae backup"));
}

TEST_F(BackupArchiveTest, AMissingFileIsNotFound) {
  std::filesystem::create_directories(out());
  EXPECT_EQ(extract_backup(dir_.path() / "nothing.tar.gz", out()).error().code, ErrorCode::kNotFound);
}

TEST_F(BackupArchiveTest, ATruncatedBackupIsRefused) {
  const auto bytes = read_file(write_backup());
  for (const std::size_t keep : {bytes.size() / 2, bytes.size() - 40, std::size_t{30}}) {
    SCOPED_TRACE(keep);
    write_file(dir_.path() / "cut.tar.gz", bytes.substr(0, keep));
    std::filesystem::remove_all(out());
    const auto error = extract_error(dir_.path() / "cut.tar.gz");
    EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(error.message, ::testing::AnyOf(HasSubstr("truncated"), HasSubstr("not a Personae backup")));
  }
}

TEST_F(BackupArchiveTest, AChangedByteIsCaughtByTheChecksums) {
  RawArchive tampered(dir_.path() / "tampered.tar.gz");
  tampered.add("database/personae.db", "database bytes, edited");
  tampered.add("manifest.json", manifest_listing({{"database/personae.db", "database bytes, edited!"}}));
  tampered.close();
  EXPECT_THAT(extract_error(dir_.path() / "tampered.tar.gz").message,
              HasSubstr("database/personae.db: content does not match its checksum"));
}

TEST_F(BackupArchiveTest, AListedFileMustBePresentAndAnUnlistedOneAbsent) {
  RawArchive missing(dir_.path() / "missing.tar.gz");
  missing.add("manifest.json", manifest_listing({{"database/personae.db", "bytes"}}));
  missing.close();
  EXPECT_THAT(extract_error(dir_.path() / "missing.tar.gz").message,
              HasSubstr("incomplete: database/personae.db is missing"));

  RawArchive extra(dir_.path() / "extra.tar.gz");
  extra.add("blobs/t1/stray", "stray");
  extra.add("manifest.json", manifest_listing({}));
  extra.close();
  EXPECT_THAT(extract_error(dir_.path() / "extra.tar.gz").message,
              HasSubstr("does not list: blobs/t1/stray"));

  RawArchive no_manifest(dir_.path() / "no-manifest.tar.gz");
  no_manifest.add("database/personae.db", "bytes");
  no_manifest.close();
  EXPECT_THAT(extract_error(dir_.path() / "no-manifest.tar.gz").message,
              HasSubstr("manifest.json is missing"));
}

TEST_F(BackupArchiveTest, UnsafeEntriesAreRefusedBeforeTheyAreWritten) {
  for (const std::string name : {"../escape", "/etc/cron.d/x", "blobs/../../x", "a//b", "./x"}) {
    SCOPED_TRACE(name);
    RawArchive unsafe(dir_.path() / "unsafe.tar.gz");
    unsafe.add(name, "payload");
    unsafe.close();
    EXPECT_THAT(extract_error(dir_.path() / "unsafe.tar.gz").message, HasSubstr("unsafe file name"));
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "escape"));
  }
  RawArchive link(dir_.path() / "link.tar.gz");
  link.add("database/personae.db", "", AE_IFLNK);
  link.close();
  EXPECT_THAT(extract_error(dir_.path() / "link.tar.gz").message, HasSubstr("other than a plain file"));
}

TEST_F(BackupArchiveTest, ANewerFormatIsRefusedWithWhatToDo) {
  RawArchive newer(dir_.path() / "newer.tar.gz");
  newer.add("manifest.json", manifest_listing({}, 2));
  newer.close();
  EXPECT_THAT(extract_error(dir_.path() / "newer.tar.gz").message, HasSubstr("newer backup format (2)"));
}

TEST_F(BackupArchiveTest, DuplicateEntriesAreRefused) {
  RawArchive twice(dir_.path() / "twice.tar.gz");
  twice.add("database/personae.db", "a");
  twice.add("database/personae.db", "b");
  twice.close();
  EXPECT_THAT(extract_error(dir_.path() / "twice.tar.gz").message, HasSubstr("twice"));
}

}  // namespace
}  // namespace personae

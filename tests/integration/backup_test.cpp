// Black-box tests of `personae backup` and `personae restore`: a round trip brings back the rows and
// the media bytes on SQLite and on PostgreSQL; a restore onto a new machine works with the keys;
// and every refusal (running instance, damaged or foreign archive, another master key, newer
// schema) leaves the live database as it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "tests/integration/personae_process.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/s3rver_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPassword = "correct horse battery staple\n";

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class BackupTest : public ::testing::Test {
 protected:
  /// `personae ARGS --data-dir <dir>` plus the database URL when the test uses PostgreSQL.
  CommandResult personae(std::vector<std::string> arguments, const std::filesystem::path& data_dir,
                         std::optional<std::string> input = std::nullopt) {
    arguments.insert(arguments.end(), {"--data-dir", data_dir.string(), "--log-level", "warn"});
    if (!database_url_.empty()) arguments.insert(arguments.end(), {"--database-url", database_url_});
    return run_personae(arguments, environment_, {}, std::move(input));
  }

  void create_tenant_and_owner(const std::filesystem::path& data_dir) {
    if (!database_url_.empty()) {
      ASSERT_EQ(personae({"migrate"}, data_dir).exit_status, 0);
    }
    const auto tenant = personae({"tenant", "create", "--name", "Atelier"}, data_dir);
    ASSERT_EQ(tenant.exit_status, 0) << tenant.standard_error;
    const auto user = personae(
        {"user", "create", "--tenant", "Atelier", "--email", "owner@atelier.example", "--role", "owner"},
        data_dir, kPassword);
    ASSERT_EQ(user.exit_status, 0) << user.standard_error;
  }

  ServeProcess serve(const std::filesystem::path& data_dir) {
    std::vector<std::string> arguments;
    if (!database_url_.empty()) arguments = {"--database-url", database_url_};
    return ServeProcess({data_dir, arguments, environment_, true});
  }

  static std::string sign_in(int port) {
    const auto login =
        http_request(port, "POST", "/api/v1/auth/login", {{"Content-Type", "application/json"}},
                     R"({"email":"owner@atelier.example","password":"correct horse battery staple"})");
    EXPECT_EQ(login.status, 200) << login.body;
    return nlohmann::json::parse(login.body).value("access_token", "");
  }

  /// Uploads the fixture portrait; returns the media item.
  static nlohmann::json upload(int port, const std::string& token) {
    const std::string body =
        "--edge\r\nContent-Disposition: form-data; name=\"rating\"\r\n\r\nsfw\r\n"
        "--edge\r\nContent-Disposition: form-data; name=\"file\"; filename=\"portrait.png\"\r\n"
        "Content-Type: image/png\r\n\r\n" +
        read(PERSONAE_SOURCE_DIR "/tests/fixtures/media/portrait.png") + "\r\n--edge--\r\n";
    const auto uploaded = http_request(
        port, "POST", "/api/v1/media",
        {{"Authorization", "Bearer " + token}, {"Content-Type", "multipart/form-data; boundary=edge"}}, body);
    EXPECT_EQ(uploaded.status, 201) << uploaded.body;
    return nlohmann::json::parse(uploaded.body);
  }

  static std::map<std::string, std::string> download_variants(int port, const std::string& token,
                                                              const nlohmann::json& item) {
    std::map<std::string, std::string> bytes;
    for (const auto& variant : item["variants"]) {
      const auto download = http_request(port, "GET", variant["url"].get<std::string>(),
                                         {{"Authorization", "Bearer " + token}});
      EXPECT_EQ(download.status, 200) << variant["name"];
      bytes[variant["name"]] = download.body;
    }
    return bytes;
  }

  std::string tenants(const std::filesystem::path& data_dir) {
    return personae({"tenant", "list"}, data_dir).standard_output;
  }

  /// Uploads media, backs up, then changes the data; restores and checks that rows and bytes came
  /// back and the audit chain is intact with the restore recorded.
  void round_trip() {
    const auto data_dir = dir_.path() / "var";
    create_tenant_and_owner(data_dir);
    nlohmann::json item;
    std::map<std::string, std::string> before;
    {
      auto server = serve(data_dir);
      const auto token = sign_in(server.port());
      item = upload(server.port(), token);
      before = download_variants(server.port(), token, item);
      // A backup while the server runs.
      const auto backup = personae({"backup", "--output", archive().string()}, data_dir);
      ASSERT_EQ(backup.exit_status, 0) << backup.standard_error;
      EXPECT_THAT(backup.standard_output, HasSubstr("media objects included"));
      const auto deleted =
          http_request(server.port(), "DELETE", "/api/v1/media/" + item["id"].get<std::string>(),
                       {{"Authorization", "Bearer " + token}});
      EXPECT_EQ(deleted.status, 204) << deleted.body;
      EXPECT_EQ(server.terminate(), 0);
    }
    ASSERT_EQ(personae({"tenant", "create", "--name", "After the backup"}, data_dir).exit_status, 0);

    const auto restored = personae({"restore", "--input", archive().string(), "--yes"}, data_dir);
    ASSERT_EQ(restored.exit_status, 0) << restored.standard_error;
    EXPECT_THAT(restored.standard_output, HasSubstr("the previous database is kept as"));
    EXPECT_THAT(tenants(data_dir), Not(HasSubstr("After the backup")));
    EXPECT_THAT(tenants(data_dir), HasSubstr("Atelier"));

    auto server = serve(data_dir);
    const auto token = sign_in(server.port());
    const auto fetched = http_request(server.port(), "GET", "/api/v1/media/" + item["id"].get<std::string>(),
                                      {{"Authorization", "Bearer " + token}});
    ASSERT_EQ(fetched.status, 200) << fetched.body;
    EXPECT_EQ(download_variants(server.port(), token, nlohmann::json::parse(fetched.body)), before);
    EXPECT_EQ(server.terminate(), 0);

    const auto verified = personae({"audit", "verify"}, data_dir);
    EXPECT_EQ(verified.exit_status, 0) << verified.standard_output;
  }

  std::filesystem::path archive() const { return dir_.path() / "backup.tar.gz"; }

  /// Rewrites archive() into `output` after `edit` changed its files or its manifest, with the
  /// entries' checksums recomputed: what a careful forger, or a newer release, would produce.
  void rewrite_archive(const std::filesystem::path& output,
                       const std::function<void(const std::filesystem::path&, nlohmann::json&)>& edit) {
    const auto folder = dir_.path() / "rewrite";
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    ASSERT_EQ(tool({"/usr/bin/tar", "-xzf", archive().string(), "-C", folder.string()}).exit_status, 0);
    auto manifest = nlohmann::json::parse(read(folder / "manifest.json"));
    edit(folder, manifest);
    std::vector<std::string> names;
    for (auto& entry : manifest["entries"]) {
      const auto file = folder / entry["name"].get<std::string>();
      entry["size"] = std::filesystem::file_size(file);
      entry["sha256"] = sha256_file_hex(file).value_or("");
      names.push_back(entry["name"]);
    }
    std::ofstream(folder / "manifest.json") << manifest.dump();
    std::vector<std::string> command{"/usr/bin/tar", "-czf", output.string(), "-C", folder.string()};
    command.insert(command.end(), names.begin(), names.end());
    command.push_back("manifest.json");
    ASSERT_EQ(tool(command).exit_status, 0);
  }

  static CommandResult tool(std::vector<std::string> arguments) {
    ChildProcess::Options options;
    options.arguments = std::move(arguments);
    return run_command(std::move(options), std::chrono::seconds(60));
  }

  TempDir dir_;
  std::string database_url_;
  std::map<std::string, std::string> environment_;  ///< PERSONAE_* settings (the blob store)
};

TEST_F(BackupTest, SqliteRoundTripBringsBackRowsAndMedia) {
  round_trip();
}

TEST_F(BackupTest, PostgresqlRoundTripBringsBackRowsAndMedia) {
  database_url_ = shared_postgres_server().create_application_database();
  round_trip();
}

TEST_F(BackupTest, RestoreOnANewMachineNeedsTheKeysAndWorksWithThem) {
  const auto old_machine = dir_.path() / "old";
  create_tenant_and_owner(old_machine);
  { auto server = serve(old_machine); }  // creates the master key and the signing keys
  ASSERT_EQ(personae({"backup", "-o", archive().string()}, old_machine).exit_status, 0);
  const auto with_keys = dir_.path() / "with-keys.tar.gz";
  const auto secret_backup = personae({"backup", "-o", with_keys.string(), "--include-secrets"}, old_machine);
  ASSERT_EQ(secret_backup.exit_status, 0) << secret_backup.standard_error;

  // A new machine has its own master key: the data sealed with the old one would not open.
  const auto new_machine = dir_.path() / "new";
  { auto server = serve(new_machine); }
  const auto refused = personae({"restore", "-i", archive().string(), "--yes"}, new_machine);
  EXPECT_EQ(refused.exit_status, 1);
  EXPECT_THAT(refused.standard_error, HasSubstr("another master key"));
  EXPECT_THAT(tenants(new_machine), Not(HasSubstr("Atelier")));

  const auto restored = personae({"restore", "-i", with_keys.string(), "--yes"}, new_machine);
  ASSERT_EQ(restored.exit_status, 0) << restored.standard_error;
  EXPECT_THAT(restored.standard_output, HasSubstr("restored the master key"));
  EXPECT_EQ(read(new_machine / "secrets" / "master.key"), read(old_machine / "secrets" / "master.key"));
  auto server = serve(new_machine);
  EXPECT_FALSE(sign_in(server.port()).empty());
  EXPECT_EQ(server.terminate(), 0);
}

TEST_F(BackupTest, RestoreRefusesWhileServeRunsAndChangesNothing) {
  const auto data_dir = dir_.path() / "var";
  create_tenant_and_owner(data_dir);
  ASSERT_EQ(personae({"backup", "-o", archive().string()}, data_dir).exit_status, 0);
  ASSERT_EQ(personae({"tenant", "create", "--name", "Kept"}, data_dir).exit_status, 0);
  auto server = serve(data_dir);
  const auto refused = personae({"restore", "-i", archive().string(), "--yes"}, data_dir);
  EXPECT_EQ(refused.exit_status, 1);
  EXPECT_THAT(refused.standard_error, HasSubstr("stop it before restoring"));
  EXPECT_EQ(server.terminate(), 0);
  EXPECT_THAT(tenants(data_dir), HasSubstr("Kept"));
}

TEST_F(BackupTest, DamagedOrForeignArchivesAreRefusedAndChangeNothing) {
  const auto data_dir = dir_.path() / "var";
  create_tenant_and_owner(data_dir);
  ASSERT_EQ(personae({"backup", "-o", archive().string()}, data_dir).exit_status, 0);
  ASSERT_EQ(personae({"tenant", "create", "--name", "Kept"}, data_dir).exit_status, 0);
  const auto bytes = read(archive());

  const auto truncated = dir_.path() / "truncated.tar.gz";
  std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  auto flipped_bytes = bytes;
  flipped_bytes[bytes.size() / 2] = static_cast<char>(flipped_bytes[bytes.size() / 2] ^ 0x55);
  const auto flipped = dir_.path() / "flipped.tar.gz";
  std::ofstream(flipped, std::ios::binary) << flipped_bytes;
  const auto foreign = dir_.path() / "photo.png";
  std::filesystem::copy_file(PERSONAE_SOURCE_DIR "/tests/fixtures/media/portrait.png", foreign);

  for (const auto& file : {truncated, flipped, foreign, dir_.path() / "missing.tar.gz"}) {
    SCOPED_TRACE(file.filename().string());
    const auto refused = personae({"restore", "-i", file.string(), "--yes"}, data_dir);
    EXPECT_EQ(refused.exit_status, 1);
    EXPECT_THAT(refused.standard_error, ::testing::AnyOf(HasSubstr("truncated"), HasSubstr("damaged"),
                                                         HasSubstr("not a Personae backup"),
                                                         HasSubstr("checksum"), HasSubstr("no such file")));
    EXPECT_THAT(tenants(data_dir), HasSubstr("Kept"));
  }
  // Nothing of the attempts is left beside the database.
  for (const auto& entry : std::filesystem::directory_iterator(data_dir)) {
    EXPECT_THAT(entry.path().filename().string(), Not(HasSubstr("restore"))) << entry.path();
  }
}

TEST_F(BackupTest, ADatabaseFromANewerReleaseIsRefused) {
  const auto data_dir = dir_.path() / "var";
  create_tenant_and_owner(data_dir);
  ASSERT_EQ(personae({"backup", "-o", archive().string()}, data_dir).exit_status, 0);
  const auto newer = dir_.path() / "newer.tar.gz";
  rewrite_archive(newer, [](const auto&, nlohmann::json& manifest) { manifest["schema_version"] = 999; });
  const auto refused = personae({"restore", "-i", newer.string(), "--yes"}, data_dir);
  EXPECT_EQ(refused.exit_status, 1);
  EXPECT_THAT(refused.standard_error, HasSubstr("schema version 999, newer than this binary knows"));
}

TEST_F(BackupTest, ADatabaseWithABrokenAuditChainIsRefusedBeforeTheSwap) {
  const auto data_dir = dir_.path() / "var";
  create_tenant_and_owner(data_dir);
  ASSERT_EQ(personae({"backup", "-o", archive().string()}, data_dir).exit_status, 0);
  ASSERT_EQ(personae({"tenant", "create", "--name", "Kept"}, data_dir).exit_status, 0);
  const auto forged = dir_.path() / "forged.tar.gz";
  rewrite_archive(forged, [](const std::filesystem::path& folder, nlohmann::json&) {
    sqlite3* handle = nullptr;
    ASSERT_EQ(sqlite3_open((folder / "database" / "personae.db").c_str(), &handle), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(handle, "UPDATE audit_log SET actor = 'mallory' WHERE sequence = 1", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(handle);
  });
  const auto refused = personae({"restore", "-i", forged.string(), "--yes"}, data_dir);
  EXPECT_EQ(refused.exit_status, 1);
  EXPECT_THAT(refused.standard_error, HasSubstr("audit log is broken"));
  EXPECT_THAT(tenants(data_dir), HasSubstr("Kept"));
}

TEST_F(BackupTest, RestoreAsksForConfirmationWhenNotInteractive) {
  const auto data_dir = dir_.path() / "var";
  create_tenant_and_owner(data_dir);
  ASSERT_EQ(personae({"backup", "-o", archive().string()}, data_dir).exit_status, 0);
  const auto refused = personae({"restore", "-i", archive().string()}, data_dir);
  EXPECT_EQ(refused.exit_status, 1);
  EXPECT_THAT(refused.standard_error, HasSubstr("--yes"));
}

TEST_F(BackupTest, ABackupOfAnotherKindOfDatabaseIsRefused) {
  const auto data_dir = dir_.path() / "var";
  create_tenant_and_owner(data_dir);
  ASSERT_EQ(personae({"backup", "-o", archive().string()}, data_dir).exit_status, 0);
  database_url_ = shared_postgres_server().create_application_database();
  ASSERT_EQ(personae({"migrate"}, data_dir).exit_status, 0);
  const auto refused = personae({"restore", "-i", archive().string(), "--yes"}, data_dir);
  EXPECT_EQ(refused.exit_status, 1);
  EXPECT_THAT(refused.standard_error, HasSubstr("backup of a sqlite database"));
}

TEST_F(BackupTest, PostgresqlRestoreRefusesWhileAnInstanceIsConnected) {
  database_url_ = shared_postgres_server().create_application_database();
  const auto data_dir = dir_.path() / "var";
  create_tenant_and_owner(data_dir);
  ASSERT_EQ(personae({"backup", "-o", archive().string()}, data_dir).exit_status, 0);
  // The server runs on another machine: another data folder, the same database.
  auto server = serve(dir_.path() / "elsewhere");
  const auto refused = personae({"restore", "-i", archive().string(), "--yes"}, data_dir);
  EXPECT_EQ(refused.exit_status, 1);
  EXPECT_THAT(refused.standard_error, HasSubstr("connected to the database"));
  EXPECT_EQ(server.terminate(), 0);
}

TEST_F(BackupTest, S3MediaAreReferencedUnlessIncludedAndIncludedOnesMoveToAnotherStore) {
  S3rverServer s3({PERSONAE_S3RVER});
  environment_ = {{"PERSONAE_BLOB_TYPE", "s3"},
                  {"PERSONAE_BLOB_S3_ENDPOINT", s3.endpoint()},
                  {"PERSONAE_BLOB_S3_BUCKET", s3.bucket()},
                  {"PERSONAE_BLOB_S3_ACCESS_KEY", "S3RVER"},
                  {"PERSONAE_BLOB_S3_SECRET_KEY", "S3RVER"}};
  const auto on_s3 = dir_.path() / "s3";
  create_tenant_and_owner(on_s3);
  std::map<std::string, std::string> before;
  std::string media_id;
  {
    auto server = serve(on_s3);
    const auto token = sign_in(server.port());
    const auto item = upload(server.port(), token);
    media_id = item["id"];
    before = download_variants(server.port(), token, item);
    EXPECT_EQ(server.terminate(), 0);
  }
  const auto referenced = dir_.path() / "referenced.tar.gz";
  const auto included = dir_.path() / "included.tar.gz";
  const auto by_reference = personae({"backup", "-o", referenced.string(), "--include-secrets"}, on_s3);
  ASSERT_EQ(by_reference.exit_status, 0) << by_reference.standard_error;
  EXPECT_THAT(by_reference.standard_output, HasSubstr("referenced in " + s3.endpoint()));
  const auto with_media =
      personae({"backup", "-o", included.string(), "--include-secrets", "--include-blobs"}, on_s3);
  ASSERT_EQ(with_media.exit_status, 0) << with_media.standard_error;
  EXPECT_THAT(with_media.standard_output, HasSubstr("media objects included"));

  // Another machine with a local store: the referenced objects are not there.
  environment_.clear();
  const auto local = dir_.path() / "local";
  const auto refused = personae({"restore", "-i", referenced.string(), "--yes"}, local);
  EXPECT_EQ(refused.exit_status, 1);
  EXPECT_THAT(refused.standard_error, HasSubstr("not in the blob store"));
  EXPECT_THAT(tenants(local), Not(HasSubstr("Atelier")));

  const auto restored = personae({"restore", "-i", included.string(), "--yes"}, local);
  ASSERT_EQ(restored.exit_status, 0) << restored.standard_error;
  auto server = serve(local);
  const auto token = sign_in(server.port());
  const auto fetched =
      http_request(server.port(), "GET", "/api/v1/media/" + media_id, {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  EXPECT_EQ(download_variants(server.port(), token, nlohmann::json::parse(fetched.body)), before);
  EXPECT_EQ(server.terminate(), 0);
}

}  // namespace
}  // namespace personae::testing

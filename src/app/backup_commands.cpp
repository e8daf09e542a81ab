// `personae backup` and `personae restore`: one archive holds the database (a consistent
// snapshot), the media it refers to and, on request, the keys; a restore checks all of it before it
// replaces anything, keeps what it replaces, and records itself in the audit log.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "adapters/backup/backup_archive.hpp"
#include "adapters/backup/database_snapshot.hpp"
#include "adapters/db/database_url.hpp"
#include "adapters/db/sql_backup_support.hpp"
#include "adapters/db/sql_tenant_repository.hpp"
#include "app/backup_commands.hpp"
#include "app/build_info.hpp"
#include "app/commands.hpp"
#include "app/instance_lock.hpp"
#include "app/storage.hpp"
#include "app/vault_wiring.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/utc_time.hpp"
#include "observability/log.hpp"

namespace personae {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSqliteEntry = "database/personae.db";
constexpr const char* kPostgresEntry = "database/personae.dump";
constexpr const char* kBlobKeysEntry = "blob_keys.txt";
constexpr const char* kMasterKeyEntry = "secrets/master.key";
constexpr const char* kKeysFolder = "keys/";

/// A folder removed with its contents when the command ends, however it ends.
class WorkFolder {
 public:
  explicit WorkFolder(fs::path path) : path_(std::move(path)) {
    fs::create_directories(path_);
    fs::permissions(path_, fs::perms::owner_all);
  }
  ~WorkFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  WorkFolder(const WorkFolder&) = delete;
  WorkFolder& operator=(const WorkFolder&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

template <class Value>
Value value_or_throw(Result<Value> result) {
  if (!result) throw AppError(result.error());
  if constexpr (!std::is_void_v<Value>) return std::move(*result);
}

std::string read_whole_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_private_file(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out) throw AppError(ErrorCode::kUnavailable, "cannot write " + path.string());
  }
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
}

/// Identifies a master key without revealing it: the data a backup holds (sealed second factors,
/// later platform tokens) opens only with the key whose fingerprint the manifest records.
std::string master_key_fingerprint(const fs::path& key_file) {
  std::error_code missing;
  if (!fs::is_regular_file(key_file, missing)) return "";
  return sha256_hex("personae-backup-key-fingerprint-v1:" + read_whole_file(key_file)).substr(0, 16);
}

std::string now_stamp() {
  return format_utc(system_now_unix_ms(), "%Y%m%dT%H%M%SZ");
}

std::string blob_reference(const Config& config) {
  if (config.blob.type != "s3") return fs::absolute(config.blob.local_path).lexically_normal().string();
  return config.blob.s3_endpoint + "/" + config.blob.s3_bucket + "/" + config.blob.s3_prefix;
}

std::map<std::string, std::string> postgres_environment(const Config& config) {
  auto environment =
      value_or_throw(postgres_tool_environment(DatabaseUrl::parse(config.database.url).postgres_uri()));
  if (!config.database.password.empty()) environment["PGPASSWORD"] = config.database.password.reveal();
  return environment;
}

std::string format_bytes(std::uint64_t bytes) {
  std::ostringstream out;
  out.precision(1);
  out << std::fixed << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MiB";
  return out.str();
}

/// Copies the database as one snapshot into `folder` and returns the archive entry name, the file,
/// and the blob keys the snapshot refers to.
struct DatabaseCopy {
  std::string entry;
  fs::path file;
  std::vector<std::string> blob_keys;
};

DatabaseCopy copy_database(const Config& config, SociDatabase& database, const fs::path& folder) {
  DatabaseCopy copy;
  if (database.dialect() == Dialect::kSqlite) {
    copy.entry = kSqliteEntry;
    copy.file = folder / "personae.db";
    copy.blob_keys =
        value_or_throw(snapshot_sqlite(database.sqlite_file(), copy.file, kReferencedBlobKeysQuery));
    return copy;
  }
  copy.entry = kPostgresEntry;
  copy.file = folder / "personae.dump";
  const auto environment = postgres_environment(config);
  // The exported snapshot is valid while this read transaction is open: pg_dump and the blob
  // query read the same moment.
  database.read([&](Transaction& tx) {
    const auto snapshot = export_postgres_snapshot(tx);
    copy.blob_keys = referenced_blob_keys(tx);
    value_or_throw(dump_postgres(PostgresTools{}, environment, snapshot, copy.file));
  });
  return copy;
}

int count_lines(const fs::path& file) {
  std::ifstream in(file);
  int count = 0;
  for (std::string line; std::getline(in, line);) count += line.empty() ? 0 : 1;
  return count;
}

std::vector<std::string> read_lines(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

bool confirmed(const BackupManifest& manifest, const Config& config, const std::string& database) {
  std::cout << "This replaces the database " << database << " and adds "
            << (manifest.blob_store == "local" ? "the backup's media to " : "nothing to ")
            << "the blob store (" << blob_reference(config) << ")\nwith the backup made "
            << format_utc(manifest.created_at_unix_ms, "%Y-%m-%d %H:%M:%SZ") << " by " << manifest.created_by
            << ". What is replaced is kept aside.\n"
            << "Type 'restore' to go on: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "restore";
}

/// The checks a SQLite database from a backup passes before it replaces the live one: sound file,
/// migrations this binary knows unchanged, every audit chain intact.
void verify_restored_sqlite(const fs::path& file, const Clock& clock) {
  if (auto sound = check_sqlite_integrity(file); !sound) {
    throw AppError(ErrorCode::kInvalidArgument,
                   "the backup's database is unusable: " + sound.error().message);
  }
  SociDatabaseOptions options;
  options.url = "sqlite://" + fs::absolute(file).string();
  options.pool_size = 1;
  SociDatabase database(options);
  SqlMigrator migrator(database, clock);
  const auto status = migrator.status();
  for (const auto& migration : status.migrations) {
    if (migration.state == MigrationState::kChanged || migration.state == MigrationState::kUnknown) {
      throw AppError(ErrorCode::kInvalidArgument,
                     "the backup's database does not match this binary's migrations (" +
                         status.problem().value_or("migration " + std::to_string(migration.version)) + ")");
    }
  }
  SqlAuditLogRepository audit_repository;
  AuditLogService audit(database, audit_repository, clock);
  SqlTenantRepository tenants;
  std::vector<std::optional<std::string>> chains{std::nullopt};
  if (status.current_version >= 2) {
    for (const auto& tenant : database.read([&](Transaction& tx) { return tenants.list_all(tx); })) {
      chains.emplace_back(tenant.id);
    }
  }
  for (const auto& chain : chains) {
    const auto verification = audit.verify(chain);
    if (!verification.intact) {
      throw AppError(ErrorCode::kInvalidArgument, "the backup's audit log is broken (" +
                                                      (chain ? "tenant " + *chain : std::string("system")) +
                                                      " chain: " + verification.problem +
                                                      "); nothing was restored");
    }
  }
  database.close();
}

/// Moves `path` (and SQLite's -wal and -shm files beside it) to `<path>.before-restore-<stamp>`;
/// returns the new name, or an empty path when there was nothing to move.
fs::path set_aside(const fs::path& path, const std::string& stamp) {
  std::error_code missing;
  if (!fs::exists(path, missing)) return {};
  fs::path aside = path;
  aside += ".before-restore-" + stamp;
  fs::rename(path, aside);
  return aside;
}

void replace_sqlite_database(const fs::path& live, const fs::path& restored, const std::string& stamp) {
  // A checkpoint folds the write-ahead log into the file, so that the file set aside is complete.
  if (fs::exists(live)) value_or_throw(checkpoint_sqlite(live));
  const auto aside = set_aside(live, stamp);
  for (const char* suffix : {"-wal", "-shm"}) {
    std::error_code ignored;
    fs::remove(fs::path(live.string() + suffix), ignored);
  }
  fs::rename(restored, live);
  if (!aside.empty()) std::cout << "the previous database is kept as " << aside.string() << "\n";
}

void restore_secrets(const Config& config, const fs::path& extracted, const BackupManifest& manifest,
                     const std::string& stamp) {
  if (!manifest.includes_secrets) return;
  const fs::path master_key = config.secrets.master_key_file;
  const auto restored_key = read_whole_file(extracted / kMasterKeyEntry);
  if (!fs::exists(master_key) || read_whole_file(master_key) != restored_key) {
    const auto aside = set_aside(master_key, stamp);
    write_private_file(master_key, restored_key);
    std::cout << "restored the master key to " << master_key.string()
              << (aside.empty() ? "" : " (the previous one is kept as " + aside.string() + ")") << "\n";
  }
  const fs::path keys_dir = config.auth.jwt_keys_dir;
  for (const auto& entry : manifest.entries) {
    if (!entry.name.starts_with(kKeysFolder)) continue;
    const auto target = keys_dir / entry.name.substr(std::string_view(kKeysFolder).size());
    const auto bytes = read_whole_file(extracted / entry.name);
    if (fs::exists(target) && read_whole_file(target) == bytes) continue;
    set_aside(target, stamp);
    write_private_file(target, bytes);
  }
}

}  // namespace

int backup_command(const Config& config, const BackupOptions& options) {
  SystemClock clock;
  Storage storage = open_storage(config, clock, "personae-backup");
  const auto status = storage.migrator->status();
  auto blobs = make_blob_store(config);
  const bool include_blobs = blobs->kind() == std::string_view("local") || options.include_blobs;

  fs::path output = options.output;
  if (output.empty())
    output = fs::path(config.data_dir) / "backups" / ("personae-" + now_stamp() + ".tar.gz");
  fs::create_directories(fs::absolute(output).parent_path());
  WorkFolder work(fs::path(config.data_dir) / "tmp" / ("backup-" + random_hex(6)));

  const auto copy = copy_database(config, *storage.database, work.path());
  auto writer = value_or_throw(BackupWriter::create(output));
  value_or_throw(writer->add_file(copy.entry, copy.file));
  fs::remove(copy.file);

  {
    std::ofstream keys(work.path() / "blob_keys.txt");
    for (const auto& key : copy.blob_keys) keys << key << "\n";
  }
  value_or_throw(writer->add_file(kBlobKeysEntry, work.path() / "blob_keys.txt"));

  std::uint64_t blob_bytes = 0;
  std::vector<std::string> missing;
  if (include_blobs) {
    const auto scratch = work.path() / "blob";
    for (const auto& text : copy.blob_keys) {
      const auto key = BlobKey::parse(text);
      if (!key) {
        missing.push_back(text);
        continue;
      }
      try {
        blobs->get_to_file(*key, scratch);
      } catch (const AppError& error) {
        if (error.error().code != ErrorCode::kNotFound) throw;
        missing.push_back(text);
        continue;
      }
      if (sha256_file_hex(scratch).value_or("") != key->sha256) {
        throw AppError(ErrorCode::kUnavailable, "the blob store returned damaged bytes for " + text);
      }
      blob_bytes += fs::file_size(scratch);
      value_or_throw(writer->add_file("blobs/" + text, scratch));
    }
  }

  BackupManifest manifest;
  manifest.created_by =
      "personae " + std::string(kBuildInfo.version) + " (commit " + std::string(kBuildInfo.commit) + ")";
  manifest.created_at_unix_ms = system_now_unix_ms();
  manifest.dialect = storage.database->dialect() == Dialect::kSqlite ? "sqlite" : "postgresql";
  manifest.schema_version = status.current_version;
  manifest.blob_store = include_blobs ? "included" : "referenced";
  manifest.blob_reference = blob_reference(config);
  manifest.master_key_fingerprint = master_key_fingerprint(config.secrets.master_key_file);
  manifest.missing_blobs = missing;
  if (options.include_secrets) {
    if (manifest.master_key_fingerprint.empty()) {
      throw AppError(ErrorCode::kFailedPrecondition,
                     "--include-secrets: there is no master key at " + config.secrets.master_key_file);
    }
    value_or_throw(writer->add_file(kMasterKeyEntry, config.secrets.master_key_file));
    std::error_code missing_dir;
    for (const auto& entry : fs::directory_iterator(config.auth.jwt_keys_dir, missing_dir)) {
      if (entry.is_regular_file()) {
        value_or_throw(writer->add_file(kKeysFolder + entry.path().filename().string(), entry.path()));
      }
    }
    manifest.includes_secrets = true;
  }
  value_or_throw(writer->finish(manifest));

  nlohmann::json details{{"file", fs::absolute(output).string()},
                         {"schema_version", manifest.schema_version},
                         {"blobs", copy.blob_keys.size()},
                         {"blobs_included", include_blobs},
                         {"includes_secrets", manifest.includes_secrets},
                         {"missing_blobs", missing.size()}};
  storage.audit->append(NewAuditEntry{std::nullopt, "cli", "backup.created", "backup", details.dump()});
  storage.database->close();

  std::cout << "backup written to " << output.string() << " (" << format_bytes(fs::file_size(output))
            << "): database schema version " << manifest.schema_version << ", " << copy.blob_keys.size()
            << " media objects "
            << (include_blobs ? "included (" + format_bytes(blob_bytes) + ")"
                              : "referenced in " + manifest.blob_reference)
            << (manifest.includes_secrets
                    ? ", master key and signing keys included: keep this file as safe as the keys"
                    : ", keys not included: keep " + config.secrets.master_key_file + " safely too")
            << "\n";
  if (!missing.empty()) {
    std::cerr << "personae: warning: " << missing.size()
              << " media objects the database refers to were already missing from the blob store (first: "
              << missing.front() << "); the backup records them as missing\n";
    log::warn("backup: blobs missing from the store",
              {{"count", missing.size()}, {"first", missing.front()}});
  }
  return kExitOk;
}

int restore_command(const Config& config, const RestoreOptions& options) {
  SystemClock clock;
  const auto lock = InstanceLock::try_acquire(config.data_dir, InstanceLock::Mode::kExclusive);
  if (!lock) {
    throw AppError(ErrorCode::kFailedPrecondition,
                   "Personae is running with this data folder (a serve or worker holds " +
                       (fs::path(config.data_dir) / "personae.lock").string() +
                       "); stop it before restoring");
  }
  const auto url = DatabaseUrl::parse(config.database.url);
  const bool sqlite = url.dialect() == Dialect::kSqlite;
  const fs::path live_sqlite = sqlite ? fs::absolute(url.sqlite_path()).lexically_normal() : fs::path();
  // Beside the live file for SQLite, so that the swap is a rename on one filesystem.
  const fs::path work_parent = sqlite ? live_sqlite.parent_path() : fs::path(config.data_dir) / "tmp";
  WorkFolder work(work_parent / (".restore-" + random_hex(6)));

  auto manifest = value_or_throw(extract_backup(options.input, work.path()));
  const std::string target_dialect = sqlite ? "sqlite" : "postgresql";
  if (manifest.dialect != target_dialect) {
    throw AppError(ErrorCode::kInvalidArgument,
                   "this is a backup of a " + manifest.dialect + " database and the configured database is " +
                       target_dialect + "; restore it into the same kind of database");
  }
  const std::string entry = sqlite ? kSqliteEntry : kPostgresEntry;
  if (std::none_of(manifest.entries.begin(), manifest.entries.end(),
                   [&](const auto& e) { return e.name == entry; })) {
    throw AppError(ErrorCode::kInvalidArgument, "the backup holds no " + entry);
  }

  Storage storage = open_storage(config, clock, "personae-restore");
  const auto latest = storage.migrator->status().latest_version;
  if (manifest.schema_version > latest) {
    throw AppError(ErrorCode::kInvalidArgument,
                   "the backup's database has schema version " + std::to_string(manifest.schema_version) +
                       ", newer than this binary knows (" + std::to_string(latest) +
                       "): restore it with the release that made it (" + manifest.created_by + ")");
  }
  if (!manifest.includes_secrets && !manifest.master_key_fingerprint.empty() &&
      master_key_fingerprint(config.secrets.master_key_file) != manifest.master_key_fingerprint) {
    throw AppError(
        ErrorCode::kFailedPrecondition,
        "the backup's data was sealed with another master key (fingerprint " +
            manifest.master_key_fingerprint + ") than " + config.secrets.master_key_file +
            "; copy that key there (from the machine that made the backup), or make the backup with "
            "--include-secrets");
  }
  if (!sqlite) {
    const int others = storage.database->read([](Transaction& tx) { return other_personae_connections(tx); });
    if (others > 0) {
      throw AppError(ErrorCode::kFailedPrecondition,
                     std::to_string(others) +
                         " Personae processes (serve or worker) are connected to the database; "
                         "stop every one before restoring");
    }
  } else {
    verify_restored_sqlite(work.path() / kSqliteEntry, clock);
  }

  if (!options.assume_yes) {
    if (::isatty(STDIN_FILENO) == 0) {
      throw AppError(ErrorCode::kFailedPrecondition,
                     "restore replaces the database: add --yes to confirm when not running interactively");
    }
    if (!confirmed(manifest, config, storage.database->redacted_url())) {
      std::cout << "nothing was restored\n";
      return kExitFailure;
    }
  }

  // Media first: once the database refers to them, they must be there.
  auto blobs = make_blob_store(config);
  std::uint64_t restored_blobs = 0;
  for (const auto& item : manifest.entries) {
    if (!item.name.starts_with("blobs/")) continue;
    const auto key = BlobKey::parse(item.name.substr(6));
    if (!key)
      throw AppError(ErrorCode::kInvalidArgument, "the backup holds a malformed blob name: " + item.name);
    const auto stored = blobs->put_file(key->tenant_id, work.path() / item.name);
    if (stored.key != *key)
      throw AppError(ErrorCode::kInvalidArgument, item.name + ": content does not match its name");
    ++restored_blobs;
  }
  const std::set<std::string> missing_at_backup(manifest.missing_blobs.begin(), manifest.missing_blobs.end());
  std::vector<std::string> absent;
  for (const auto& text : read_lines(work.path() / kBlobKeysEntry)) {
    const auto key = BlobKey::parse(text);
    if (key && !missing_at_backup.contains(text) && !blobs->stat(*key)) absent.push_back(text);
  }
  if (!absent.empty()) {
    throw AppError(
        ErrorCode::kFailedPrecondition,
        std::to_string(absent.size()) +
            " media objects the backup refers to are not in the blob store (first: " + absent.front() +
            "); the backup references " + manifest.blob_reference +
            ": point blob.* at it, or make the backup with --include-blobs. The database was not changed");
  }

  const std::string stamp = now_stamp();
  restore_secrets(config, work.path(), manifest, stamp);
  if (sqlite) {
    storage.database->close();
    replace_sqlite_database(live_sqlite, work.path() / kSqliteEntry, stamp);
  } else {
    // What is replaced is dumped first, so that this restore can itself be undone.
    const fs::path kept = fs::path(config.data_dir) / "backups" / ("before-restore-" + stamp + ".dump");
    fs::create_directories(kept.parent_path());
    const auto environment = postgres_environment(config);
    storage.database->read([&](Transaction& tx) {
      value_or_throw(dump_postgres(PostgresTools{}, environment, export_postgres_snapshot(tx), kept));
    });
    fs::permissions(kept, fs::perms::owner_read | fs::perms::owner_write);
    value_or_throw(restore_postgres(PostgresTools{}, environment, work.path() / kPostgresEntry, work.path()));
    storage.database->close();
    std::cout << "the previous database is kept as " << kept.string() << " (pg_restore format)\n";
  }

  Storage restored = open_storage(config, clock, "personae-restore");
  nlohmann::json details{{"file", fs::absolute(options.input).string()},
                         {"created_by", manifest.created_by},
                         {"created_at_unix_ms", manifest.created_at_unix_ms},
                         {"schema_version", manifest.schema_version},
                         {"blobs_restored", restored_blobs},
                         {"secrets_restored", manifest.includes_secrets}};
  restored.audit->append(NewAuditEntry{std::nullopt, "cli", "backup.restored", "backup", details.dump()});
  const auto status = restored.migrator->status();
  restored.database->close();
  std::cout << "restored " << options.input.string() << " into " << restored.database->redacted_url()
            << ": schema version " << status.current_version << ", "
            << count_lines(work.path() / kBlobKeysEntry) << " media objects referenced, " << restored_blobs
            << " written to the blob store\n";
  if (status.current_version < status.latest_version) {
    std::cout << "the schema is at version " << status.current_version << " of " << status.latest_version
              << ": `personae serve` applies the rest on SQLite, or run `personae migrate`\n";
  }
  log::info("restored", {{"file", options.input.string()}, {"created_by", manifest.created_by}});
  return kExitOk;
}

}  // namespace personae

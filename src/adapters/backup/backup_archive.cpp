#include "adapters/backup/backup_archive.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <system_error>

#include "core/crypto.hpp"

namespace personae {
namespace {

constexpr const char* kManifestName = "manifest.json";
constexpr std::size_t kChunkSize = 256 * 1024;
constexpr std::size_t kMaxManifestBytes = 64 * 1024 * 1024;

struct ArchiveWriteDeleter {
  void operator()(archive* handle) const { archive_write_free(handle); }
};
struct ArchiveReadDeleter {
  void operator()(archive* handle) const { archive_read_free(handle); }
};
struct EntryDeleter {
  void operator()(archive_entry* entry) const { archive_entry_free(entry); }
};

std::string archive_message(archive* handle) {
  const char* text = archive_error_string(handle);
  return text != nullptr ? text : "unknown archive error";
}

nlohmann::json manifest_to_json(const BackupManifest& manifest) {
  auto entries = nlohmann::json::array();
  for (const auto& entry : manifest.entries) {
    entries.push_back({{"name", entry.name}, {"size", entry.size}, {"sha256", entry.sha256}});
  }
  return {{"format", "personae-backup"},
          {"format_version", manifest.format_version},
          {"created_by", manifest.created_by},
          {"created_at_unix_ms", manifest.created_at_unix_ms},
          {"dialect", manifest.dialect},
          {"schema_version", manifest.schema_version},
          {"blob_store", manifest.blob_store},
          {"blob_reference", manifest.blob_reference},
          {"master_key_fingerprint", manifest.master_key_fingerprint},
          {"includes_secrets", manifest.includes_secrets},
          {"missing_blobs", manifest.missing_blobs},
          {"entries", std::move(entries)}};
}

Error not_a_backup(const std::string& why) {
  return Error{ErrorCode::kInvalidArgument, "the file is not a Personae backup (" + why + ")", ""};
}

Result<BackupManifest> manifest_from_json(std::string_view text) {
  const auto document = nlohmann::json::parse(text, nullptr, false);
  if (document.is_discarded() || !document.is_object())
    return tl::unexpected(not_a_backup("manifest.json is not JSON"));
  if (document.value("format", "") != "personae-backup") {
    return tl::unexpected(not_a_backup("manifest.json has no \"format\": \"personae-backup\""));
  }
  try {
    BackupManifest manifest;
    manifest.format_version = document.at("format_version").get<int>();
    if (manifest.format_version > BackupManifest::kFormatVersion || manifest.format_version < 1) {
      return make_error(ErrorCode::kInvalidArgument, "the backup was made by a newer backup format (" +
                                                         std::to_string(manifest.format_version) +
                                                         "); this binary reads format " +
                                                         std::to_string(BackupManifest::kFormatVersion) +
                                                         ": restore it with the release that made it");
    }
    manifest.created_by = document.at("created_by").get<std::string>();
    manifest.created_at_unix_ms = document.at("created_at_unix_ms").get<std::int64_t>();
    manifest.dialect = document.at("dialect").get<std::string>();
    manifest.schema_version = document.at("schema_version").get<int>();
    manifest.blob_store = document.at("blob_store").get<std::string>();
    manifest.blob_reference = document.value("blob_reference", "");
    manifest.master_key_fingerprint = document.value("master_key_fingerprint", "");
    manifest.includes_secrets = document.value("includes_secrets", false);
    manifest.missing_blobs = document.value("missing_blobs", std::vector<std::string>{});
    for (const auto& item : document.at("entries")) {
      manifest.entries.push_back(BackupEntry{item.at("name").get<std::string>(),
                                             item.at("size").get<std::uint64_t>(),
                                             item.at("sha256").get<std::string>()});
    }
    return manifest;
  } catch (const nlohmann::json::exception& error) {
    return tl::unexpected(not_a_backup(std::string("manifest.json: ") + error.what()));
  }
}

/// A name we are willing to create under the destination folder: relative, no "." or ".." parts,
/// no empty parts, printable ASCII only.
bool is_safe_entry_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.size() > 512) return false;
  for (const char character : name) {
    if (character < 0x21 || character > 0x7e || character == '\\') return false;
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto end = std::min(name.find('/', start), name.size());
    const auto part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

struct BackupWriter::Impl {
  std::filesystem::path output;
  std::filesystem::path temporary;
  std::unique_ptr<archive, ArchiveWriteDeleter> writer;
  std::vector<BackupEntry> entries;
  bool finished = false;

  Result<void> write_entry(const std::string& name, std::uint64_t size, const auto& produce_chunks) {
    std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), name.c_str());
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0600);
    archive_entry_set_mtime(entry.get(), std::time(nullptr), 0);
    if (archive_write_header(writer.get(), entry.get()) != ARCHIVE_OK) {
      return make_error(ErrorCode::kUnavailable, "writing the backup: " + archive_message(writer.get()));
    }
    return produce_chunks([this](std::string_view chunk) -> Result<void> {
      if (archive_write_data(writer.get(), chunk.data(), chunk.size()) < 0) {
        return make_error(ErrorCode::kUnavailable, "writing the backup: " + archive_message(writer.get()));
      }
      return {};
    });
  }
};

BackupWriter::BackupWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

BackupWriter::~BackupWriter() {
  if (impl_ && !impl_->finished) {
    impl_->writer.reset();
    std::error_code ignored;
    std::filesystem::remove(impl_->temporary, ignored);
  }
}

Result<std::unique_ptr<BackupWriter>> BackupWriter::create(const std::filesystem::path& output) {
  auto impl = std::make_unique<Impl>();
  impl->output = output;
  impl->temporary = output;
  impl->temporary += ".partial-" + random_hex(4);
  impl->writer.reset(archive_write_new());
  if (!impl->writer || archive_write_add_filter_gzip(impl->writer.get()) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(impl->writer.get()) != ARCHIVE_OK) {
    return make_error(ErrorCode::kInternal, "cannot set up the backup archive");
  }
  if (archive_write_open_filename(impl->writer.get(), impl->temporary.c_str()) != ARCHIVE_OK) {
    return make_error(ErrorCode::kUnavailable,
                      "cannot create " + output.string() + ": " + archive_message(impl->writer.get()));
  }
  return std::unique_ptr<BackupWriter>(new BackupWriter(std::move(impl)));
}

Result<void> BackupWriter::add_file(const std::string& name, const std::filesystem::path& source) {
  if (!is_safe_entry_name(name) || name == kManifestName) {
    return make_error(ErrorCode::kInvalidArgument, "not a valid backup entry name: " + name);
  }
  std::ifstream input(source, std::ios::binary);
  std::error_code size_error;
  const auto size = std::filesystem::file_size(source, size_error);
  if (!input || size_error) return make_error(ErrorCode::kUnavailable, "cannot read " + source.string());
  Sha256Stream hash;
  std::uint64_t copied = 0;
  auto written = impl_->write_entry(name, size, [&](const auto& write) -> Result<void> {
    std::string buffer(kChunkSize, '\0');
    while (copied < size) {
      const auto wanted = static_cast<std::streamsize>(std::min<std::uint64_t>(kChunkSize, size - copied));
      input.read(buffer.data(), wanted);
      if (input.gcount() != wanted) {
        return make_error(ErrorCode::kUnavailable,
                          source.string() + " changed size while it was being backed up");
      }
      const std::string_view chunk(buffer.data(), static_cast<std::size_t>(wanted));
      hash.update(chunk);
      if (auto result = write(chunk); !result) return result;
      copied += static_cast<std::uint64_t>(wanted);
    }
    return {};
  });
  if (!written) return written;
  impl_->entries.push_back(BackupEntry{name, size, hash.finish_hex()});
  return {};
}

Result<void> BackupWriter::finish(BackupManifest manifest) {
  manifest.entries = impl_->entries;
  const auto text = manifest_to_json(manifest).dump(2) + "\n";
  auto written =
      impl_->write_entry(kManifestName, text.size(), [&](const auto& write) { return write(text); });
  if (!written) return written;
  if (archive_write_close(impl_->writer.get()) != ARCHIVE_OK) {
    return make_error(ErrorCode::kUnavailable, "writing the backup: " + archive_message(impl_->writer.get()));
  }
  impl_->writer.reset();
  std::error_code error;
  std::filesystem::permissions(
      impl_->temporary, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, error);
  std::filesystem::rename(impl_->temporary, impl_->output, error);
  if (error) {
    return make_error(ErrorCode::kUnavailable,
                      "cannot move the backup to " + impl_->output.string() + ": " + error.message());
  }
  impl_->finished = true;
  return {};
}

Result<BackupManifest> extract_backup(const std::filesystem::path& input,
                                      const std::filesystem::path& destination) {
  std::unique_ptr<archive, ArchiveReadDeleter> reader(archive_read_new());
  archive_read_support_filter_gzip(reader.get());
  archive_read_support_format_tar(reader.get());
  if (archive_read_open_filename(reader.get(), input.c_str(), kChunkSize) != ARCHIVE_OK) {
    const std::string why = archive_message(reader.get());
    if (!std::filesystem::exists(input))
      return make_error(ErrorCode::kNotFound, "no such file: " + input.string());
    return tl::unexpected(not_a_backup(why));
  }
  std::map<std::string, BackupEntry> found;  // name -> size and hash as extracted
  std::string manifest_text;
  bool saw_manifest = false;
  for (;;) {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) break;
    if (status != ARCHIVE_OK) {
      if (found.empty() && !saw_manifest) return tl::unexpected(not_a_backup(archive_message(reader.get())));
      return make_error(ErrorCode::kInvalidArgument,
                        "the backup is damaged or truncated (" + archive_message(reader.get()) + ")");
    }
    const char* raw_name = archive_entry_pathname(entry);
    const std::string name = raw_name != nullptr ? raw_name : "";
    if (archive_entry_filetype(entry) != AE_IFREG) {
      return make_error(ErrorCode::kInvalidArgument,
                        "the backup holds something other than a plain file: " + name);
    }
    if (!is_safe_entry_name(name)) {
      return make_error(ErrorCode::kInvalidArgument, "the backup holds an unsafe file name: " + name);
    }
    if (found.contains(name) || (name == kManifestName && saw_manifest)) {
      return make_error(ErrorCode::kInvalidArgument, "the backup holds " + name + " twice");
    }
    Sha256Stream hash;
    std::uint64_t size = 0;
    std::ofstream output;
    if (name == kManifestName) {
      saw_manifest = true;
    } else {
      const auto path = destination / name;
      std::filesystem::create_directories(path.parent_path());
      output.open(path, std::ios::binary | std::ios::trunc);
      if (!output) return make_error(ErrorCode::kUnavailable, "cannot write " + path.string());
    }
    std::array<char, kChunkSize / 4> buffer{};
    for (;;) {
      const auto count = archive_read_data(reader.get(), buffer.data(), buffer.size());
      if (count == 0) break;
      if (count < 0) {
        return make_error(ErrorCode::kInvalidArgument, "the backup is damaged or truncated (" + name + ": " +
                                                           archive_message(reader.get()) + ")");
      }
      const std::string_view chunk(buffer.data(), static_cast<std::size_t>(count));
      size += chunk.size();
      if (name == kManifestName) {
        if (manifest_text.size() + chunk.size() > kMaxManifestBytes) {
          return tl::unexpected(not_a_backup("manifest.json is too large"));
        }
        manifest_text.append(chunk);
      } else {
        hash.update(chunk);
        output.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      }
    }
    if (name != kManifestName) {
      output.close();
      if (!output)
        return make_error(ErrorCode::kUnavailable, "cannot write " + (destination / name).string());
      found.emplace(name, BackupEntry{name, size, hash.finish_hex()});
    }
  }
  if (!saw_manifest) {
    const bool looks_like_ours =
        !found.empty() && std::all_of(found.begin(), found.end(), [](const auto& item) {
          const auto& name = item.first;
          return name.starts_with("database/") || name.starts_with("blobs/") ||
                 name.starts_with("secrets/") || name.starts_with("keys/") || name == "blob_keys.txt";
        });
    if (!looks_like_ours) return tl::unexpected(not_a_backup("no manifest.json"));
    return make_error(ErrorCode::kInvalidArgument, "the backup is truncated: manifest.json is missing");
  }
  auto manifest = manifest_from_json(manifest_text);
  if (!manifest) return manifest;
  for (const auto& listed : manifest->entries) {
    const auto entry = found.find(listed.name);
    if (entry == found.end()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "the backup is incomplete: " + listed.name + " is missing");
    }
    if (entry->second.size != listed.size || entry->second.sha256 != listed.sha256) {
      return make_error(ErrorCode::kInvalidArgument, listed.name + ": content does not match its checksum");
    }
    found.erase(entry);
  }
  if (!found.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the backup holds a file its manifest does not list: " + found.begin()->first);
  }
  return manifest;
}

}  // namespace personae

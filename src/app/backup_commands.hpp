#pragma once

#include <filesystem>

#include "app/config.hpp"

namespace personae {

struct BackupOptions {
  std::filesystem::path output;  ///< empty: <data_dir>/backups/personae-<UTC stamp>.tar.gz
  bool include_secrets = false;  ///< add the master key and the token-signing keys
  bool include_blobs = false;    ///< copy S3 objects into the archive too (local ones always are)
};

struct RestoreOptions {
  std::filesystem::path input;
  bool assume_yes = false;  ///< no interactive confirmation
};

/// `personae backup`: works while Personae runs (one consistent snapshot of the database).
int backup_command(const Config& config, const BackupOptions& options);

/// `personae restore`: refuses while an instance runs on this data folder or database; checks the
/// whole backup before changing anything; keeps what it replaces.
int restore_command(const Config& config, const RestoreOptions& options);

}  // namespace personae

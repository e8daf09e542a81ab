#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace personae {

enum class MigrationState {
  kApplied,
  kPending,
  kChanged,  ///< applied, but the file in this binary no longer matches the recorded checksum
  kUnknown,  ///< applied by a newer binary: this binary has no such migration
};

struct MigrationStatus {
  int version = 0;
  std::string name;
  MigrationState state = MigrationState::kPending;
  std::optional<std::int64_t> applied_at_unix_ms;
  std::string checksum;  ///< sha256 of the up-script in this binary (empty for kUnknown)
};

struct SchemaStatus {
  int current_version = 0;  ///< highest applied version (0 = empty database)
  int latest_version = 0;   ///< highest version this binary knows
  std::vector<MigrationStatus> migrations;

  /// Empty when the schema is exactly what this binary expects; otherwise one sentence saying what
  /// is wrong ("2 migrations pending (run `personae migrate`)", "migration 3 changed after it was
  /// applied", ...), used by /ready and by `serve`.
  std::optional<std::string> problem() const;
};

struct MigrationStep {
  int version = 0;
  std::string name;
  bool up = true;  ///< false when rolling back
};

/// Applies the numbered SQL migrations compiled into the binary, one transaction each.
/// Blocking; throws AppError (kFailedPrecondition for a changed or unknown migration, kUnavailable
/// when the database is down).
class SchemaMigrator {
 public:
  virtual ~SchemaMigrator() = default;
  virtual SchemaStatus status() = 0;
  /// Migrates up (or down, with down-scripts) to `target`, or to the latest version when empty.
  /// Refuses, before changing anything, when an applied migration's file changed.
  virtual std::vector<MigrationStep> migrate(std::optional<int> target) = 0;
};

}  // namespace personae

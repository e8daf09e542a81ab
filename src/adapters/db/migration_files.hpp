#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/embedded_file.hpp"
#include "ports/database.hpp"

namespace personae {

/// The SQL migrations compiled into the binary (generated from adapters/db/migrations/), named
/// "<dialect>/NNNN_snake_name.up.sql" and ".down.sql", sorted by name.
std::span<const EmbeddedFile> db_migration_files();

/// One numbered migration of one dialect.
struct Migration {
  int version = 0;
  std::string name;  ///< "audit_log"
  std::string_view up_sql;
  std::string_view down_sql;
  std::string checksum;  ///< sha256 of up_sql, lowercase hex

  /// "0001_audit_log", as in the file name.
  std::string label() const;
};

/// The folder of `dialect`'s migrations: "sqlite" or "postgresql".
std::string_view migration_folder(Dialect dialect);

/// Picks `dialect`'s migrations out of `files` and checks them: every name is
/// NNNN_snake_name.up.sql or .down.sql, each version has both scripts with the same name, and the
/// versions run 1, 2, 3... without a gap or duplicate. A violation is a bug in the build: throws
/// AppError(kInternal) naming the file. Returns the migrations in version order; the views point
/// into `files`.
std::vector<Migration> parse_migration_files(std::span<const EmbeddedFile> files, Dialect dialect);

}  // namespace personae

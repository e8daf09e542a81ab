#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace personae {

/// Copies the SQLite database `source` into the new file `destination` with SQLite's online backup
/// API, in one read transaction, while other connections go on reading and writing; returns what
/// `query` (one text column) answers in that same transaction, so that the copy and the answer
/// describe the same moment. The copy is checked with `PRAGMA integrity_check`.
/// kUnavailable when the database cannot be read or the copy written.
Result<std::vector<std::string>> snapshot_sqlite(const std::filesystem::path& source,
                                                 const std::filesystem::path& destination,
                                                 const std::string& query);

/// `PRAGMA integrity_check` of a SQLite file, opened read-only; kInvalidArgument naming the first
/// problem when the file is not a sound SQLite database.
Result<void> check_sqlite_integrity(const std::filesystem::path& file);

/// Folds a SQLite database's write-ahead log into its file (a TRUNCATE checkpoint), so that the file
/// alone is the whole database. kUnavailable when another connection prevents it.
Result<void> checkpoint_sqlite(const std::filesystem::path& file);

/// The PostgreSQL client programs and how long each may run.
struct PostgresTools {
  std::string pg_dump = "pg_dump";
  std::string pg_restore = "pg_restore";
  std::string psql = "psql";
  std::chrono::milliseconds timeout = std::chrono::hours(6);
};

/// The libpq environment (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE, ...) that
/// connects the client programs to `uri` (a libpq connection URI, possibly with a password), so
/// that nothing secret appears on their command lines, plus PGOPTIONS turning on Personae's
/// row-level-security bypass (the dump and the restore see and write every tenant's rows).
/// kInvalidArgument when libpq cannot parse `uri` (the message never repeats it).
Result<std::map<std::string, std::string>> postgres_tool_environment(const std::string& uri);

/// pg_dump of the whole database (custom format, row INSERTs so that row-level security allows the
/// restore, no owners or grants) into `destination`, reading the exported snapshot `snapshot_id`.
Result<void> dump_postgres(const PostgresTools& tools, const std::map<std::string, std::string>& environment,
                           const std::string& snapshot_id, const std::filesystem::path& destination);

/// Replaces every table of the current schema that the connecting role owns with the contents of
/// the custom-format dump `dump_file`, in one transaction: on any error nothing changes.
/// `work_dir` receives the intermediate SQL script (removed afterwards).
Result<void> restore_postgres(const PostgresTools& tools,
                              const std::map<std::string, std::string>& environment,
                              const std::filesystem::path& dump_file, const std::filesystem::path& work_dir);

}  // namespace personae

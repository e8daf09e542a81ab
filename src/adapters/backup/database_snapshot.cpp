#include "adapters/backup/database_snapshot.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <fstream>
#include <memory>

#include "core/subprocess.hpp"

namespace personae {
namespace {

struct SqliteCloser {
  void operator()(sqlite3* handle) const { sqlite3_close_v2(handle); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using SqliteStatement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

Error sqlite_error(ErrorCode code, const std::string& what, sqlite3* handle) {
  return Error{code, what + ": " + (handle != nullptr ? sqlite3_errmsg(handle) : "out of memory"), ""};
}

Result<SqliteHandle> open_sqlite(const std::filesystem::path& file, int flags) {
  sqlite3* raw = nullptr;
  const int status = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
  SqliteHandle handle(raw);
  if (status != SQLITE_OK)
    return tl::unexpected(sqlite_error(ErrorCode::kUnavailable, "cannot open " + file.string(), raw));
  sqlite3_busy_timeout(raw, 10'000);
  return handle;
}

Result<void> execute(sqlite3* handle, const char* sql) {
  if (sqlite3_exec(handle, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return tl::unexpected(sqlite_error(ErrorCode::kUnavailable, sql, handle));
  }
  return {};
}

Result<std::vector<std::string>> query_texts(sqlite3* handle, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return tl::unexpected(sqlite_error(ErrorCode::kInternal, "preparing a query", handle));
  }
  SqliteStatement statement(raw);
  std::vector<std::string> values;
  int status = SQLITE_ROW;
  while ((status = sqlite3_step(raw)) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(raw, 0);
    values.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
  }
  if (status != SQLITE_DONE) return tl::unexpected(sqlite_error(ErrorCode::kUnavailable, "reading", handle));
  return values;
}

Result<void> run_tool(const PostgresTools& tools, std::vector<std::string> arguments,
                      const std::map<std::string, std::string>& environment, const std::string& what) {
  auto finished = run_program(arguments, environment, tools.timeout);
  if (!finished) return tl::unexpected(finished.error());
  if (finished->exit_status != 0) {
    std::string message = finished->standard_error;
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    return make_error(ErrorCode::kUnavailable, what + " failed (" + arguments.front() +
                                                   " exited with status " +
                                                   std::to_string(finished->exit_status) + "): " + message);
  }
  return {};
}

// Drops every table and function of the current schema that the connecting role owns (CASCADE
// takes the tables' indexes, policies, triggers and sequences), so that the restored ones replace
// them whatever schema version they had. Runs in the restore's transaction.
constexpr const char* kDropOwnedObjects = R"SQL(
DO $$
DECLARE
  item record;
BEGIN
  FOR item IN
    SELECT n.nspname AS schema_name, c.relname AS table_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
      AND pg_get_userbyid(c.relowner) = current_user
  LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I.%I CASCADE', item.schema_name, item.table_name);
  END LOOP;
  FOR item IN
    SELECT p.oid::regprocedure AS signature
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = current_schema() AND p.prokind = 'f'
      AND pg_get_userbyid(p.proowner) = current_user
  LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
  END LOOP;
END
$$;
)SQL";

}  // namespace

Result<std::vector<std::string>> snapshot_sqlite(const std::filesystem::path& source,
                                                 const std::filesystem::path& destination,
                                                 const std::string& query) {
  auto from = open_sqlite(source, SQLITE_OPEN_READONLY);
  if (!from) return tl::unexpected(from.error());
  auto to = open_sqlite(destination, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!to) return tl::unexpected(to.error());
  // The read transaction pins one snapshot (WAL): the query and the page copy both read it.
  if (auto begun = execute(from->get(), "BEGIN"); !begun) return tl::unexpected(begun.error());
  auto values = query_texts(from->get(), query);
  if (!values) return values;
  sqlite3_backup* backup = sqlite3_backup_init(to->get(), "main", from->get(), "main");
  if (backup == nullptr)
    return tl::unexpected(sqlite_error(ErrorCode::kUnavailable, "starting the copy", to->get()));
  const int stepped = sqlite3_backup_step(backup, -1);
  const int finished = sqlite3_backup_finish(backup);
  if (stepped != SQLITE_DONE || finished != SQLITE_OK) {
    return tl::unexpected(sqlite_error(ErrorCode::kUnavailable, "copying the database", to->get()));
  }
  if (auto ended = execute(from->get(), "COMMIT"); !ended) return tl::unexpected(ended.error());
  to.value().reset();
  if (auto sound = check_sqlite_integrity(destination); !sound) {
    return make_error(ErrorCode::kUnavailable,
                      "the copy failed its integrity check: " + sound.error().message);
  }
  return values;
}

Result<void> check_sqlite_integrity(const std::filesystem::path& file) {
  auto handle = open_sqlite(file, SQLITE_OPEN_READONLY);
  if (!handle) return make_error(ErrorCode::kInvalidArgument, handle.error().message);
  auto answer = query_texts(handle->get(), "PRAGMA integrity_check");
  if (!answer)
    return make_error(ErrorCode::kInvalidArgument, "not a SQLite database (" + answer.error().message + ")");
  if (answer->empty() || answer->front() != "ok") {
    return make_error(
        ErrorCode::kInvalidArgument,
        "the database is damaged: " + (answer->empty() ? std::string("no answer") : answer->front()));
  }
  return {};
}

Result<void> checkpoint_sqlite(const std::filesystem::path& file) {
  auto handle = open_sqlite(file, SQLITE_OPEN_READWRITE);
  if (!handle) return tl::unexpected(handle.error());
  int log_frames = 0;
  int checkpointed = 0;
  if (sqlite3_wal_checkpoint_v2(handle->get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log_frames,
                                &checkpointed) != SQLITE_OK ||
      checkpointed < log_frames) {
    return tl::unexpected(
        sqlite_error(ErrorCode::kUnavailable, "checkpointing " + file.string(), handle->get()));
  }
  return {};
}

Result<std::map<std::string, std::string>> postgres_tool_environment(const std::string& uri) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &parse_error);
  if (options == nullptr) {
    if (parse_error != nullptr) PQfreemem(parse_error);
    return make_error(ErrorCode::kInvalidArgument,
                      "the database URL is not a valid PostgreSQL connection URI");
  }
  std::map<std::string, std::string> environment;
  for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr || option->envvar == nullptr) continue;
    environment[option->envvar] = option->val;
  }
  PQconninfoFree(options);
  // The role's row-level-security policies let a transaction with this setting see every tenant.
  auto& pg_options = environment["PGOPTIONS"];
  pg_options += (pg_options.empty() ? "" : " ") + std::string("-c app.rls_bypass=on");
  environment["PGAPPNAME"] = "personae-backup";
  return environment;
}

Result<void> dump_postgres(const PostgresTools& tools, const std::map<std::string, std::string>& environment,
                           const std::string& snapshot_id, const std::filesystem::path& destination) {
  return run_tool(tools,
                  {tools.pg_dump, "--format=custom", "--no-owner", "--no-privileges", "--inserts",
                   "--rows-per-insert=200", "--enable-row-security", "--snapshot=" + snapshot_id,
                   "--file=" + destination.string()},
                  environment, "pg_dump");
}

Result<void> restore_postgres(const PostgresTools& tools,
                              const std::map<std::string, std::string>& environment,
                              const std::filesystem::path& dump_file, const std::filesystem::path& work_dir) {
  if (auto listed =
          run_tool(tools, {tools.pg_restore, "--list", dump_file.string()}, environment, "reading the dump");
      !listed) {
    return listed;
  }
  const auto drop_script = work_dir / "drop.sql";
  const auto restore_script = work_dir / "restore.sql";
  std::ofstream(drop_script) << kDropOwnedObjects;
  auto converted = run_tool(tools,
                            {tools.pg_restore, "--no-owner", "--no-privileges", "--enable-row-security",
                             "--file=" + restore_script.string(), dump_file.string()},
                            environment, "pg_restore");
  if (converted) {
    // One transaction for the drop and the whole restore: any error rolls everything back.
    converted =
        run_tool(tools,
                 {tools.psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
                  "--file=" + drop_script.string(), "--file=" + restore_script.string()},
                 environment, "restoring the database");
  }
  std::error_code ignored;
  std::filesystem::remove(drop_script, ignored);
  std::filesystem::remove(restore_script, ignored);
  return converted;
}

}  // namespace personae

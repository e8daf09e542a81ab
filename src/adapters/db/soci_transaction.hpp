#pragma once

#include <string>
#include <string_view>

#include "ports/database.hpp"

namespace soci {
class session;
}

namespace personae {

/// The SOCI session behind a transaction opened by SociDatabase, for repositories in adapters/db.
/// Throws AppError(kInternal) when `tx` comes from another Database implementation.
soci::session& soci_session(Transaction& tx);

/// set_config(name, value, true) for the rest of `tx` (PostgreSQL): sent together with the
/// transaction's BEGIN when it is the first statement. Throws as SOCI's statements do.
void set_transaction_setting(Transaction& tx, const std::string& name, const std::string& value);

/// Runs a script of several SQL statements inside `tx` through the driver's native call
/// (sqlite3_exec, PQexec), since SOCI prepares one statement at a time. Failures throw the same
/// SOCI errors as statements do (SociDatabase translates them).
void execute_script(Transaction& tx, std::string_view sql);

}  // namespace personae

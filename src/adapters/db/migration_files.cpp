#include "adapters/db/migration_files.hpp"

#include <cstdio>
#include <map>

#include "core/crypto.hpp"
#include "core/error.hpp"

namespace personae {
namespace {

[[noreturn]] void fail(std::string message) {
  throw AppError(ErrorCode::kInternal, std::move(message));
}

bool is_snake_name(std::string_view name) {
  if (name.empty() || name.front() == '_' || name.back() == '_') return false;
  char previous = '\0';
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok || (c == '_' && previous == '_')) return false;
    previous = c;
  }
  return true;
}

}  // namespace

std::string Migration::label() const {
  char number[16];
  std::snprintf(number, sizeof(number), "%04d", version);
  return std::string(number) + "_" + name;
}

std::string_view migration_folder(Dialect dialect) {
  return dialect == Dialect::kSqlite ? "sqlite" : "postgresql";
}

std::vector<Migration> parse_migration_files(std::span<const EmbeddedFile> files, Dialect dialect) {
  const std::string prefix = std::string(migration_folder(dialect)) + "/";
  std::map<int, Migration> by_version;
  for (const EmbeddedFile& file : files) {
    if (!file.name.starts_with(prefix)) continue;
    const std::string_view base = file.name.substr(prefix.size());
    const auto bad = [&](std::string_view why) {
      fail("migration file " + std::string(file.name) + " " + std::string(why) +
           " (expected NNNN_snake_name.up.sql or NNNN_snake_name.down.sql)");
    };
    bool up = false;
    std::string_view stem;
    if (base.ends_with(".up.sql")) {
      up = true;
      stem = base.substr(0, base.size() - 7);
    } else if (base.ends_with(".down.sql")) {
      stem = base.substr(0, base.size() - 9);
    } else {
      bad("has an unexpected suffix");
    }
    if (stem.size() < 6 || stem[4] != '_') bad("does not start with a four-digit version and '_'");
    int version = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      if (stem[i] < '0' || stem[i] > '9') bad("does not start with a four-digit version");
      version = version * 10 + (stem[i] - '0');
    }
    if (version == 0) bad("has version 0 (versions start at 0001)");
    const std::string_view name = stem.substr(5);
    if (!is_snake_name(name)) bad("has a name that is not snake_case");
    Migration& migration = by_version[version];
    if (migration.version == 0) {
      migration.version = version;
      migration.name = std::string(name);
    } else if (migration.name != name) {
      fail("migration " + std::string(file.name) + " shares version " + std::to_string(version) +
           " with migration " + migration.label() + " (duplicate version)");
    }
    std::string_view& slot = up ? migration.up_sql : migration.down_sql;
    if (slot.data() != nullptr) fail("migration file " + std::string(file.name) + " appears twice");
    slot = file.contents;
  }
  std::vector<Migration> migrations;
  migrations.reserve(by_version.size());
  int expected = 1;
  for (auto& [version, migration] : by_version) {
    if (version != expected) {
      fail("migration " + std::string(prefix) + migration.label() + " follows version " +
           std::to_string(expected - 1) + " (versions must be 1, 2, 3... without a gap)");
    }
    if (migration.up_sql.data() == nullptr)
      fail("migration " + prefix + migration.label() + " has no .up.sql");
    if (migration.down_sql.data() == nullptr)
      fail("migration " + prefix + migration.label() + " has no .down.sql");
    migration.checksum = sha256_hex(migration.up_sql);
    migrations.push_back(std::move(migration));
    ++expected;
  }
  return migrations;
}

}  // namespace personae

#include <algorithm>

#include "ports/schema_migrator.hpp"

namespace personae {
namespace {

std::string label(const MigrationStatus& migration) {
  std::string number = std::to_string(migration.version);
  if (number.size() < 4) number.insert(0, 4 - number.size(), '0');
  return number + "_" + migration.name;
}

}  // namespace

std::optional<std::string> SchemaStatus::problem() const {
  for (const MigrationStatus& migration : migrations) {
    if (migration.state == MigrationState::kChanged) {
      return "migration " + label(migration) + " was changed after it was applied";
    }
  }
  for (const MigrationStatus& migration : migrations) {
    if (migration.state == MigrationState::kUnknown) {
      return "the database has migration " + label(migration) +
             ", which this binary does not know (upgrade Personae or restore the matching version)";
    }
  }
  const auto pending = std::count_if(migrations.begin(), migrations.end(), [](const MigrationStatus& m) {
    return m.state == MigrationState::kPending;
  });
  if (pending == 1) return std::string("1 migration pending (run `personae migrate`)");
  if (pending > 1) return std::to_string(pending) + " migrations pending (run `personae migrate`)";
  return std::nullopt;
}

}  // namespace personae

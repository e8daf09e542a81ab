#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ports/database.hpp"
#include "ports/schema_migrator.hpp"

namespace personae {

struct ReadinessCheck {
  std::string name;  ///< "database", "schema", "server"
  bool ok = false;
  std::string detail;  ///< safe to show: no SQL, no URL, no password
};

struct ReadinessReport {
  bool ready = false;
  std::vector<ReadinessCheck> checks;
  /// The first failing check's detail, e.g. "database unreachable".
  std::string reason() const;
};

/// Answers "can this instance serve traffic now?" for GET /ready and the worker's start-up check:
/// the server is not draining, the database answers, and its schema is exactly what this binary
/// expects. Blocking (it queries the database).
class ReadinessService {
 public:
  ReadinessService(Database& database, SchemaMigrator& migrator, std::function<bool()> draining);
  ReadinessReport check();

 private:
  Database& database_;
  SchemaMigrator& migrator_;
  std::function<bool()> draining_;
};

}  // namespace personae

#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ports/blob_store.hpp"
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
/// the server is not draining, the database answers, its schema is exactly what this binary
/// expects, and (when given) the blob store is usable. Blocking (it queries the database and the
/// store).
class ReadinessService {
 public:
  ReadinessService(Database& database, SchemaMigrator& migrator, std::function<bool()> draining,
                   BlobStore* blobs = nullptr);
  ReadinessReport check();

 private:
  Database& database_;
  SchemaMigrator& migrator_;
  std::function<bool()> draining_;
  BlobStore* blobs_;
};

}  // namespace personae

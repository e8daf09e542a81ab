#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/personas/persona.hpp"
#include "ports/database.hpp"

namespace personae {

/// Storage of personas (migration 0003), tenant-owned: every method names the tenant and runs
/// under its row-level security scope on PostgreSQL. Blocking; throws AppError like Database.
class PersonaRepository {
 public:
  virtual ~PersonaRepository() = default;

  /// kConflict when the id is taken or the tenant already has a persona of that display name
  /// (compared by display_name_key).
  virtual void insert(Transaction& tx, const Persona& persona) = 0;

  virtual std::optional<Persona> find(Transaction& tx, const std::string& tenant_id,
                                      const std::string& id) = 0;

  /// The tenant's personas, oldest first.
  virtual std::vector<Persona> list(Transaction& tx, const std::string& tenant_id) = 0;

  /// How many personas the tenant has.
  virtual std::int64_t count(Transaction& tx, const std::string& tenant_id) = 0;

  /// Replaces the stored persona if its revision is still `expected_revision` (the new one carries
  /// its own, higher revision): false when another change came first. kNotFound when it does not
  /// exist; kConflict for a display name taken by another persona.
  virtual bool update(Transaction& tx, const Persona& persona, std::int64_t expected_revision) = 0;

  /// kNotFound when it does not exist.
  virtual void remove(Transaction& tx, const std::string& tenant_id, const std::string& id) = 0;
};

}  // namespace personae

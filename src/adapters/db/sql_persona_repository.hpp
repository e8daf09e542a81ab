#pragma once

#include "ports/persona_repository.hpp"

namespace personae {

/// PersonaRepository in SQL (SQLite and PostgreSQL): the persona as a JSON document
/// (adapters/json/persona_json) beside the columns queries use.
class SqlPersonaRepository final : public PersonaRepository {
 public:
  void insert(Transaction& tx, const Persona& persona) override;
  std::optional<Persona> find(Transaction& tx, const std::string& tenant_id, const std::string& id) override;
  std::vector<Persona> list(Transaction& tx, const std::string& tenant_id) override;
  std::int64_t count(Transaction& tx, const std::string& tenant_id) override;
  bool update(Transaction& tx, const Persona& persona, std::int64_t expected_revision) override;
  void remove(Transaction& tx, const std::string& tenant_id, const std::string& id) override;
};

}  // namespace personae

#include "adapters/db/sql_persona_repository.hpp"

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_account_rows.hpp"
#include "adapters/db/tenant_scope.hpp"
#include "adapters/json/persona_json.hpp"
#include "domain/personas/persona_rules.hpp"

namespace personae {
namespace {

using sql_rows::execute_counting;
using sql_rows::fetch_one;
using sql_rows::fetch_rows;
using sql_rows::require_found;

constexpr const char* kSelectPersona = "SELECT tenant_id, document FROM personas ";

struct PersonaColumns {
  std::string tenant_id;
  std::string document;

  void bind(soci::details::prepare_temp_type& prepared) {
    prepared, soci::into(tenant_id), soci::into(document);
  }
  Persona value() const {
    auto parsed = nlohmann::json::parse(document, nullptr, /*allow_exceptions=*/false);
    auto persona = json::persona_from_document(parsed);
    if (!persona) throw AppError(persona.error());
    persona->tenant_id = tenant_id;
    return std::move(*persona);
  }
};

// The columns beside the document, from the persona.
struct PersonaRow {
  explicit PersonaRow(const Persona& persona)
      : name_key(display_name_key(persona.display_name)),
        status(to_string(persona.status)),
        kind(to_string(persona.kind)),
        document(json::persona_to_json(persona).dump()),
        revision(persona.revision),
        created_at(persona.created_at_unix_ms),
        updated_at(persona.updated_at_unix_ms) {}

  std::string name_key;
  std::string status;
  std::string kind;
  std::string document;
  long long revision;
  long long created_at;
  long long updated_at;
};

}  // namespace

void SqlPersonaRepository::insert(Transaction& tx, const Persona& persona) {
  scope_to_tenant(tx, persona.tenant_id);
  const PersonaRow row(persona);
  soci_session(tx) << "INSERT INTO personas (id, tenant_id, display_name, display_name_key, status, kind, "
                      "document, revision, created_at, updated_at) VALUES (:id, :tenant_id, :display_name, "
                      ":name_key, :status, :kind, :document, :revision, :created_at, :updated_at)",
      soci::use(persona.id, "id"), soci::use(persona.tenant_id, "tenant_id"),
      soci::use(persona.display_name, "display_name"), soci::use(row.name_key, "name_key"),
      soci::use(row.status, "status"), soci::use(row.kind, "kind"), soci::use(row.document, "document"),
      soci::use(row.revision, "revision"), soci::use(row.created_at, "created_at"),
      soci::use(row.updated_at, "updated_at");
}

std::optional<Persona> SqlPersonaRepository::find(Transaction& tx, const std::string& tenant_id,
                                                  const std::string& id) {
  scope_to_tenant(tx, tenant_id);
  return fetch_one<PersonaColumns>(
      soci_session(tx), std::string(kSelectPersona) + "WHERE tenant_id = :tenant_id AND id = :id",
      [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"), soci::use(id, "id"); });
}

std::vector<Persona> SqlPersonaRepository::list(Transaction& tx, const std::string& tenant_id) {
  scope_to_tenant(tx, tenant_id);
  return fetch_rows<PersonaColumns>(
      soci_session(tx), std::string(kSelectPersona) + "WHERE tenant_id = :tenant_id ORDER BY created_at, id",
      [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"); });
}

std::int64_t SqlPersonaRepository::count(Transaction& tx, const std::string& tenant_id) {
  scope_to_tenant(tx, tenant_id);
  long long total = 0;
  soci_session(tx) << "SELECT COUNT(*) FROM personas WHERE tenant_id = :tenant_id",
      soci::use(tenant_id, "tenant_id"), soci::into(total);
  return total;
}

bool SqlPersonaRepository::update(Transaction& tx, const Persona& persona, std::int64_t expected_revision) {
  scope_to_tenant(tx, persona.tenant_id);
  const PersonaRow row(persona);
  const long long expected = expected_revision;
  const auto changed = execute_counting(
      soci_session(tx),
      "UPDATE personas SET display_name = :display_name, display_name_key = :name_key, status = :status, "
      "kind = :kind, document = :document, revision = :revision, updated_at = :updated_at "
      "WHERE tenant_id = :tenant_id AND id = :id AND revision = :expected",
      [&](auto& prepared) {
        prepared, soci::use(persona.display_name, "display_name"), soci::use(row.name_key, "name_key"),
            soci::use(row.status, "status"), soci::use(row.kind, "kind"), soci::use(row.document, "document"),
            soci::use(row.revision, "revision"), soci::use(row.updated_at, "updated_at"),
            soci::use(persona.tenant_id, "tenant_id"), soci::use(persona.id, "id"),
            soci::use(expected, "expected");
      });
  if (changed == 1) return true;
  if (!find(tx, persona.tenant_id, persona.id)) throw AppError(ErrorCode::kNotFound, "no such persona");
  return false;
}

void SqlPersonaRepository::remove(Transaction& tx, const std::string& tenant_id, const std::string& id) {
  scope_to_tenant(tx, tenant_id);
  require_found(
      execute_counting(
          soci_session(tx), "DELETE FROM personas WHERE tenant_id = :tenant_id AND id = :id",
          [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"), soci::use(id, "id"); }),
      "no such persona");
}

}  // namespace personae

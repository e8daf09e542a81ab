#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/authorization/authorization.hpp"
#include "domain/personas/persona.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"
#include "ports/media_repository.hpp"
#include "ports/persona_repository.hpp"
#include "services/audit_log_service.hpp"
#include "services/service_support.hpp"

namespace personae {

/// A persona as callers see it: the record and, for a persona that is not active, why it could
/// not be activated right now (nullopt when it could).
struct PersonaView {
  Persona persona;
  std::optional<std::string> activation_blocker;
};

/// A change to a persona's client-settable fields (the HTTP layer builds it from a JSON body).
using PersonaEdit = std::function<void(Persona&)>;

/// What a real adult consented to (the service adds who recorded it, and when).
struct ConsentInput {
  std::string subject_name;
  std::int64_t signed_at_unix_ms = 0;
  std::string scope;
  std::string document_media_id;
  std::optional<std::int64_t> expires_at_unix_ms;
};

struct PersonaServiceOptions {
  std::size_t max_personas_per_tenant = 500;
};

/// Personas of a tenant: create, edit, import, activate (with the fictional-adult attestation or
/// a real adult's consent), deactivate, delete. Every operation checks the principal's action
/// and, for a member limited to some personas, that the persona is one of them (others answer
/// kNotFound, as if they did not exist). Activation, deactivation and consent changes are written
/// to the tenant's audit chain in the same transaction as the change.
///
/// Checks that need the rest of the tenant: the time zone exists, boundary categories are vault
/// categories of the tenant, reference images and the consent document are items of the tenant's
/// vault. An active persona only accepts changes that keep it activatable.
/// Blocking; thread-safe; holds references that must outlive it.
class PersonaService {
 public:
  PersonaService(Database& database, PersonaRepository& personas, MediaRepository& media,
                 AuditLogService& audit, const Clock& clock, PersonaServiceOptions options = {});

  Result<std::vector<PersonaView>> list(const Principal& principal);
  Result<PersonaView> get(const Principal& principal, const std::string& id);

  /// A new draft: defaults (UTC, English, review everything, every platform's AI disclosure), then
  /// `edit`. kInvalidArgument with field errors; kConflict for a display name in use;
  /// kResourceExhausted over max_personas_per_tenant.
  Result<PersonaView> create(const Principal& principal, const PersonaEdit& edit, const ClientInfo& client);

  /// Applies `edit`. `expected_revision` (If-Match) makes it conditional: kFailedPrecondition when
  /// the persona changed since. Disclosures cannot be emptied (defaults come back).
  Result<PersonaView> update(const Principal& principal, const std::string& id, const PersonaEdit& edit,
                             std::optional<std::int64_t> expected_revision, const ClientInfo& client);

  /// kFailedPrecondition for an active persona (deactivate it first) or one that still has vault
  /// items (nothing stored is deleted behind the user's back).
  Result<void> remove(const Principal& principal, const std::string& id, const ClientInfo& client);

  /// `attest_fictional_adult`: the operator agrees to kFictionalAttestationText (required for a
  /// fictional persona without an attestation). kFailedPrecondition with the blocker's sentence
  /// when it cannot be activated.
  Result<PersonaView> activate(const Principal& principal, const std::string& id, bool attest_fictional_adult,
                               const ClientInfo& client);
  Result<PersonaView> deactivate(const Principal& principal, const std::string& id, const ClientInfo& client);

  /// Records (or replaces) the consent of the real adult the persona depicts; the document must be
  /// an item of the tenant's vault. Withdrawing it deactivates the persona.
  Result<PersonaView> record_consent(const Principal& principal, const std::string& id,
                                     const ConsentInput& consent, const ClientInfo& client);
  Result<PersonaView> withdraw_consent(const Principal& principal, const std::string& id,
                                       const ClientInfo& client);

  /// A persona made from a character card: stored as a draft (no attestation, no consent,
  /// no reference images), renamed "<name> (2)" etc. when the name is taken.
  Result<PersonaView> import(const Principal& principal, Persona draft, const ClientInfo& client);

 private:
  PersonaView view(const Persona& persona) const;
  std::optional<Persona> find_reachable(Transaction& tx, const Principal& principal, const std::string& id);
  std::vector<FieldError> check_against_tenant(Transaction& tx, const Persona& persona);
  /// kResourceExhausted (thrown) when the tenant has max_personas_per_tenant personas already.
  void require_room_for_a_persona(Transaction& tx, const std::string& tenant_id);
  Result<PersonaView> change_status(const Principal& principal, const std::string& id,
                                    const std::function<void(Transaction&, Persona&)>& change);

  Database& database_;
  PersonaRepository& personas_;
  MediaRepository& media_;
  AuditLogService& audit_;
  const Clock& clock_;
  PersonaServiceOptions options_;
};

/// kInvalidArgument with one field error per problem of validate_persona().
std::optional<Error> persona_field_errors(const Persona& persona);

}  // namespace personae

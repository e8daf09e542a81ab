#include "services/personas/persona_service.hpp"

#include <algorithm>
#include <set>

#include "core/time_zones.hpp"
#include "domain/personas/persona_rules.hpp"
#include "security/tokens.hpp"
#include "services/media/vault_categories.hpp"

namespace personae {
namespace {

using service_support::audit_entry;
using service_support::fail;
using service_support::guarded;
using service_support::principal_actor;
using service_support::require;

constexpr std::string_view kNoSuchPersona = "persona not found";

// A member limited to some personas cannot create one it would not see afterwards.
Result<void> may_create_personas(const Principal& principal) {
  if (auto allowed = require(principal, Action::kPersonaManage); !allowed) return allowed;
  if (principal.limited_ids(kPersonaResource)) {
    return make_error(ErrorCode::kPermissionDenied,
                      "members limited to some personas cannot create personas");
  }
  return {};
}

void throw_if_error(const std::optional<Error>& error) {
  if (error) throw AppError(*error);
}

// The client-settable fields that differ, for the audit entry of an update.
std::string changed_fields(const Persona& before, const Persona& after) {
  std::vector<std::string> fields;
  const auto add = [&](bool changed, const char* name) {
    if (changed) fields.emplace_back(name);
  };
  add(before.display_name != after.display_name, "display_name");
  add(before.handles != after.handles, "handles");
  add(before.bio != after.bio, "bio");
  add(before.timezone != after.timezone, "timezone");
  add(before.languages != after.languages, "languages");
  add(before.voice != after.voice, "voice");
  add(before.boundaries != after.boundaries, "boundaries");
  add(before.disclosures != after.disclosures, "disclosures");
  add(before.visual != after.visual, "visual");
  add(before.llm != after.llm, "llm");
  add(before.review_mode != after.review_mode, "review_mode");
  add(before.kind != after.kind, "kind");
  add(before.character != after.character, "character");
  std::string joined;
  for (const auto& field : fields) joined += (joined.empty() ? "" : ",") + field;
  return joined;
}

}  // namespace

std::optional<Error> persona_field_errors(const Persona& persona) {
  const auto problems = validate_persona(persona);
  if (problems.empty()) return std::nullopt;
  std::vector<FieldError> fields;
  fields.reserve(problems.size());
  for (const auto& problem : problems) fields.push_back({problem.field, problem.message});
  return invalid_fields(std::move(fields));
}

PersonaService::PersonaService(Database& database, PersonaRepository& personas, MediaRepository& media,
                               AuditLogService& audit, const Clock& clock, PersonaServiceOptions options)
    : database_(database),
      personas_(personas),
      media_(media),
      audit_(audit),
      clock_(clock),
      options_(options) {}

PersonaView PersonaService::view(const Persona& persona) const {
  PersonaView out{persona, std::nullopt};
  if (persona.status != PersonaStatus::kActive)
    out.activation_blocker = activation_blocker(persona, clock_.now_unix_ms());
  return out;
}

std::optional<Persona> PersonaService::find_reachable(Transaction& tx, const Principal& principal,
                                                      const std::string& id) {
  if (!principal.reaches(kPersonaResource, id)) return std::nullopt;
  return personas_.find(tx, principal.tenant_id, id);
}

void PersonaService::require_room_for_a_persona(Transaction& tx, const std::string& tenant_id) {
  if (personas_.count(tx, tenant_id) >= static_cast<std::int64_t>(options_.max_personas_per_tenant)) {
    fail(ErrorCode::kResourceExhausted, "the tenant has reached its limit of " +
                                            std::to_string(options_.max_personas_per_tenant) + " personas");
  }
}

std::vector<FieldError> PersonaService::check_against_tenant(Transaction& tx, const Persona& persona) {
  std::vector<FieldError> errors;
  if (!is_known_time_zone(persona.timezone)) {
    errors.push_back({"timezone", "is not a time zone of the IANA database (for example Europe/Paris)"});
  }
  const auto categories = seeded_categories(tx, media_, persona.tenant_id, clock_.now_unix_ms());
  std::set<std::string> names;
  for (const auto& category : categories) names.insert(category.name);
  for (std::size_t i = 0; i < persona.boundaries.size(); ++i) {
    const auto& allowed = persona.boundaries[i].allowed_categories;
    for (std::size_t j = 0; j < allowed.size(); ++j) {
      if (!names.contains(allowed[j])) {
        errors.push_back(
            {"boundaries[" + std::to_string(i) + "].allowed_categories[" + std::to_string(j) + "]",
             "is not a category of this tenant's vault"});
      }
    }
  }
  const auto& references = persona.visual.reference_media_ids;
  for (std::size_t i = 0; i < references.size(); ++i) {
    const auto item = media_.find(tx, persona.tenant_id, references[i]);
    if (!item || item->kind != MediaKind::kImage) {
      errors.push_back(
          {"visual.reference_media_ids[" + std::to_string(i) + "]", "is not an image of this vault"});
    }
  }
  return errors;
}

Result<std::vector<PersonaView>> PersonaService::list(const Principal& principal) {
  return guarded([&]() -> Result<std::vector<PersonaView>> {
    if (auto allowed = require(principal, Action::kPersonaRead); !allowed)
      return tl::unexpected(allowed.error());
    const auto personas =
        database_.read([&](Transaction& tx) { return personas_.list(tx, principal.tenant_id); });
    std::vector<PersonaView> views;
    for (const auto& persona : personas) {
      if (principal.reaches(kPersonaResource, persona.id)) views.push_back(view(persona));
    }
    return views;
  });
}

Result<PersonaView> PersonaService::get(const Principal& principal, const std::string& id) {
  return guarded([&]() -> Result<PersonaView> {
    if (auto allowed = require(principal, Action::kPersonaRead); !allowed)
      return tl::unexpected(allowed.error());
    const auto persona = database_.read([&](Transaction& tx) { return find_reachable(tx, principal, id); });
    if (!persona) return make_error(ErrorCode::kNotFound, std::string(kNoSuchPersona));
    return view(*persona);
  });
}

Result<PersonaView> PersonaService::create(const Principal& principal, const PersonaEdit& edit,
                                           const ClientInfo& client) {
  return guarded([&]() -> Result<PersonaView> {
    if (auto allowed = may_create_personas(principal); !allowed) return tl::unexpected(allowed.error());
    const std::int64_t now = clock_.now_unix_ms();
    Persona persona;
    persona.id = security::generate_id();
    persona.tenant_id = principal.tenant_id;
    persona.created_at_unix_ms = now;
    persona.updated_at_unix_ms = now;
    edit(persona);
    fill_default_disclosures(persona);
    throw_if_error(persona_field_errors(persona));
    database_.write([&](Transaction& tx) {
      if (auto errors = check_against_tenant(tx, persona); !errors.empty())
        throw AppError(invalid_fields(errors));
      require_room_for_a_persona(tx, principal.tenant_id);
      personas_.insert(tx, persona);
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "persona.created",
                                    "persona:" + persona.id, client, {{"kind", to_string(persona.kind)}}));
    });
    return view(persona);
  });
}

Result<PersonaView> PersonaService::update(const Principal& principal, const std::string& id,
                                           const PersonaEdit& edit,
                                           std::optional<std::int64_t> expected_revision,
                                           const ClientInfo& client) {
  return guarded([&]() -> Result<PersonaView> {
    if (auto allowed = require(principal, Action::kPersonaManage); !allowed)
      return tl::unexpected(allowed.error());
    return database_.write([&](Transaction& tx) -> PersonaView {
      const auto current = find_reachable(tx, principal, id);
      if (!current) fail(ErrorCode::kNotFound, std::string(kNoSuchPersona));
      if (expected_revision && *expected_revision != current->revision) {
        fail(ErrorCode::kFailedPrecondition,
             "the persona changed since revision " + std::to_string(*expected_revision) + " (it is now at " +
                 std::to_string(current->revision) + "); reload it and apply your change again");
      }
      Persona changed = *current;
      edit(changed);
      fill_default_disclosures(changed);
      throw_if_error(persona_field_errors(changed));
      if (auto errors = check_against_tenant(tx, changed); !errors.empty())
        throw AppError(invalid_fields(errors));
      const std::string fields = changed_fields(*current, changed);
      if (fields.empty()) return view(*current);
      if (changed.status == PersonaStatus::kActive) {
        if (const auto blocker = activation_blocker(changed, clock_.now_unix_ms())) {
          fail(ErrorCode::kFailedPrecondition,
               "the change would break the rules of an active persona: " + *blocker);
        }
      }
      changed.revision = current->revision + 1;
      changed.updated_at_unix_ms = clock_.now_unix_ms();
      if (!personas_.update(tx, changed, current->revision)) {
        fail(ErrorCode::kFailedPrecondition,
             "the persona changed meanwhile; reload it and apply your change again");
      }
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "persona.updated",
                                    "persona:" + id, client, {{"fields", fields}}));
      return view(changed);
    });
  });
}

Result<void> PersonaService::remove(const Principal& principal, const std::string& id,
                                    const ClientInfo& client) {
  return guarded([&]() -> Result<void> {
    if (auto allowed = require(principal, Action::kPersonaManage); !allowed)
      return tl::unexpected(allowed.error());
    database_.write([&](Transaction& tx) {
      const auto persona = find_reachable(tx, principal, id);
      if (!persona) fail(ErrorCode::kNotFound, std::string(kNoSuchPersona));
      if (persona->status == PersonaStatus::kActive) {
        fail(ErrorCode::kFailedPrecondition, "deactivate the persona before deleting it");
      }
      if (const auto items = media_.count_for_persona(tx, principal.tenant_id, id); items > 0) {
        fail(ErrorCode::kFailedPrecondition,
             "the persona still has " + std::to_string(items) + " vault item(s); move or delete them first");
      }
      personas_.remove(tx, principal.tenant_id, id);
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "persona.deleted",
                                    "persona:" + id, client, {{"display_name", persona->display_name}}));
    });
    return {};
  });
}

Result<PersonaView> PersonaService::change_status(const Principal& principal, const std::string& id,
                                                  const std::function<void(Transaction&, Persona&)>& change) {
  return guarded([&]() -> Result<PersonaView> {
    if (auto allowed = require(principal, Action::kPersonaActivate); !allowed)
      return tl::unexpected(allowed.error());
    return database_.write([&](Transaction& tx) -> PersonaView {
      const auto current = find_reachable(tx, principal, id);
      if (!current) fail(ErrorCode::kNotFound, std::string(kNoSuchPersona));
      Persona changed = *current;
      change(tx, changed);
      if (changed == *current) return view(*current);
      changed.revision = current->revision + 1;
      changed.updated_at_unix_ms = clock_.now_unix_ms();
      if (!personas_.update(tx, changed, current->revision)) {
        fail(ErrorCode::kFailedPrecondition, "the persona changed meanwhile; try again");
      }
      return view(changed);
    });
  });
}

Result<PersonaView> PersonaService::activate(const Principal& principal, const std::string& id,
                                             bool attest_fictional_adult, const ClientInfo& client) {
  return change_status(principal, id, [&](Transaction& tx, Persona& persona) {
    if (persona.status == PersonaStatus::kActive) return;
    const std::int64_t now = clock_.now_unix_ms();
    if (persona.kind == PersonaKind::kFictional && attest_fictional_adult) {
      persona.attestation =
          FictionalAttestation{principal.user_id, now, std::string(kFictionalAttestationText)};
    }
    if (const auto blocker = activation_blocker(persona, now)) fail(ErrorCode::kFailedPrecondition, *blocker);
    if (persona.kind == PersonaKind::kRealAdultWithConsent) {
      const auto document = media_.find(tx, persona.tenant_id, persona.consent->document_media_id);
      if (!document) {
        fail(ErrorCode::kFailedPrecondition,
             "the consent document is no longer in the vault; attach it again");
      }
    }
    persona.status = PersonaStatus::kActive;
    const std::string basis = persona.kind == PersonaKind::kFictional
                                  ? "attestation by user:" + persona.attestation->attested_by_user_id
                                  : "consent of " + persona.consent->subject_name;
    audit_.append(
        tx, audit_entry(persona.tenant_id, principal_actor(principal), "persona.activated", "persona:" + id,
                        client, {{"kind", to_string(persona.kind)}, {"basis", basis}}));
  });
}

Result<PersonaView> PersonaService::deactivate(const Principal& principal, const std::string& id,
                                               const ClientInfo& client) {
  return change_status(principal, id, [&](Transaction& tx, Persona& persona) {
    if (persona.status != PersonaStatus::kActive) return;
    persona.status = PersonaStatus::kInactive;
    audit_.append(tx, audit_entry(persona.tenant_id, principal_actor(principal), "persona.deactivated",
                                  "persona:" + id, client));
  });
}

Result<PersonaView> PersonaService::record_consent(const Principal& principal, const std::string& id,
                                                   const ConsentInput& consent, const ClientInfo& client) {
  return change_status(principal, id, [&](Transaction& tx, Persona& persona) {
    std::vector<FieldError> errors;
    const auto text_ok = [](const std::string& text, std::size_t max) {
      return !text.empty() && text.size() <= max && text.find_first_of("\r\n") == std::string::npos;
    };
    if (!text_ok(consent.subject_name, 200))
      errors.push_back({"subject_name", "is required (one line, 1-200 bytes)"});
    if (consent.scope.empty() || consent.scope.size() > 2000)
      errors.push_back({"scope", "is required (1-2000 bytes)"});
    const std::int64_t now = clock_.now_unix_ms();
    if (consent.signed_at_unix_ms <= 0 || consent.signed_at_unix_ms > now) {
      errors.push_back({"signed_at_unix_ms", "must be a time in the past"});
    }
    if (consent.expires_at_unix_ms && *consent.expires_at_unix_ms <= now) {
      errors.push_back(
          {"expires_at_unix_ms", "must be in the future (an expired consent cannot be recorded)"});
    }
    const auto document = media_.find(tx, persona.tenant_id, consent.document_media_id);
    if (!document) errors.push_back({"document_media_id", "is not an item of this vault"});
    if (!errors.empty()) throw AppError(invalid_fields(std::move(errors)));
    persona.consent = ConsentRecord{consent.subject_name,
                                    consent.signed_at_unix_ms,
                                    consent.scope,
                                    consent.document_media_id,
                                    consent.expires_at_unix_ms,
                                    principal.user_id,
                                    now};
    audit_.append(
        tx, audit_entry(persona.tenant_id, principal_actor(principal), "persona.consent_recorded",
                        "persona:" + id, client,
                        {{"subject_name", consent.subject_name}, {"document", consent.document_media_id}}));
  });
}

Result<PersonaView> PersonaService::withdraw_consent(const Principal& principal, const std::string& id,
                                                     const ClientInfo& client) {
  return change_status(principal, id, [&](Transaction& tx, Persona& persona) {
    if (!persona.consent) return;
    persona.consent.reset();
    const bool was_active =
        persona.status == PersonaStatus::kActive && persona.kind == PersonaKind::kRealAdultWithConsent;
    if (was_active) persona.status = PersonaStatus::kInactive;
    audit_.append(tx, audit_entry(persona.tenant_id, principal_actor(principal), "persona.consent_withdrawn",
                                  "persona:" + id, client, {{"deactivated", was_active ? "true" : "false"}}));
  });
}

Result<PersonaView> PersonaService::import(const Principal& principal, Persona draft,
                                           const ClientInfo& client) {
  return guarded([&]() -> Result<PersonaView> {
    if (auto allowed = may_create_personas(principal); !allowed) return tl::unexpected(allowed.error());
    const std::int64_t now = clock_.now_unix_ms();
    draft.id = security::generate_id();
    draft.tenant_id = principal.tenant_id;
    draft.status = PersonaStatus::kDraft;
    draft.attestation.reset();
    draft.consent.reset();
    draft.visual.reference_media_ids.clear();
    draft.revision = 1;
    draft.created_at_unix_ms = now;
    draft.updated_at_unix_ms = now;
    fill_default_disclosures(draft);
    // Categories of another installation that this vault lacks are dropped rather than refused.
    database_.write([&](Transaction& tx) {
      const auto categories = seeded_categories(tx, media_, principal.tenant_id, now);
      for (auto& boundary : draft.boundaries) {
        std::erase_if(boundary.allowed_categories, [&](const std::string& name) {
          return std::none_of(categories.begin(), categories.end(),
                              [&](const MediaCategory& c) { return c.name == name; });
        });
      }
      if (!is_known_time_zone(draft.timezone)) draft.timezone = "UTC";
      throw_if_error(persona_field_errors(draft));
      require_room_for_a_persona(tx, principal.tenant_id);
      const std::string base_name = draft.display_name;
      std::set<std::string> taken;
      for (const auto& existing : personas_.list(tx, principal.tenant_id))
        taken.insert(display_name_key(existing.display_name));
      for (int n = 2; taken.contains(display_name_key(draft.display_name)) && n < 1000; ++n) {
        draft.display_name = base_name + " (" + std::to_string(n) + ")";
      }
      personas_.insert(tx, draft);
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "persona.imported",
                                    "persona:" + draft.id, client, {{"display_name", draft.display_name}}));
    });
    return view(draft);
  });
}

}  // namespace personae

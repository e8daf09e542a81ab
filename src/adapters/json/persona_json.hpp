#pragma once

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/json_reader.hpp"
#include "domain/personas/persona.hpp"

/// The one JSON form of a persona: the API's representation (responses, create and update
/// bodies) and the document the database stores. Everything a client may set is read by
/// apply_persona_settings(); what only the server sets (id, status, attestation, consent, revision,
/// timestamps) is written by persona_to_json() and read back only from stored documents.
namespace personae::json {

/// The persona as the API shows it (and the database stores it).
nlohmann::json persona_to_json(const Persona& persona);

/// The client-settable fields: for each field present in `body`, parses it and replaces the
/// persona's value (a PATCH merges at the top level: `voice` replaces the whole voice guide).
/// Problems (wrong type, unknown enum value, unknown platform key) are reported on `body`;
/// call body.finish() afterwards. Server-owned fields are not read, so finish() refuses them as
/// unknown (no mass assignment).
void apply_persona_settings(JsonReader& body, Persona& persona);

/// The settings part of persona_to_json(), without server-owned fields (for character-card
/// extensions and exports that must not carry ids or legal records).
nlohmann::json persona_settings_to_json(const Persona& persona);

/// A persona from a document written by persona_to_json(); kInternal when it is not one.
Result<Persona> persona_from_document(const nlohmann::json& document);

/// The API form of the character profile, and its reader (used by apply_persona_settings and by
/// character-card code that wants the same field names).
nlohmann::json character_to_json(const CharacterProfile& character);
void read_character(JsonReader& object, CharacterProfile& character);

}  // namespace personae::json

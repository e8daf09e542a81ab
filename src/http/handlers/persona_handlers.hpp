#pragma once

#include "http/auth/request_authenticator.hpp"
#include "http/router.hpp"

namespace personae {
class MediaService;
class PersonaService;
}  // namespace personae

/// Handlers for /api/v1/personas. Bodies use the persona's one JSON form
/// (adapters/json/persona_json): unknown or server-owned fields are a 400 naming them. Responses
/// carry the revision as ETag; PATCH honours If-Match (412 when the persona changed since). All
/// are PrincipalHandlers (register them through auth::guard()) and blocking.
namespace personae::http::handlers {

/// GET /api/v1/personas (personas.read).
auth::PrincipalHandler list_personas_as(PersonaService& personas);
/// POST /api/v1/personas (personas.manage): 201 with Location and ETag.
auth::PrincipalHandler create_persona_as(PersonaService& personas);
/// GET /api/v1/personas/{id} (personas.read).
auth::PrincipalHandler get_persona_as(PersonaService& personas);
/// PATCH /api/v1/personas/{id} (personas.manage).
auth::PrincipalHandler update_persona_as(PersonaService& personas);
/// DELETE /api/v1/personas/{id} (personas.manage): 204.
auth::PrincipalHandler delete_persona_as(PersonaService& personas);
/// POST /api/v1/personas/{id}/activate (personas.activate): `{"attest_fictional_adult": true}`.
auth::PrincipalHandler activate_persona_as(PersonaService& personas);
/// POST /api/v1/personas/{id}/deactivate (personas.activate).
auth::PrincipalHandler deactivate_persona_as(PersonaService& personas);
/// PUT /api/v1/personas/{id}/consent (personas.activate).
auth::PrincipalHandler record_consent_as(PersonaService& personas);
/// DELETE /api/v1/personas/{id}/consent (personas.activate).
auth::PrincipalHandler withdraw_consent_as(PersonaService& personas);
/// POST /api/v1/personas/import (personas.manage): a SillyTavern card as application/json or
/// image/png; 201 with the draft persona, the card version read and warnings.
auth::PrincipalHandler import_persona_as(PersonaService& personas);
/// GET /api/v1/personas/{id}/card?format=json|png&version=v2|v3 (personas.manage): the persona as
/// a character card (PNG: its first reference image, or a generated portrait, carries the card).
auth::PrincipalHandler export_persona_card_as(PersonaService& personas, MediaService& media);

}  // namespace personae::http::handlers

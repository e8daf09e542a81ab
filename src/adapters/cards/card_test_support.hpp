#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "domain/personas/persona.hpp"

/// Test helpers shared by the card tests.
namespace personae::cards::testing {

/// A persona with every field set, the card fields and the Personae-only ones, a lorebook of two
/// entries, and the installation-bound fields (id, tenant, status, attestation, consent,
/// timestamps, reference media) that no card carries.
Persona full_persona();

/// `persona` as an import of its export gives it back: the installation-bound fields reset.
Persona without_installation_fields(Persona persona);

/// A minimal valid V2 card with `data` extended by `data_patch` (merge-patched).
std::string v2_card(const nlohmann::json& data_patch = nlohmann::json::object());

}  // namespace personae::cards::testing

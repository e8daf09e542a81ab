#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/personas/persona.hpp"

/// Internal to personae_cards: `data.extensions.personae`, where a card carries the persona fields
/// that cards have no place for. Written on every export; read, validated, on import:
///
///   "personae": {
///     "version": 1,                                  // required; only 1 is read
///     "kind": "fictional" | "real_adult_with_consent",
///     "review_mode": "review_all" | "review_explicit_only" | "automatic_with_gates",
///     "bio": "...", "timezone": "Europe/Paris", "languages": ["fr", "en"],
///     "handles": {"x": "name", ...}, "disclosures": {"instagram": "AI-generated", ...},
///     "voice": {"tone": "...", "vocabulary": [...], "banned_words": [...], "hashtags": [...],
///               "emoji_use": "none" | "light" | "frequent", "topics_to_avoid": [...]},
///     "boundaries": [{"platform": "x", "allowed_ratings": ["sfw"], "allowed_categories": [...]}],
///     "visual": {"lora_name": "...", "trigger_words": [...]},
///     "llm": {"provider": "...", "model": "...", "temperature": 0.8, "context_size": 8192},
///     "card_v3": {...}   // only in V2 exports: the V3 fields V2 has no place for
///   }
///
/// Every key but version is optional on import (absent: the persona default). Types and names are
/// checked here; the persona's rules (lengths, time zone, language tags, ...) by validate_persona
/// once the whole card is read. Unknown keys are refused, except the ones we never import (id,
/// tenant_id, status, attestation, consent, revision, created_at_unix_ms, updated_at_unix_ms,
/// visual.reference_media_ids), which are ignored with a warning.
namespace personae::cards::detail {

inline constexpr int kPersonaeExtensionVersion = 1;

/// Reads the extension at `path` into `persona` (warnings appended). Returns `card_v3` when
/// present, unchecked, for the caller to lift. Throws CardRejected.
std::optional<nlohmann::json> read_personae_extension(const nlohmann::json& value, const std::string& path,
                                                      Persona& persona, std::vector<std::string>& warnings);

/// The extension for `persona`, without card_v3.
nlohmann::json write_personae_extension(const Persona& persona);

}  // namespace personae::cards::detail

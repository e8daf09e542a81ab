#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/personas/persona.hpp"

namespace personae {

/// What the operator agrees to when activating a fictional persona (kept in the attestation).
inline constexpr std::string_view kFictionalAttestationText =
    "I attest that this persona is an invented character, an adult (18 or older), and that it "
    "depicts no real person.";

/// A field of a persona that breaks a rule: `field` is the API's dotted path ("voice.tone",
/// "boundaries[1].platform"), `message` says what is expected.
struct FieldProblem {
  std::string field;
  std::string message;

  bool operator==(const FieldProblem&) const = default;
};

/// Limits on persona fields (characters are Unicode code points).
inline constexpr std::size_t kMaxDisplayNameCharacters = 100;
inline constexpr std::size_t kMaxBioCharacters = 2'000;
inline constexpr std::size_t kMaxShortTextCharacters = 500;
inline constexpr std::size_t kMaxCharacterTextCharacters = 200'000;
inline constexpr std::size_t kMaxListItems = 100;
inline constexpr std::size_t kMaxReferenceImages = 20;

/// Every rule a persona's own fields must follow (shape, lengths, allowed values, no duplicates),
/// all problems at once. What needs the rest of the tenant (the time-zone database, vault
/// categories and media ids) is checked by the service.
std::vector<FieldProblem> validate_persona(const Persona& persona);

/// The AI label each platform gets when the operator sets none: platforms and regulators require
/// AI content to be labelled (X "Made with AI", Fanvue's AI-creator disclosure, OnlyFans "#ai").
std::map<Platform, std::string> default_disclosures();

/// Adds the default disclosure of every platform the persona has none for (an explicitly empty
/// text is replaced too: AI disclosure cannot be switched off).
void fill_default_disclosures(Persona& persona);

/// The key that makes display names unique in a tenant: ASCII letters lowercased, surrounding
/// whitespace removed.
std::string display_name_key(std::string_view display_name);

/// Why the persona cannot be activated at `now_unix_ms`, or nullopt when it can:
///   - no text of the persona (bio, character fields, lorebook) may state or suggest a minor
///     (checked first: no attestation or consent makes that acceptable);
///   - a fictional persona needs the operator's attestation;
///   - a real adult needs a consent record that has a document and has not expired.
/// The sentence is shown to the user.
std::optional<std::string> activation_blocker(const Persona& persona, std::int64_t now_unix_ms);

/// Whether the persona's boundaries allow content of `rating` in `category` at `platform`.
bool destination_allows(const Persona& persona, Platform platform, Rating rating, std::string_view category);

/// Every text of the persona that generation or chat could repeat, with its field path, for
/// content checks (minor signals, banned terms).
std::vector<std::pair<std::string, std::string_view>> persona_texts(const Persona& persona);

}  // namespace personae

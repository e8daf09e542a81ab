#pragma once

#include <string>
#include <vector>

#include "domain/personas/persona.hpp"
#include "domain/personas/persona_rules.hpp"

namespace personae::safety::testing {

/// An active fictional persona that may publish any rating anywhere, with the default AI labels
/// and automatic review: a rule under test is the only one that can fire.
inline Persona open_persona() {
  Persona persona;
  persona.id = "p1";
  persona.tenant_id = "t1";
  persona.display_name = "Luna Vale";
  persona.status = PersonaStatus::kActive;
  persona.kind = PersonaKind::kFictional;
  persona.attestation = FictionalAttestation{"u1", 1, std::string(kFictionalAttestationText)};
  persona.review_mode = ReviewMode::kAutomaticWithGates;
  for (const Platform platform : kAllPlatforms) {
    persona.boundaries.push_back({platform, {Rating::kSfw, Rating::kSuggestive, Rating::kExplicit}, {}});
  }
  fill_default_disclosures(persona);
  return persona;
}

/// How many times `needle` occurs in `haystack`.
inline std::size_t occurrences(const std::string& haystack, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

}  // namespace personae::safety::testing

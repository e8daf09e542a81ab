#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/personas/persona.hpp"
#include "safety/decision.hpp"
#include "safety/phrase_matcher.hpp"
#include "safety/tenant_safety_lists.hpp"

namespace personae::safety {

/// The term rules for one artifact's texts, reusable by every kind of artifact (captions now,
/// messages later). Each text is checked against:
///   - "minors.builtin" (kBlock): safety::find_minor_signals, on the text and on its folded form;
///   - "consent.builtin" / "illegal.builtin": the built-in lists (builtin_terms.hpp), with the
///     verdict of each entry; context-only entries only when `sexual_context`;
///   - "terms.tenant" (kBlock): the tenant's banned terms;
///   - "names.real_person" (kBlock): the tenant's real-person names, except the name of the
///     persona's own consent subject when the persona is a real adult whose consent is recorded
///     with its document and not expired at `now_unix_ms` (the entry must equal the consent
///     record's subject_name, ignoring case, accents, spacing and punctuation);
///   - "terms.persona" (kNeedsReview): the persona's voice.banned_words;
///   - "hashtags.tenant" (kBlock): a hashtag on the tenant's banned list (the whole text when it
///     is a tag, else every "#tag" in it).
/// Compound hashtags are split into words first ("#HiddenCam" → "Hidden Cam").
/// Holds references: `persona` and `lists` must outlive it. Const members are thread-safe.
class TextScreen {
 public:
  TextScreen(const Persona& persona, const TenantSafetyLists& lists, bool sexual_context,
             std::int64_t now_unix_ms);

  /// The findings for `text`, found in `field` ("text", "hashtags[0]", ...). `whole_text_is_tag`:
  /// the text is one hashtag (with or without '#').
  std::vector<Finding> screen(std::string_view field, std::string_view text,
                              bool whole_text_is_tag = false) const;

  /// Whether `name` (a tenant list entry) is the persona's own consenting subject.
  bool is_consent_subject(std::string_view name) const;

 private:
  const TenantSafetyLists& lists_;
  bool sexual_context_ = false;
  std::string consent_subject_key_;  // empty: no exemption
  PhraseMatcher persona_words_;
};

/// Whether `persona` is a real adult whose consent is recorded, with its document, and not
/// expired at `now_unix_ms`.
bool has_valid_consent(const Persona& persona, std::int64_t now_unix_ms);

}  // namespace personae::safety

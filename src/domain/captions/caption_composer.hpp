#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/captions/caption_template.hpp"
#include "domain/captions/hashtag_strategy.hpp"
#include "domain/personas/persona.hpp"
#include "safety/caption_policy.hpp"
#include "safety/tenant_safety_lists.hpp"

namespace personae::captions {

/// What the language model wrote for one caption: plain text values, never templates.
struct ModelCaption {
  std::string caption;
  std::string call_to_action;
  std::vector<std::string> topic_hashtags;  ///< with or without '#'
  std::string title;                        ///< Reddit; empty: the caption's first sentence
};

/// One caption to compose.
struct CaptionRequest {
  Platform platform = Platform::kX;
  Rating rating = Rating::kSfw;              ///< of the content (hashtag screening, the candidate)
  std::optional<std::string> category;       ///< of the content (for the candidate)
  std::string language = "en";               ///< BCP 47; used only to find Reddit's first sentence
  std::optional<ModelCaption> model;         ///< nullopt: a template-only draft (user's request)
  std::string description;                   ///< the content item's description (template-only drafts)
  std::vector<std::string> tenant_hashtags;  ///< the tenant's preferred tags, lowest priority
  CaptionTemplates templates;                ///< the tenant's overrides; empty fields: defaults
  std::int64_t now_unix_ms = 0;              ///< the clock's now (consent checks)
};

/// The composed caption, ready for the safety engine (to_candidate).
struct ComposedCaption {
  Platform platform = Platform::kX;
  std::string text;               ///< the post text with the AI label (Reddit: the self-text body)
  std::string title;              ///< Reddit: the title with the AI label; empty elsewhere
  std::string call_to_action;     ///< the CTA as used
  std::vector<Hashtag> hashtags;  ///< kept, in the order they appear
  std::vector<DroppedHashtag> dropped_hashtags;
  bool shortened = false;      ///< the caption (or Reddit title/body) had to be cut with "…"
  bool template_only = false;  ///< a draft from the description and the persona's tags, not AI-written
};

/// The most code points of a call to action (a longer one is cut with "…").
inline constexpr std::size_t kMaxCallToActionCharacters = 200;

/// Composes the caption of one post for `request.platform`:
///   1. the model's caption, CTA and topic tags (or, for a template-only draft, the description
///      and the persona's tags only), whitespace tidied;
///   2. hashtags: select_hashtags over the persona's tags, the model's and the tenant's preferred
///      ones (that priority); tags on the tenant's banned list or drawing any term finding
///      (safety::screen_hashtag) are dropped; at most the platform's count (minus the hashtags
///      of the AI label and those the model wrote into its caption and CTA): Instagram 30, Fanvue and
///      OnlyFans 10, X as many as fit, Reddit none;
///   3. the templates are rendered (render_caption_template) and the persona's AI label appended
///      as safety::attach_label would (so the engine finds it and appends nothing);
///   4. fitting the platform's limit: the lowest-priority tags are dropped first, one by one;
///      then the caption is shortened at a word boundary with "…"; then the CTA is dropped. The
///      label is never dropped. Reddit: the title (first sentence, or the model's title) is cut
///      to fit 300 with its label; the body to 40,000.
/// kInvalidArgument (field "templates.text" / "templates.title") for a template with a
/// template_problem, or when the label alone exceeds the limit. Pure and thread-safe.
Result<ComposedCaption> compose_caption(const Persona& persona, const CaptionRequest& request,
                                        const safety::TenantSafetyLists& lists);

/// The safety engine's input for a composed caption.
safety::CaptionCandidate to_candidate(const ComposedCaption& caption, const CaptionRequest& request);

}  // namespace personae::captions

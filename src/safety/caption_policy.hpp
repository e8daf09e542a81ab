#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/personas/persona.hpp"
#include "safety/decision.hpp"
#include "safety/tenant_safety_lists.hpp"

namespace personae::safety {

/// A caption about to be stored as ready: the texts as they would be published, and what the
/// rules need to know about the content.
struct CaptionCandidate {
  Platform platform = Platform::kX;
  Rating rating = Rating::kSfw;         ///< of the content the caption goes with
  std::optional<std::string> category;  ///< its vault category, if it has one
  std::string text;                     ///< the whole post text (Reddit: the self-text body)
  std::string title;                    ///< Reddit's title; for other platforms it is checked, not returned
  std::vector<std::string> hashtags;    ///< the tags the text carries, without '#'
  std::string call_to_action;           ///< the CTA the text carries
  bool template_only_draft = false;     ///< not written by the AI (the composer's draft mode)
  std::int64_t now_unix_ms = 0;         ///< the clock's now, for consent expiry
};

/// Inputs larger than this (per field) are cut to it before checking and the caption is blocked.
inline constexpr std::size_t kMaxCheckedFieldBytes = std::size_t{1024} * 1024;
/// More hashtags than this and the caption is blocked (only these are checked).
inline constexpr std::size_t kMaxCheckedHashtags = 200;

/// The caption policy engine (first version). Rules, in the order their findings appear:
///   1. "persona.status", "persona.consent" (block): the persona is not active, or is a real
///      adult whose consent is missing, has no document or has expired;
///   2. "output.length" (block): a field over kMaxCheckedFieldBytes, too many hashtags;
///   3. output hygiene per field (clean_output: "output.*"), on title, call to action, hashtags,
///      text;
///   4. term rules per field (TextScreen: minors, built-in lists, tenant terms, real-person names,
///      persona's banned words, banned hashtags); the content is sexual context when its rating
///      is above sfw or any field uses a sexual word. A match already reported for the title,
///      CTA or a hashtag is not repeated for the text that contains it;
///   5. "boundary.platform" (block): explicit content where the platform refuses it (Instagram);
///      "boundary.destination" (block): the persona has no boundary for the platform, or it does
///      not allow the rating; "boundary.category" (block): the category is not among those
///      allowed there (destination_allows is the final word);
///   6. "review.persona_mode" (needs review): review_all always, review_explicit_only for
///      explicit content; "review.draft" (needs review): template-only drafts;
///   7. "disclosure.appended" (allow): the persona's AI label for the platform (disclosure_for)
///      was appended where it was missing (Reddit: to the title; elsewhere: to the text),
///      shortening the body at a word boundary with "…" when needed, never the label;
///      "disclosure.too_long" (block): the label alone exceeds the limit; "output.shortened"
///      (allow): a Reddit body cut to 40,000; "output.title" (needs review): a Reddit post
///      without title; "output.hashtag_limit" (block): more hashtags than the platform accepts.
/// The verdict is the strictest of all findings. Pure and thread-safe.
Decision check_caption(const Persona& persona, const CaptionCandidate& candidate,
                       const TenantSafetyLists& lists);

/// The term-rule findings one hashtag (with or without '#') would draw in a caption for content
/// of `rating`: what the caption composer uses to drop a tag before composing.
std::vector<Finding> screen_hashtag(std::string_view tag, const Persona& persona,
                                    const TenantSafetyLists& lists, Rating rating, std::int64_t now_unix_ms);

}  // namespace personae::safety

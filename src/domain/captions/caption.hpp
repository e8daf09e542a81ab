#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/captions/caption_template.hpp"
#include "domain/personas/persona.hpp"

namespace personae::captions {

/// Where a caption is in its life.
///
///   queued ──(generation job)──> ready | needs_review | blocked     (the safety engine's verdict)
///     └──(every attempt failed)──> failed                           (retry with a new request)
///   needs_review ──approve (a human)──> ready
///   ready | needs_review | blocked ──edit──> the verdict on the edited text
enum class CaptionStatus { kQueued, kReady, kNeedsReview, kBlocked, kFailed };

inline constexpr std::string_view to_string(CaptionStatus status) {
  switch (status) {
    case CaptionStatus::kQueued: return "queued";
    case CaptionStatus::kReady: return "ready";
    case CaptionStatus::kNeedsReview: return "needs_review";
    case CaptionStatus::kBlocked: return "blocked";
    case CaptionStatus::kFailed: return "failed";
  }
  return "queued";
}

inline std::optional<CaptionStatus> parse_caption_status(std::string_view text) {
  for (const auto status : {CaptionStatus::kQueued, CaptionStatus::kReady, CaptionStatus::kNeedsReview,
                            CaptionStatus::kBlocked, CaptionStatus::kFailed}) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

/// One finding of the safety engine as stored with the caption (safety::Finding, flattened).
struct StoredFinding {
  std::string rule;
  std::string verdict;  ///< "allow", "needs_review", "block"
  std::string reason;
  std::string field;
  std::string matched;

  bool operator==(const StoredFinding&) const = default;
};

/// The safety engine's last decision on the caption's text.
struct StoredDecision {
  std::string verdict;  ///< "allow", "needs_review", "block"; empty until decided
  std::vector<StoredFinding> findings;
  bool mark_adult = false;  ///< the publisher must set the platform's adult flag
  std::int64_t decided_at_unix_ms = 0;

  bool operator==(const StoredDecision&) const = default;
};

/// A caption for one post of one persona on one platform.
struct Caption {
  std::string id;
  std::string tenant_id;
  std::string persona_id;
  std::optional<std::string> media_id;  ///< the content item it goes with; nullopt: from a brief
  Platform platform = Platform::kX;
  std::string brief;           ///< what the post is about, when there is no media (or extra context)
  bool template_only = false;  ///< asked for a draft from templates, without a language model
  CaptionStatus status = CaptionStatus::kQueued;
  std::optional<std::int64_t> job_id;  ///< the generation job

  std::string text;                           ///< as it would be published (AI label included)
  std::string title;                          ///< Reddit only
  std::string call_to_action;                 ///< as used in the text
  std::vector<std::string> hashtags;          ///< without '#', in the order they appear
  std::vector<std::string> dropped_hashtags;  ///< "tag: reason", for the user
  bool shortened = false;
  StoredDecision decision;
  std::string error;     ///< why generation failed (queued: the last attempt's error; failed: the reason)
  std::string model;     ///< the model that wrote it, "" for a template-only draft
  std::string provider;  ///< the configured provider that answered
  std::string language;  ///< BCP 47, the persona's main language when generated

  std::string created_by;  ///< user id
  std::optional<std::string> edited_by;
  std::optional<std::string> approved_by;
  std::optional<std::int64_t> approved_at_unix_ms;
  std::int64_t created_at_unix_ms = 0;
  std::int64_t updated_at_unix_ms = 0;
  std::int64_t revision = 1;

  bool operator==(const Caption&) const = default;
};

/// A tenant's content settings: its safety lists (the built-in lists for minors and non-consent
/// are always on and not listed here), its preferred hashtags, and its caption templates.
struct ContentSettings {
  std::vector<std::string> banned_terms;
  std::vector<std::string> real_person_names;
  std::vector<std::string> banned_hashtags;
  std::vector<std::string> preferred_hashtags;     ///< lowest priority, after the persona's and the model's
  std::map<Platform, CaptionTemplates> templates;  ///< overrides; a missing platform: the defaults
  std::int64_t revision = 0;                       ///< 0: never saved (the defaults)
  std::string updated_by;
  std::int64_t updated_at_unix_ms = 0;

  bool operator==(const ContentSettings&) const = default;
};

/// Limits of the settings, checked by the service.
inline constexpr std::size_t kMaxSettingsListEntries = 2'000;
inline constexpr std::size_t kMaxSettingsEntryCharacters = 100;
inline constexpr std::size_t kMaxBriefCharacters = 2'000;
inline constexpr std::size_t kMaxEditedTextCharacters = 40'000;

}  // namespace personae::captions

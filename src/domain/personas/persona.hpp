#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace personae {

/// Where content goes. OnlyFans has no public API: it is served by an export mode (drafts for a
/// human), but personas still carry its handle, boundaries and disclosure.
enum class Platform { kX, kInstagram, kReddit, kFanvue, kOnlyFans };
inline constexpr std::array kAllPlatforms = {Platform::kX, Platform::kInstagram, Platform::kReddit,
                                             Platform::kFanvue, Platform::kOnlyFans};
/// "x", "instagram", "reddit", "fanvue", "onlyfans".
std::string_view to_string(Platform platform);
std::optional<Platform> parse_platform(std::string_view text);

/// How explicit a piece of content is, in increasing order.
enum class Rating { kSfw, kSuggestive, kExplicit };
/// "sfw", "suggestive", "explicit".
std::string_view to_string(Rating rating);
std::optional<Rating> parse_rating(std::string_view text);

/// Who approves what the persona publishes or sends (human control).
enum class ReviewMode {
  kReviewAll,           ///< a human approves everything
  kReviewExplicitOnly,  ///< a human approves explicit content; the rest passes the automatic gates
  kAutomaticWithGates,  ///< everything passes the automatic gates (safety engine) without a human
};
/// "review_all", "review_explicit_only", "automatic_with_gates".
std::string_view to_string(ReviewMode mode);
std::optional<ReviewMode> parse_review_mode(std::string_view text);

/// What the persona is. Nothing may depict a real person without that person's recorded consent,
/// and nothing may depict or suggest a minor.
enum class PersonaKind {
  kFictional,             ///< an invented adult; the operator attests it
  kRealAdultWithConsent,  ///< a real adult who consented; a consent record is required
};
/// "fictional", "real_adult_with_consent".
std::string_view to_string(PersonaKind kind);
std::optional<PersonaKind> parse_persona_kind(std::string_view text);

enum class PersonaStatus {
  kDraft,     ///< being set up; nothing is generated or published for it
  kActive,    ///< activated (attestation or valid consent checked, audited)
  kInactive,  ///< switched off by an operator (or its consent expired)
};
/// "draft", "active", "inactive".
std::string_view to_string(PersonaStatus status);
std::optional<PersonaStatus> parse_persona_status(std::string_view text);

enum class EmojiUse { kNone, kLight, kFrequent };
/// "none", "light", "frequent".
std::string_view to_string(EmojiUse use);
std::optional<EmojiUse> parse_emoji_use(std::string_view text);

/// The voice and style guide every generated text follows.
struct VoiceGuide {
  std::string tone;                       ///< free text: "playful, teasing, warm"
  std::vector<std::string> vocabulary;    ///< words and phrases the persona likes to use
  std::vector<std::string> banned_words;  ///< words it never uses
  EmojiUse emoji_use = EmojiUse::kLight;
  std::vector<std::string> topics_to_avoid;  ///< "politics", "religion", ...
  std::vector<std::string> hashtags;         ///< the persona's own hashtags, without '#', on every caption

  bool operator==(const VoiceGuide&) const = default;
};

/// What may be published at one destination: the ratings allowed, and the vault categories
/// allowed (empty: any category). A destination without a boundary allows nothing.
struct DestinationBoundary {
  Platform platform = Platform::kX;
  std::vector<Rating> allowed_ratings;
  std::vector<std::string> allowed_categories;

  bool operator==(const DestinationBoundary&) const = default;
};

/// How the persona looks to image generators.
struct VisualIdentity {
  std::string lora_name;
  std::vector<std::string> trigger_words;
  std::vector<std::string> reference_media_ids;  ///< images of the tenant's vault

  bool operator==(const VisualIdentity&) const = default;
};

/// Language-model settings (unset: the provider's defaults).
struct LlmSettings {
  std::string provider;               ///< a configured provider's name; empty: the default chain
  std::string model;                  ///< empty: the provider's model
  std::optional<double> temperature;  ///< 0-2
  std::optional<int> context_size;    ///< tokens, 512-1048576

  bool operator==(const LlmSettings&) const = default;
};

/// The operator's statement that a fictional persona is an invented adult.
struct FictionalAttestation {
  std::string attested_by_user_id;
  std::int64_t attested_at_unix_ms = 0;
  std::string statement;  ///< the text the operator agreed to (kFictionalAttestationText)

  bool operator==(const FictionalAttestation&) const = default;
};

/// The consent of the real adult a persona depicts.
struct ConsentRecord {
  std::string subject_name;                        ///< who consented (legal name)
  std::int64_t signed_at_unix_ms = 0;              ///< when the consent was given
  std::string scope;                               ///< what it covers ("images and captions on Fanvue and X")
  std::string document_media_id;                   ///< the signed document, stored in the tenant's vault
  std::optional<std::int64_t> expires_at_unix_ms;  ///< unset: until withdrawn
  std::string recorded_by_user_id;
  std::int64_t recorded_at_unix_ms = 0;

  bool operator==(const ConsentRecord&) const = default;
};

/// One lorebook (world info) entry of a character card.
struct LorebookEntry {
  std::vector<std::string> keys;
  std::vector<std::string> secondary_keys;
  std::string content;
  std::string name;
  std::string comment;
  bool enabled = true;
  bool case_sensitive = false;
  bool selective = false;
  bool constant = false;
  int insertion_order = 0;
  std::optional<int> priority;
  std::optional<std::int64_t> id;
  std::string position;                ///< "before_char", "after_char" or empty
  std::string extensions_json = "{}";  ///< the entry's `extensions` and unmodelled fields, a JSON object

  bool operator==(const LorebookEntry&) const = default;
};

/// A character card's lorebook (`character_book`).
struct Lorebook {
  std::string name;
  std::string description;
  std::optional<int> scan_depth;
  std::optional<int> token_budget;
  std::optional<bool> recursive_scanning;
  std::vector<LorebookEntry> entries;
  std::string extensions_json = "{}";  ///< the book's `extensions` and unmodelled fields, a JSON object

  bool operator==(const Lorebook&) const = default;
};

/// The persona as a chat character: the fields of a SillyTavern character card (V2/V3), used to
/// build chat prompts.
struct CharacterProfile {
  std::string description;
  std::string personality;
  std::string scenario;
  std::string first_message;
  std::string example_messages;
  std::string system_prompt;
  std::string post_history_instructions;
  std::string creator_notes;
  std::string creator;
  std::string character_version;
  std::string nickname;
  std::vector<std::string> alternate_greetings;
  std::vector<std::string> group_only_greetings;
  std::vector<std::string> tags;
  std::optional<Lorebook> lorebook;
  /// Card content we do not model (the card's other `extensions`, V3 assets, sources,
  /// multilingual notes, ...), a JSON object kept as text and written back on export.
  std::string extensions_json = "{}";

  bool operator==(const CharacterProfile&) const = default;
};

/// A virtual creator run by a tenant.
struct Persona {
  std::string id;
  std::string tenant_id;
  std::string display_name;                 ///< 1-100 characters
  std::map<Platform, std::string> handles;  ///< account names per platform, without '@'
  std::string bio;
  std::string timezone = "UTC";                 ///< an IANA zone ("Europe/Paris")
  std::vector<std::string> languages = {"en"};  ///< BCP 47 tags, the first is the main language
  VoiceGuide voice;
  std::vector<DestinationBoundary> boundaries;
  std::map<Platform, std::string> disclosures;  ///< the AI label appended where a platform needs it
  VisualIdentity visual;
  LlmSettings llm;
  ReviewMode review_mode = ReviewMode::kReviewAll;
  PersonaKind kind = PersonaKind::kFictional;
  std::optional<FictionalAttestation> attestation;
  std::optional<ConsentRecord> consent;
  PersonaStatus status = PersonaStatus::kDraft;
  CharacterProfile character;
  std::int64_t created_at_unix_ms = 0;
  std::int64_t updated_at_unix_ms = 0;
  std::int64_t revision = 1;  ///< bumped on every change (optimistic concurrency: If-Match)

  bool operator==(const Persona&) const = default;
};

}  // namespace personae

#include "domain/personas/persona.hpp"

#include <array>
#include <utility>

namespace personae {
namespace {

template <class Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

template <class Enum, std::size_t N>
constexpr std::string_view name_of(const NameTable<Enum, N>& table, Enum value) {
  for (const auto& [entry, name] : table) {
    if (entry == value) return name;
  }
  return "unknown";
}

template <class Enum, std::size_t N>
constexpr std::optional<Enum> value_of(const NameTable<Enum, N>& table, std::string_view text) {
  for (const auto& [entry, name] : table) {
    if (name == text) return entry;
  }
  return std::nullopt;
}

constexpr NameTable<Platform, 5> kPlatformNames{{{Platform::kX, "x"},
                                                 {Platform::kInstagram, "instagram"},
                                                 {Platform::kReddit, "reddit"},
                                                 {Platform::kFanvue, "fanvue"},
                                                 {Platform::kOnlyFans, "onlyfans"}}};
constexpr NameTable<Rating, 3> kRatingNames{
    {{Rating::kSfw, "sfw"}, {Rating::kSuggestive, "suggestive"}, {Rating::kExplicit, "explicit"}}};
constexpr NameTable<ReviewMode, 3> kReviewModeNames{
    {{ReviewMode::kReviewAll, "review_all"},
     {ReviewMode::kReviewExplicitOnly, "review_explicit_only"},
     {ReviewMode::kAutomaticWithGates, "automatic_with_gates"}}};
constexpr NameTable<PersonaKind, 2> kKindNames{
    {{PersonaKind::kFictional, "fictional"},
     {PersonaKind::kRealAdultWithConsent, "real_adult_with_consent"}}};
constexpr NameTable<PersonaStatus, 3> kStatusNames{{{PersonaStatus::kDraft, "draft"},
                                                    {PersonaStatus::kActive, "active"},
                                                    {PersonaStatus::kInactive, "inactive"}}};
constexpr NameTable<EmojiUse, 3> kEmojiNames{
    {{EmojiUse::kNone, "none"}, {EmojiUse::kLight, "light"}, {EmojiUse::kFrequent, "frequent"}}};

}  // namespace

std::string_view to_string(Platform platform) {
  return name_of(kPlatformNames, platform);
}
std::optional<Platform> parse_platform(std::string_view text) {
  return value_of(kPlatformNames, text);
}
std::string_view to_string(Rating rating) {
  return name_of(kRatingNames, rating);
}
std::optional<Rating> parse_rating(std::string_view text) {
  return value_of(kRatingNames, text);
}
std::string_view to_string(ReviewMode mode) {
  return name_of(kReviewModeNames, mode);
}
std::optional<ReviewMode> parse_review_mode(std::string_view text) {
  return value_of(kReviewModeNames, text);
}
std::string_view to_string(PersonaKind kind) {
  return name_of(kKindNames, kind);
}
std::optional<PersonaKind> parse_persona_kind(std::string_view text) {
  return value_of(kKindNames, text);
}
std::string_view to_string(PersonaStatus status) {
  return name_of(kStatusNames, status);
}
std::optional<PersonaStatus> parse_persona_status(std::string_view text) {
  return value_of(kStatusNames, text);
}
std::string_view to_string(EmojiUse use) {
  return name_of(kEmojiNames, use);
}
std::optional<EmojiUse> parse_emoji_use(std::string_view text) {
  return value_of(kEmojiNames, text);
}

}  // namespace personae

#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "domain/personas/persona.hpp"

/// Internal to personae_cards: the card keys import and export agree on.
namespace personae::cards::detail {

inline constexpr std::string_view kSpecV2 = "chara_card_v2";
inline constexpr std::string_view kSpecV3 = "chara_card_v3";
inline constexpr std::string_view kPersonaeKey = "personae";
inline constexpr std::string_view kCardV3Key = "card_v3";

/// A text field of `data` and the CharacterProfile member it maps to.
struct TextField {
  std::string_view key;
  std::string CharacterProfile::*member;
};

/// The first five are the V1 fields besides `name`.
inline constexpr std::array<TextField, 10> kTextFields = {{
    {"description", &CharacterProfile::description},
    {"personality", &CharacterProfile::personality},
    {"scenario", &CharacterProfile::scenario},
    {"first_mes", &CharacterProfile::first_message},
    {"mes_example", &CharacterProfile::example_messages},
    {"creator_notes", &CharacterProfile::creator_notes},
    {"system_prompt", &CharacterProfile::system_prompt},
    {"post_history_instructions", &CharacterProfile::post_history_instructions},
    {"creator", &CharacterProfile::creator},
    {"character_version", &CharacterProfile::character_version},
}};
inline constexpr std::size_t kV1TextFields = 5;

/// The V1 fields: the whole of a V1 card, and derived copies at the top of a V2/V3 card.
inline constexpr std::array<std::string_view, 6> kV1Keys = {"name",     "description", "personality",
                                                            "scenario", "first_mes",   "mes_example"};

/// V3 fields we model, and V3 fields we keep unmodelled (in the profile's "data" section).
inline constexpr std::array<std::string_view, 2> kV3ModelledKeys = {"nickname", "group_only_greetings"};
inline constexpr std::array<std::string_view, 5> kV3KeptKeys = {
    "creator_notes_multilingual", "source", "creation_date", "modification_date", "assets"};

/// Every key of `data` that export writes itself (a stored unknown key of one of these names is
/// not re-emitted).
inline constexpr std::array<std::string_view, 15> kDataKeys = {
    "name",          "description",       "personality",
    "scenario",      "first_mes",         "mes_example",
    "creator_notes", "system_prompt",     "post_history_instructions",
    "creator",       "character_version", "alternate_greetings",
    "tags",          "character_book",    "extensions"};

/// Keys of a lorebook and of an entry that export writes itself.
inline constexpr std::array<std::string_view, 7> kBookKeys = {
    "name", "description", "scan_depth", "token_budget", "recursive_scanning", "extensions", "entries"};
inline constexpr std::array<std::string_view, 14> kEntryKeys = {
    "keys",      "secondary_keys", "content",         "name",     "comment", "enabled",  "case_sensitive",
    "selective", "constant",       "insertion_order", "priority", "id",      "position", "extensions"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace personae::cards::detail

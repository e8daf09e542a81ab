#include "domain/personas/persona_rules.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "domain/accounts/text.hpp"
#include "safety/minor_signals.hpp"

namespace personae {
namespace {

class Checker {
 public:
  void text(const std::string& field, std::string_view value, std::size_t max, bool required = false) {
    if (required && trim_ascii_whitespace(value).empty()) {
      add(field, "is required");
      return;
    }
    const auto characters = utf8_code_points(value);
    if (!characters) {
      add(field, "must be valid UTF-8");
    } else if (*characters > max) {
      add(field, "must be at most " + std::to_string(max) + " characters");
    }
  }

  void single_line(const std::string& field, std::string_view value, std::size_t max, bool required = false) {
    text(field, value, max, required);
    if (has_control_character(value)) add(field, "must be one line without control characters");
  }

  void list(const std::string& field, const std::vector<std::string>& values, std::size_t max_items,
            std::size_t max_characters) {
    if (values.size() > max_items) add(field, "must have at most " + std::to_string(max_items) + " items");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < values.size() && i < max_items; ++i) {
      const std::string item_field = field + "[" + std::to_string(i) + "]";
      single_line(item_field, values[i], max_characters, true);
      if (!seen.insert(values[i]).second) add(item_field, "is listed twice");
    }
  }

  void add(std::string field, std::string message) {
    for (const auto& problem : problems_) {
      if (problem.field == field) return;  // one problem per field is enough to act on
    }
    problems_.push_back({std::move(field), std::move(message)});
  }

  std::vector<FieldProblem> take() { return std::move(problems_); }

 private:
  std::vector<FieldProblem> problems_;
};

// Letters (any script), digits and '_': what platforms accept after '#'.
bool is_hashtag_word(std::string_view word) {
  return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return std::isalnum(byte) != 0 || c == '_' || byte >= 0x80;
  });
}

bool is_handle_character(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

// BCP 47 as used in practice: a 2-3 letter language, then subtags of 2-8 letters or digits.
bool is_language_tag(std::string_view tag) {
  std::size_t start = 0;
  bool first = true;
  while (start <= tag.size()) {
    const std::size_t dash = tag.find('-', start);
    const std::string_view part =
        tag.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start);
    if (first) {
      if (part.size() < 2 || part.size() > 3 ||
          !std::all_of(part.begin(), part.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
        return false;
    } else if (part.size() < 2 || part.size() > 8 || !std::all_of(part.begin(), part.end(), [](char c) {
                 return std::isalnum(static_cast<unsigned char>(c)) != 0;
               })) {
      return false;
    }
    first = false;
    if (dash == std::string_view::npos) return true;
    start = dash + 1;
  }
  return false;
}

// IANA names: "UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5".
bool is_time_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.back() == '/') return false;
  if (name.find("..") != std::string_view::npos || name.find("//") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '/' || c == '_' || c == '-' || c == '+';
  });
}

void check_character(Checker& check, const CharacterProfile& character) {
  check.text("character.description", character.description, kMaxCharacterTextCharacters);
  check.text("character.personality", character.personality, kMaxCharacterTextCharacters);
  check.text("character.scenario", character.scenario, kMaxCharacterTextCharacters);
  check.text("character.first_message", character.first_message, kMaxCharacterTextCharacters);
  check.text("character.example_messages", character.example_messages, kMaxCharacterTextCharacters);
  check.text("character.system_prompt", character.system_prompt, kMaxCharacterTextCharacters);
  check.text("character.post_history_instructions", character.post_history_instructions,
             kMaxCharacterTextCharacters);
  check.text("character.creator_notes", character.creator_notes, kMaxCharacterTextCharacters);
  check.single_line("character.creator", character.creator, kMaxShortTextCharacters);
  check.single_line("character.character_version", character.character_version, kMaxShortTextCharacters);
  check.single_line("character.nickname", character.nickname, kMaxDisplayNameCharacters);
  if (character.alternate_greetings.size() > kMaxListItems) {
    check.add("character.alternate_greetings", "must have at most 100 items");
  }
  for (std::size_t i = 0; i < character.alternate_greetings.size() && i < kMaxListItems; ++i) {
    check.text("character.alternate_greetings[" + std::to_string(i) + "]", character.alternate_greetings[i],
               kMaxCharacterTextCharacters);
  }
  if (character.group_only_greetings.size() > kMaxListItems) {
    check.add("character.group_only_greetings", "must have at most 100 items");
  }
  check.list("character.tags", character.tags, 200, 100);
  if (character.lorebook && character.lorebook->entries.size() > 5'000) {
    check.add("character.lorebook.entries", "must have at most 5000 entries");
  }
}

}  // namespace

std::vector<FieldProblem> validate_persona(const Persona& persona) {
  Checker check;
  check.single_line("display_name", persona.display_name, kMaxDisplayNameCharacters, true);
  for (const auto& [platform, handle] : persona.handles) {
    const std::string field = "handles." + std::string(to_string(platform));
    if (handle.empty() || handle.size() > 64 ||
        !std::all_of(handle.begin(), handle.end(), is_handle_character)) {
      check.add(field, "must be 1-64 letters, digits, '_', '.' or '-' (without '@')");
    }
  }
  check.text("bio", persona.bio, kMaxBioCharacters);
  if (!is_time_zone_name(persona.timezone))
    check.add("timezone", "must be an IANA time zone such as Europe/Paris");
  if (persona.languages.empty() || persona.languages.size() > 10) {
    check.add("languages", "must list 1-10 languages, the main one first");
  }
  for (std::size_t i = 0; i < persona.languages.size() && i < 10; ++i) {
    if (!is_language_tag(persona.languages[i])) {
      check.add("languages[" + std::to_string(i) + "]", "must be a BCP 47 language tag such as fr or en-GB");
    }
  }
  check.text("voice.tone", persona.voice.tone, kMaxShortTextCharacters);
  check.list("voice.vocabulary", persona.voice.vocabulary, kMaxListItems, 100);
  check.list("voice.banned_words", persona.voice.banned_words, kMaxListItems, 100);
  check.list("voice.topics_to_avoid", persona.voice.topics_to_avoid, kMaxListItems, 100);
  check.list("voice.hashtags", persona.voice.hashtags, 30, 100);
  for (std::size_t i = 0; i < persona.voice.hashtags.size() && i < 30; ++i) {
    if (!is_hashtag_word(persona.voice.hashtags[i])) {
      check.add("voice.hashtags[" + std::to_string(i) + "]",
                "must be a hashtag word without '#' (letters, digits, '_')");
    }
  }

  std::set<Platform> bounded;
  for (std::size_t i = 0; i < persona.boundaries.size(); ++i) {
    const auto& boundary = persona.boundaries[i];
    const std::string field = "boundaries[" + std::to_string(i) + "]";
    if (!bounded.insert(boundary.platform).second) check.add(field + ".platform", "has a boundary already");
    if (boundary.allowed_ratings.empty())
      check.add(field + ".allowed_ratings", "must allow at least one rating");
    std::set<Rating> ratings(boundary.allowed_ratings.begin(), boundary.allowed_ratings.end());
    if (ratings.size() != boundary.allowed_ratings.size())
      check.add(field + ".allowed_ratings", "lists a rating twice");
    check.list(field + ".allowed_categories", boundary.allowed_categories, kMaxListItems, 40);
  }
  for (const auto& [platform, text] : persona.disclosures) {
    check.single_line("disclosures." + std::string(to_string(platform)), text, 300, true);
  }
  check.single_line("visual.lora_name", persona.visual.lora_name, 200);
  check.list("visual.trigger_words", persona.visual.trigger_words, 50, 100);
  if (persona.visual.reference_media_ids.size() > kMaxReferenceImages) {
    check.add("visual.reference_media_ids", "must have at most 20 images");
  }
  check.single_line("llm.provider", persona.llm.provider, 100);
  check.single_line("llm.model", persona.llm.model, 200);
  if (persona.llm.temperature && !(*persona.llm.temperature >= 0.0 && *persona.llm.temperature <= 2.0)) {
    check.add("llm.temperature", "must be between 0 and 2");
  }
  if (persona.llm.context_size &&
      (*persona.llm.context_size < 512 || *persona.llm.context_size > 1'048'576)) {
    check.add("llm.context_size", "must be between 512 and 1048576 tokens");
  }
  check_character(check, persona.character);
  return check.take();
}

std::map<Platform, std::string> default_disclosures() {
  return {
      {Platform::kX, "#AI Made with AI: a virtual creator."},
      {Platform::kInstagram, "AI-generated: a virtual creator."},
      {Platform::kReddit, "[AI-generated] Virtual creator."},
      {Platform::kFanvue, "AI creator: everything here is AI-generated."},
      {Platform::kOnlyFans, "#ai #AIGenerated"},
  };
}

void fill_default_disclosures(Persona& persona) {
  for (const auto& [platform, text] : default_disclosures()) {
    auto found = persona.disclosures.find(platform);
    if (found == persona.disclosures.end() || trim_ascii_whitespace(found->second).empty()) {
      persona.disclosures[platform] = text;
    }
  }
}

std::string display_name_key(std::string_view display_name) {
  std::string key(trim_ascii_whitespace(display_name));
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

std::vector<std::pair<std::string, std::string_view>> persona_texts(const Persona& persona) {
  std::vector<std::pair<std::string, std::string_view>> texts = {
      {"display_name", persona.display_name},
      {"bio", persona.bio},
      {"voice.tone", persona.voice.tone},
      {"character.description", persona.character.description},
      {"character.personality", persona.character.personality},
      {"character.scenario", persona.character.scenario},
      {"character.first_message", persona.character.first_message},
      {"character.example_messages", persona.character.example_messages},
      {"character.system_prompt", persona.character.system_prompt},
      {"character.post_history_instructions", persona.character.post_history_instructions},
      {"character.nickname", persona.character.nickname},
  };
  for (std::size_t i = 0; i < persona.character.alternate_greetings.size(); ++i) {
    texts.emplace_back("character.alternate_greetings[" + std::to_string(i) + "]",
                       persona.character.alternate_greetings[i]);
  }
  for (std::size_t i = 0; i < persona.character.group_only_greetings.size(); ++i) {
    texts.emplace_back("character.group_only_greetings[" + std::to_string(i) + "]",
                       persona.character.group_only_greetings[i]);
  }
  for (std::size_t i = 0; i < persona.character.tags.size(); ++i) {
    texts.emplace_back("character.tags[" + std::to_string(i) + "]", persona.character.tags[i]);
  }
  if (persona.character.lorebook) {
    const auto& entries = persona.character.lorebook->entries;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      texts.emplace_back("character.lorebook.entries[" + std::to_string(i) + "].content", entries[i].content);
    }
  }
  return texts;
}

std::optional<std::string> activation_blocker(const Persona& persona, std::int64_t now_unix_ms) {
  // The most fundamental rule first: no attestation or consent makes a minor acceptable.
  for (const auto& [field, text] : persona_texts(persona)) {
    const auto signals = safety::find_minor_signals(text);
    if (!signals.empty()) {
      return "Personas must be adults: " + field + " contains \"" + signals.front().phrase + "\" (" +
             signals.front().reason + "). Reword it, then activate.";
    }
  }
  if (persona.kind == PersonaKind::kFictional && !persona.attestation) {
    return "A fictional persona is activated with the operator's attestation that it is an invented "
           "adult who depicts no real person.";
  }
  if (persona.kind == PersonaKind::kRealAdultWithConsent) {
    if (!persona.consent) {
      return "A persona of a real person needs that adult's recorded consent (who, when, scope and the "
             "signed document) before it can be activated.";
    }
    if (persona.consent->document_media_id.empty()) {
      return "The consent record has no signed document; upload it to the vault and attach it.";
    }
    if (persona.consent->expires_at_unix_ms && *persona.consent->expires_at_unix_ms <= now_unix_ms) {
      return "The consent record has expired; record a renewed consent first.";
    }
  }
  return std::nullopt;
}

bool destination_allows(const Persona& persona, Platform platform, Rating rating, std::string_view category) {
  for (const auto& boundary : persona.boundaries) {
    if (boundary.platform != platform) continue;
    const bool rating_ok = std::find(boundary.allowed_ratings.begin(), boundary.allowed_ratings.end(),
                                     rating) != boundary.allowed_ratings.end();
    const bool category_ok = boundary.allowed_categories.empty() ||
                             std::find(boundary.allowed_categories.begin(), boundary.allowed_categories.end(),
                                       category) != boundary.allowed_categories.end();
    return rating_ok && category_ok;
  }
  return false;
}

}  // namespace personae

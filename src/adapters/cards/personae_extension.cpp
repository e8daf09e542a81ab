#include "adapters/cards/personae_extension.hpp"

#include "adapters/json/persona_json.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "adapters/cards/card_json_reader.hpp"
#include "adapters/cards/character_card.hpp"

namespace personae::cards::detail {
namespace {

// Bounds on what is read; the persona's own rules (validate_persona) are checked afterwards.
constexpr std::size_t kMaxShortChars = 1'000;

// Tenant-bound or legal records: another installation's values mean nothing here.
constexpr std::array<std::string_view, 8> kNeverImported = {"id",
                                                            "tenant_id",
                                                            "status",
                                                            "attestation",
                                                            "consent",
                                                            "revision",
                                                            "created_at_unix_ms",
                                                            "updated_at_unix_ms"};

Platform read_platform(const nlohmann::json& value, const std::string& path) {
  const auto text = read_text(value, path, kMaxShortChars);
  const auto platform = parse_platform(text);
  if (!platform) reject(path + ": unknown platform " + excerpt(text));
  return *platform;
}

// {"x": "...", ...} keyed by platform names.
std::map<Platform, std::string> read_platform_map(const nlohmann::json& value, const std::string& path) {
  if (!value.is_object()) reject(path + ": expected an object");
  std::map<Platform, std::string> out;
  for (const auto& [key, item] : value.items()) {
    const auto platform = parse_platform(key);
    if (!platform) reject(path + ": unknown platform " + excerpt(key));
    out.emplace(*platform, read_text(item, child_path(path, key), kMaxShortChars));
  }
  return out;
}

void read_voice(const nlohmann::json& value, const std::string& path, VoiceGuide& voice) {
  ObjectReader reader(value, path);
  if (auto tone = reader.text("tone", kMaxTextChars)) voice.tone = std::move(*tone);
  if (auto words = reader.text_list("vocabulary", kMaxCardListItems, kMaxShortChars))
    voice.vocabulary = std::move(*words);
  if (auto words = reader.text_list("banned_words", kMaxCardListItems, kMaxShortChars)) {
    voice.banned_words = std::move(*words);
  }
  if (auto use = reader.text("emoji_use", kMaxShortChars)) {
    const auto parsed = parse_emoji_use(*use);
    if (!parsed) reject(reader.path_of("emoji_use") + R"(: expected "none", "light" or "frequent")");
    voice.emoji_use = *parsed;
  }
  if (auto topics = reader.text_list("topics_to_avoid", kMaxCardListItems, kMaxShortChars)) {
    voice.topics_to_avoid = std::move(*topics);
  }
  if (auto hashtags = reader.text_list("hashtags", kMaxCardListItems, kMaxShortChars)) {
    voice.hashtags = std::move(*hashtags);
  }
  reader.reject_unknown();
}

std::vector<DestinationBoundary> read_boundaries(const nlohmann::json& value, const std::string& path) {
  if (!value.is_array()) reject(path + ": expected an array");
  if (value.size() > kMaxCardListItems)
    reject(path + ": must have at most " + std::to_string(kMaxCardListItems) + " items");
  std::vector<DestinationBoundary> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    ObjectReader reader(value[i], index_path(path, i));
    DestinationBoundary boundary;
    boundary.platform = read_platform(reader.require("platform"), reader.path_of("platform"));
    if (const auto* ratings = reader.take("allowed_ratings")) {
      const auto ratings_path = reader.path_of("allowed_ratings");
      for (const auto& name : read_text_list(*ratings, ratings_path, kMaxCardListItems, kMaxShortChars)) {
        const auto rating = parse_rating(name);
        if (!rating) reject(ratings_path + R"(: expected "sfw", "suggestive" or "explicit" items)");
        boundary.allowed_ratings.push_back(*rating);
      }
    }
    if (auto categories = reader.text_list("allowed_categories", kMaxCardListItems, kMaxShortChars)) {
      boundary.allowed_categories = std::move(*categories);
    }
    reader.reject_unknown();
    out.push_back(std::move(boundary));
  }
  return out;
}

void read_visual(const nlohmann::json& value, const std::string& path, VisualIdentity& visual,
                 std::vector<std::string>& warnings) {
  ObjectReader reader(value, path);
  if (auto lora = reader.text("lora_name", kMaxShortChars)) visual.lora_name = std::move(*lora);
  if (auto words = reader.text_list("trigger_words", kMaxCardListItems, kMaxShortChars)) {
    visual.trigger_words = std::move(*words);
  }
  if (reader.take("reference_media_ids") != nullptr) {
    warnings.push_back(reader.path_of("reference_media_ids") +
                       ": ignored (media ids of another installation); add reference images from the vault");
  }
  reader.reject_unknown();
}

void read_llm(const nlohmann::json& value, const std::string& path, LlmSettings& llm) {
  ObjectReader reader(value, path);
  if (auto provider = reader.text("provider", kMaxShortChars)) llm.provider = std::move(*provider);
  if (auto model = reader.text("model", kMaxShortChars)) llm.model = std::move(*model);
  llm.temperature = reader.number("temperature");
  llm.context_size = reader.integer("context_size");
  reader.reject_unknown();
}

}  // namespace

std::optional<nlohmann::json> read_personae_extension(const nlohmann::json& value, const std::string& path,
                                                      Persona& persona, std::vector<std::string>& warnings) {
  ObjectReader reader(value, path);
  const auto version = read_int64(reader.require("version"), reader.path_of("version"));
  if (version != kPersonaeExtensionVersion) {
    reject(reader.path_of("version") + ": unsupported version " + std::to_string(version) +
           " (this installation reads " + std::to_string(kPersonaeExtensionVersion) + ")");
  }
  if (auto kind = reader.text("kind", kMaxShortChars)) {
    const auto parsed = parse_persona_kind(*kind);
    if (!parsed) reject(reader.path_of("kind") + R"(: expected "fictional" or "real_adult_with_consent")");
    persona.kind = *parsed;
    if (persona.kind == PersonaKind::kRealAdultWithConsent) {
      warnings.push_back(reader.path_of("kind") +
                         ": the persona depicts a real adult; record their consent before activating it");
    }
  }
  if (auto mode = reader.text("review_mode", kMaxShortChars)) {
    const auto parsed = parse_review_mode(*mode);
    if (!parsed) {
      reject(reader.path_of("review_mode") +
             R"(: expected "review_all", "review_explicit_only" or "automatic_with_gates")");
    }
    persona.review_mode = *parsed;
  }
  if (auto bio = reader.text("bio", kMaxTextChars)) persona.bio = std::move(*bio);
  if (auto timezone = reader.text("timezone", kMaxShortChars)) persona.timezone = std::move(*timezone);
  if (auto languages = reader.text_list("languages", kMaxCardListItems, kMaxShortChars)) {
    persona.languages = std::move(*languages);
  }
  if (const auto* handles = reader.take("handles")) {
    persona.handles = read_platform_map(*handles, reader.path_of("handles"));
  }
  if (const auto* disclosures = reader.take("disclosures")) {
    persona.disclosures = read_platform_map(*disclosures, reader.path_of("disclosures"));
  }
  if (const auto* voice = reader.take("voice")) read_voice(*voice, reader.path_of("voice"), persona.voice);
  if (const auto* boundaries = reader.take("boundaries")) {
    persona.boundaries = read_boundaries(*boundaries, reader.path_of("boundaries"));
  }
  if (const auto* visual = reader.take("visual")) {
    read_visual(*visual, reader.path_of("visual"), persona.visual, warnings);
  }
  if (const auto* llm = reader.take("llm")) read_llm(*llm, reader.path_of("llm"), persona.llm);
  std::optional<nlohmann::json> card_v3;
  if (const auto* found = reader.take("card_v3")) card_v3 = *found;
  for (const auto key : kNeverImported) {
    if (reader.take(key) != nullptr) {
      warnings.push_back(reader.path_of(key) +
                         ": ignored (ids, status, attestation, consent and timestamps are never imported)");
    }
  }
  reader.reject_unknown();
  return card_v3;
}

nlohmann::json write_personae_extension(const Persona& persona) {
  // The persona's one JSON form (adapters/json), less what a card carries elsewhere (the name, the
  // character) or must not carry (vault ids of this installation).
  nlohmann::json out = json::persona_settings_to_json(persona);
  out.erase("display_name");
  out.erase("character");
  out["visual"].erase("reference_media_ids");
  for (const char* unset : {"temperature", "context_size"}) {
    if (out["llm"][unset].is_null()) out["llm"].erase(unset);
  }
  out["version"] = kPersonaeExtensionVersion;
  return out;
}

}  // namespace personae::cards::detail

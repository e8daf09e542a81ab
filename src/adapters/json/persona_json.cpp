#include "adapters/json/persona_json.hpp"

#include <functional>

namespace personae::json {
namespace {

using nlohmann::json;

template <class Enum>
json names_of(const std::vector<Enum>& values) {
  json out = json::array();
  for (const Enum value : values) out.push_back(std::string(to_string(value)));
  return out;
}

json platform_map(const std::map<Platform, std::string>& values) {
  json out = json::object();
  for (const auto& [platform, text] : values) out[std::string(to_string(platform))] = text;
  return out;
}

json parse_object_text(const std::string& text) {
  auto parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_object() ? parsed : json::object();
}

template <class Enum>
std::optional<Enum> read_enum(JsonReader& object, std::string_view name,
                              std::optional<Enum> (*parse)(std::string_view), std::string_view allowed) {
  const auto text = object.optional<std::string>(name);
  if (!text) return std::nullopt;
  const auto value = parse(*text);
  if (!value) object.invalid(name, "must be one of " + std::string(allowed));
  return value;
}

template <class Enum>
std::vector<Enum> read_enum_list(JsonReader& object, std::string_view name,
                                 std::optional<Enum> (*parse)(std::string_view), std::string_view allowed) {
  std::vector<Enum> values;
  const auto texts = object.optional<std::vector<std::string>>(name);
  if (!texts) return values;
  for (const auto& text : *texts) {
    const auto value = parse(text);
    if (!value) {
      object.invalid(name,
                     "must list only " + std::string(allowed) + " (not \"" + text.substr(0, 40) + "\")");
      continue;
    }
    values.push_back(*value);
  }
  return values;
}

constexpr std::string_view kPlatforms = "x, instagram, reddit, fanvue, onlyfans";

std::map<Platform, std::string> read_platform_map(JsonReader& object) {
  std::map<Platform, std::string> values;
  for (const auto& key : object.keys()) {
    const auto platform = parse_platform(key);
    auto text = object.required<std::string>(key);
    if (!platform) {
      object.invalid(key, "is not a platform (one of " + std::string(kPlatforms) + ")");
      continue;
    }
    values[*platform] = std::move(text);
  }
  return values;
}

// A JSON object kept as text (card extensions): any object is accepted.
std::string read_object_text(JsonReader& object, std::string_view name) {
  const auto value = object.optional<json>(name);
  if (!value) return "{}";
  if (!value->is_object()) {
    object.invalid(name, "must be an object");
    return "{}";
  }
  return value->dump();
}

json lorebook_to_json(const Lorebook& book) {
  json entries = json::array();
  for (const auto& entry : book.entries) {
    json item = {{"keys", entry.keys},
                 {"secondary_keys", entry.secondary_keys},
                 {"content", entry.content},
                 {"name", entry.name},
                 {"comment", entry.comment},
                 {"enabled", entry.enabled},
                 {"case_sensitive", entry.case_sensitive},
                 {"selective", entry.selective},
                 {"constant", entry.constant},
                 {"insertion_order", entry.insertion_order},
                 {"priority", entry.priority ? json(*entry.priority) : json()},
                 {"id", entry.id ? json(*entry.id) : json()},
                 {"position", entry.position},
                 {"extensions", parse_object_text(entry.extensions_json)}};
    entries.push_back(std::move(item));
  }
  return {{"name", book.name},
          {"description", book.description},
          {"scan_depth", book.scan_depth ? json(*book.scan_depth) : json()},
          {"token_budget", book.token_budget ? json(*book.token_budget) : json()},
          {"recursive_scanning", book.recursive_scanning ? json(*book.recursive_scanning) : json()},
          {"entries", std::move(entries)},
          {"extensions", parse_object_text(book.extensions_json)}};
}

void read_lorebook(JsonReader& object, Lorebook& book) {
  book.name = object.optional<std::string>("name").value_or("");
  book.description = object.optional<std::string>("description").value_or("");
  book.scan_depth = object.optional<int>("scan_depth");
  book.token_budget = object.optional<int>("token_budget");
  book.recursive_scanning = object.optional<bool>("recursive_scanning");
  book.extensions_json = read_object_text(object, "extensions");
  book.entries.clear();
  for (auto& item : object.objects("entries")) {
    LorebookEntry entry;
    entry.keys = item.optional<std::vector<std::string>>("keys").value_or(std::vector<std::string>{});
    entry.secondary_keys =
        item.optional<std::vector<std::string>>("secondary_keys").value_or(std::vector<std::string>{});
    entry.content = item.optional<std::string>("content").value_or("");
    entry.name = item.optional<std::string>("name").value_or("");
    entry.comment = item.optional<std::string>("comment").value_or("");
    entry.enabled = item.optional<bool>("enabled").value_or(true);
    entry.case_sensitive = item.optional<bool>("case_sensitive").value_or(false);
    entry.selective = item.optional<bool>("selective").value_or(false);
    entry.constant = item.optional<bool>("constant").value_or(false);
    entry.insertion_order = item.optional<int>("insertion_order").value_or(0);
    entry.priority = item.optional<int>("priority");
    entry.id = item.optional<std::int64_t>("id");
    entry.position = item.optional<std::string>("position").value_or("");
    if (!entry.position.empty() && entry.position != "before_char" && entry.position != "after_char") {
      item.invalid("position", "must be before_char or after_char");
    }
    entry.extensions_json = read_object_text(item, "extensions");
    book.entries.push_back(std::move(entry));
  }
}

json attestation_to_json(const std::optional<FictionalAttestation>& attestation) {
  if (!attestation) return nullptr;
  return {{"attested_by", attestation->attested_by_user_id},
          {"attested_at_unix_ms", attestation->attested_at_unix_ms},
          {"statement", attestation->statement}};
}

json consent_to_json(const std::optional<ConsentRecord>& consent) {
  if (!consent) return nullptr;
  return {{"subject_name", consent->subject_name},
          {"signed_at_unix_ms", consent->signed_at_unix_ms},
          {"scope", consent->scope},
          {"document_media_id", consent->document_media_id},
          {"expires_at_unix_ms", consent->expires_at_unix_ms ? json(*consent->expires_at_unix_ms) : json()},
          {"recorded_by", consent->recorded_by_user_id},
          {"recorded_at_unix_ms", consent->recorded_at_unix_ms}};
}

}  // namespace

json character_to_json(const CharacterProfile& character) {
  return {{"description", character.description},
          {"personality", character.personality},
          {"scenario", character.scenario},
          {"first_message", character.first_message},
          {"example_messages", character.example_messages},
          {"system_prompt", character.system_prompt},
          {"post_history_instructions", character.post_history_instructions},
          {"creator_notes", character.creator_notes},
          {"creator", character.creator},
          {"character_version", character.character_version},
          {"nickname", character.nickname},
          {"alternate_greetings", character.alternate_greetings},
          {"group_only_greetings", character.group_only_greetings},
          {"tags", character.tags},
          {"lorebook", character.lorebook ? lorebook_to_json(*character.lorebook) : json()},
          {"extensions", parse_object_text(character.extensions_json)}};
}

void read_character(JsonReader& object, CharacterProfile& character) {
  const auto text = [&](std::string_view name, std::string& out) {
    if (auto value = object.optional<std::string>(name)) out = std::move(*value);
  };
  const auto list = [&](std::string_view name, std::vector<std::string>& out) {
    if (auto value = object.optional<std::vector<std::string>>(name)) out = std::move(*value);
  };
  text("description", character.description);
  text("personality", character.personality);
  text("scenario", character.scenario);
  text("first_message", character.first_message);
  text("example_messages", character.example_messages);
  text("system_prompt", character.system_prompt);
  text("post_history_instructions", character.post_history_instructions);
  text("creator_notes", character.creator_notes);
  text("creator", character.creator);
  text("character_version", character.character_version);
  text("nickname", character.nickname);
  list("alternate_greetings", character.alternate_greetings);
  list("group_only_greetings", character.group_only_greetings);
  list("tags", character.tags);
  if (object.has("lorebook")) {
    if (auto book = object.optional_object("lorebook")) {
      Lorebook lorebook;
      read_lorebook(*book, lorebook);
      character.lorebook = std::move(lorebook);
    }
  } else if (object.is_null("lorebook")) {
    character.lorebook.reset();
  }
  if (object.has("extensions")) character.extensions_json = read_object_text(object, "extensions");
}

json persona_settings_to_json(const Persona& persona) {
  json boundaries = json::array();
  for (const auto& boundary : persona.boundaries) {
    boundaries.push_back({{"platform", std::string(to_string(boundary.platform))},
                          {"allowed_ratings", names_of(boundary.allowed_ratings)},
                          {"allowed_categories", boundary.allowed_categories}});
  }
  return {
      {"display_name", persona.display_name},
      {"handles", platform_map(persona.handles)},
      {"bio", persona.bio},
      {"timezone", persona.timezone},
      {"languages", persona.languages},
      {"voice",
       {{"tone", persona.voice.tone},
        {"vocabulary", persona.voice.vocabulary},
        {"banned_words", persona.voice.banned_words},
        {"emoji_use", std::string(to_string(persona.voice.emoji_use))},
        {"topics_to_avoid", persona.voice.topics_to_avoid},
        {"hashtags", persona.voice.hashtags}}},
      {"boundaries", std::move(boundaries)},
      {"disclosures", platform_map(persona.disclosures)},
      {"visual",
       {{"lora_name", persona.visual.lora_name},
        {"trigger_words", persona.visual.trigger_words},
        {"reference_media_ids", persona.visual.reference_media_ids}}},
      {"llm",
       {{"provider", persona.llm.provider},
        {"model", persona.llm.model},
        {"temperature", persona.llm.temperature ? json(*persona.llm.temperature) : json()},
        {"context_size", persona.llm.context_size ? json(*persona.llm.context_size) : json()}}},
      {"review_mode", std::string(to_string(persona.review_mode))},
      {"kind", std::string(to_string(persona.kind))},
      {"character", character_to_json(persona.character)},
  };
}

json persona_to_json(const Persona& persona) {
  json out = persona_settings_to_json(persona);
  out["id"] = persona.id;
  out["status"] = std::string(to_string(persona.status));
  out["attestation"] = attestation_to_json(persona.attestation);
  out["consent"] = consent_to_json(persona.consent);
  out["revision"] = persona.revision;
  out["created_at_unix_ms"] = persona.created_at_unix_ms;
  out["updated_at_unix_ms"] = persona.updated_at_unix_ms;
  return out;
}

void apply_persona_settings(JsonReader& body, Persona& persona) {
  if (auto name = body.optional<std::string>("display_name")) persona.display_name = std::move(*name);
  if (auto handles = body.optional_object("handles")) persona.handles = read_platform_map(*handles);
  if (auto bio = body.optional<std::string>("bio")) persona.bio = std::move(*bio);
  if (auto timezone = body.optional<std::string>("timezone")) persona.timezone = std::move(*timezone);
  if (auto languages = body.optional<std::vector<std::string>>("languages"))
    persona.languages = std::move(*languages);
  if (auto voice = body.optional_object("voice")) {
    VoiceGuide guide;
    guide.tone = voice->optional<std::string>("tone").value_or("");
    guide.vocabulary =
        voice->optional<std::vector<std::string>>("vocabulary").value_or(std::vector<std::string>{});
    guide.banned_words =
        voice->optional<std::vector<std::string>>("banned_words").value_or(std::vector<std::string>{});
    guide.emoji_use =
        read_enum(*voice, "emoji_use", parse_emoji_use, "none, light, frequent").value_or(EmojiUse::kLight);
    guide.topics_to_avoid =
        voice->optional<std::vector<std::string>>("topics_to_avoid").value_or(std::vector<std::string>{});
    guide.hashtags =
        voice->optional<std::vector<std::string>>("hashtags").value_or(std::vector<std::string>{});
    persona.voice = std::move(guide);
  }
  if (body.has("boundaries")) {
    persona.boundaries.clear();
    for (auto& item : body.objects("boundaries")) {
      DestinationBoundary boundary;
      const auto platform = item.required<std::string>("platform");
      if (const auto parsed = parse_platform(platform)) {
        boundary.platform = *parsed;
      } else if (!platform.empty()) {
        item.invalid("platform", "must be one of " + std::string(kPlatforms));
      }
      boundary.allowed_ratings =
          read_enum_list(item, "allowed_ratings", parse_rating, "sfw, suggestive, explicit");
      boundary.allowed_categories =
          item.optional<std::vector<std::string>>("allowed_categories").value_or(std::vector<std::string>{});
      persona.boundaries.push_back(std::move(boundary));
    }
  }
  if (auto disclosures = body.optional_object("disclosures"))
    persona.disclosures = read_platform_map(*disclosures);
  if (auto visual = body.optional_object("visual")) {
    VisualIdentity identity;
    identity.lora_name = visual->optional<std::string>("lora_name").value_or("");
    identity.trigger_words =
        visual->optional<std::vector<std::string>>("trigger_words").value_or(std::vector<std::string>{});
    identity.reference_media_ids = visual->optional<std::vector<std::string>>("reference_media_ids")
                                       .value_or(std::vector<std::string>{});
    persona.visual = std::move(identity);
  }
  if (auto llm = body.optional_object("llm")) {
    LlmSettings settings;
    settings.provider = llm->optional<std::string>("provider").value_or("");
    settings.model = llm->optional<std::string>("model").value_or("");
    settings.temperature = llm->optional<double>("temperature");
    settings.context_size = llm->optional<int>("context_size");
    persona.llm = std::move(settings);
  }
  if (auto mode = read_enum(body, "review_mode", parse_review_mode,
                            "review_all, review_explicit_only, automatic_with_gates")) {
    persona.review_mode = *mode;
  }
  if (auto kind = read_enum(body, "kind", parse_persona_kind, "fictional, real_adult_with_consent")) {
    persona.kind = *kind;
  }
  if (auto character = body.optional_object("character")) read_character(*character, persona.character);
}

Result<Persona> persona_from_document(const nlohmann::json& document) {
  try {
    JsonReader body(document);
    Persona persona;
    apply_persona_settings(body, persona);
    persona.id = body.required<std::string>("id");
    const auto status = body.required<std::string>("status");
    persona.status = parse_persona_status(status).value_or(PersonaStatus::kDraft);
    if (auto attestation = body.optional_object("attestation")) {
      persona.attestation = FictionalAttestation{attestation->required<std::string>("attested_by"),
                                                 attestation->required<std::int64_t>("attested_at_unix_ms"),
                                                 attestation->required<std::string>("statement")};
    }
    if (auto consent = body.optional_object("consent")) {
      ConsentRecord record;
      record.subject_name = consent->required<std::string>("subject_name");
      record.signed_at_unix_ms = consent->required<std::int64_t>("signed_at_unix_ms");
      record.scope = consent->required<std::string>("scope");
      record.document_media_id = consent->required<std::string>("document_media_id");
      record.expires_at_unix_ms = consent->optional<std::int64_t>("expires_at_unix_ms");
      record.recorded_by_user_id = consent->required<std::string>("recorded_by");
      record.recorded_at_unix_ms = consent->required<std::int64_t>("recorded_at_unix_ms");
      persona.consent = std::move(record);
    }
    persona.revision = body.required<std::int64_t>("revision");
    persona.created_at_unix_ms = body.required<std::int64_t>("created_at_unix_ms");
    persona.updated_at_unix_ms = body.required<std::int64_t>("updated_at_unix_ms");
    body.finish();
    return persona;
  } catch (const AppError& error) {
    std::string detail;
    for (const auto& field : error.error().field_errors) detail += field.field + ": " + field.message + "; ";
    return make_error(ErrorCode::kInternal, "a stored persona cannot be read", detail);
  }
}

}  // namespace personae::json

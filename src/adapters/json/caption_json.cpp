#include "adapters/json/caption_json.hpp"

namespace personae::json {
namespace {

nlohmann::json optional_text(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json optional_number(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json decision_to_json(const captions::StoredDecision& decision) {
  auto findings = nlohmann::json::array();
  for (const auto& finding : decision.findings) {
    findings.push_back({{"rule", finding.rule},
                        {"verdict", finding.verdict},
                        {"reason", finding.reason},
                        {"field", finding.field},
                        {"matched", finding.matched}});
  }
  if (decision.verdict.empty()) return nullptr;
  return {{"verdict", decision.verdict},
          {"findings", std::move(findings)},
          {"mark_adult", decision.mark_adult},
          {"decided_at", decision.decided_at_unix_ms}};
}

captions::StoredDecision decision_from_json(const nlohmann::json& json) {
  captions::StoredDecision decision;
  if (json.is_null()) return decision;
  decision.verdict = json.at("verdict").get<std::string>();
  decision.mark_adult = json.at("mark_adult").get<bool>();
  decision.decided_at_unix_ms = json.at("decided_at").get<std::int64_t>();
  for (const auto& finding : json.at("findings")) {
    decision.findings.push_back(captions::StoredFinding{
        finding.at("rule").get<std::string>(), finding.at("verdict").get<std::string>(),
        finding.at("reason").get<std::string>(), finding.at("field").get<std::string>(),
        finding.at("matched").get<std::string>()});
  }
  return decision;
}

nlohmann::json templates_to_json(const std::map<Platform, captions::CaptionTemplates>& templates) {
  auto out = nlohmann::json::object();
  for (const auto& [platform, pair] : templates) {
    auto entry = nlohmann::json::object();
    entry["text"] = pair.text;
    entry["title"] = pair.title;
    out[std::string(to_string(platform))] = std::move(entry);
  }
  return out;
}

}  // namespace

nlohmann::json caption_to_json(const captions::Caption& caption) {
  auto json = caption_document(caption);
  json["id"] = caption.id;
  json["persona_id"] = caption.persona_id;
  json["media_id"] = optional_text(caption.media_id);
  json["platform"] = to_string(caption.platform);
  json["status"] = to_string(caption.status);
  json["job_id"] = optional_number(caption.job_id);
  json["created_by"] = caption.created_by;
  json["created_at"] = caption.created_at_unix_ms;
  json["updated_at"] = caption.updated_at_unix_ms;
  json["revision"] = caption.revision;
  return json;
}

nlohmann::json caption_document(const captions::Caption& caption) {
  return {{"brief", caption.brief},
          {"template_only", caption.template_only},
          {"text", caption.text},
          {"title", caption.title},
          {"call_to_action", caption.call_to_action},
          {"hashtags", caption.hashtags},
          {"dropped_hashtags", caption.dropped_hashtags},
          {"shortened", caption.shortened},
          {"decision", decision_to_json(caption.decision)},
          {"error", caption.error},
          {"model", caption.model},
          {"provider", caption.provider},
          {"language", caption.language},
          {"edited_by", optional_text(caption.edited_by)},
          {"approved_by", optional_text(caption.approved_by)},
          {"approved_at", optional_number(caption.approved_at_unix_ms)}};
}

Result<void> read_caption_document(const nlohmann::json& document, captions::Caption& caption) {
  try {
    caption.brief = document.at("brief").get<std::string>();
    caption.template_only = document.at("template_only").get<bool>();
    caption.text = document.at("text").get<std::string>();
    caption.title = document.at("title").get<std::string>();
    caption.call_to_action = document.at("call_to_action").get<std::string>();
    caption.hashtags = document.at("hashtags").get<std::vector<std::string>>();
    caption.dropped_hashtags = document.at("dropped_hashtags").get<std::vector<std::string>>();
    caption.shortened = document.at("shortened").get<bool>();
    caption.decision = decision_from_json(document.at("decision"));
    caption.error = document.at("error").get<std::string>();
    caption.model = document.at("model").get<std::string>();
    caption.provider = document.at("provider").get<std::string>();
    caption.language = document.at("language").get<std::string>();
    const auto& edited_by = document.at("edited_by");
    caption.edited_by = edited_by.is_null() ? std::nullopt : std::optional(edited_by.get<std::string>());
    const auto& approved_by = document.at("approved_by");
    caption.approved_by =
        approved_by.is_null() ? std::nullopt : std::optional(approved_by.get<std::string>());
    const auto& approved_at = document.at("approved_at");
    caption.approved_at_unix_ms =
        approved_at.is_null() ? std::nullopt : std::optional(approved_at.get<std::int64_t>());
    return {};
  } catch (const nlohmann::json::exception& error) {
    return make_error(ErrorCode::kInternal, "a stored caption is malformed", error.what());
  }
}

nlohmann::json content_settings_to_json(const captions::ContentSettings& settings) {
  return {{"banned_terms", settings.banned_terms},
          {"real_person_names", settings.real_person_names},
          {"banned_hashtags", settings.banned_hashtags},
          {"preferred_hashtags", settings.preferred_hashtags},
          {"templates", templates_to_json(settings.templates)},
          {"revision", settings.revision},
          {"updated_by", settings.updated_by},
          {"updated_at", settings.updated_at_unix_ms}};
}

void apply_content_settings(JsonReader& body, captions::ContentSettings& settings) {
  auto list = [&](std::string_view name, std::vector<std::string>& target) {
    if (auto value = body.optional<std::vector<std::string>>(name)) target = std::move(*value);
  };
  list("banned_terms", settings.banned_terms);
  list("real_person_names", settings.real_person_names);
  list("banned_hashtags", settings.banned_hashtags);
  list("preferred_hashtags", settings.preferred_hashtags);
  if (auto templates = body.optional_object("templates")) {
    std::map<Platform, captions::CaptionTemplates> overrides;
    for (const auto& key : templates->keys()) {
      const auto platform = parse_platform(key);
      if (!platform) {
        templates->invalid(key, "is not a platform (x, instagram, reddit, fanvue, onlyfans)");
        continue;
      }
      auto entry = templates->object(key);
      captions::CaptionTemplates pair;
      pair.text = entry.optional<std::string>("text").value_or("");
      pair.title = entry.optional<std::string>("title").value_or("");
      overrides[*platform] = std::move(pair);
    }
    settings.templates = std::move(overrides);
  }
}

Result<captions::ContentSettings> content_settings_from_document(const nlohmann::json& document) {
  try {
    captions::ContentSettings settings;
    settings.banned_terms = document.at("banned_terms").get<std::vector<std::string>>();
    settings.real_person_names = document.at("real_person_names").get<std::vector<std::string>>();
    settings.banned_hashtags = document.at("banned_hashtags").get<std::vector<std::string>>();
    settings.preferred_hashtags = document.at("preferred_hashtags").get<std::vector<std::string>>();
    for (const auto& [key, pair] : document.at("templates").items()) {
      const auto platform = parse_platform(key);
      if (!platform)
        return make_error(ErrorCode::kInternal, "stored content settings name an unknown platform");
      settings.templates[*platform] =
          captions::CaptionTemplates{pair.at("text").get<std::string>(), pair.at("title").get<std::string>()};
    }
    return settings;
  } catch (const nlohmann::json::exception& error) {
    return make_error(ErrorCode::kInternal, "stored content settings are malformed", error.what());
  }
}

}  // namespace personae::json

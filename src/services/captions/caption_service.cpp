#include "services/captions/caption_service.hpp"

#include <nlohmann/json.hpp>

#include "core/text_encoding.hpp"
#include "domain/accounts/text.hpp"
#include "domain/captions/caption_template.hpp"
#include "security/tokens.hpp"
#include "services/captions/caption_decision.hpp"

namespace personae {

std::optional<std::string> caption_id_of(const Job& job) {
  if (job.kind != kCaptionJobKind) return std::nullopt;
  const auto payload = nlohmann::json::parse(job.payload_json, nullptr, /*allow_exceptions=*/false);
  const auto id = payload.is_object() ? payload.find("caption_id") : payload.end();
  if (!payload.is_object() || id == payload.end() || !id->is_string()) return std::nullopt;
  return id->get<std::string>();
}

using service_support::audit_entry;
using service_support::fail;
using service_support::guarded;
using service_support::principal_actor;
using service_support::require;

namespace {

constexpr std::string_view kNoSuchCaption = "no such caption";
constexpr int kMaxPageSize = 200;

std::size_t characters(std::string_view text) {
  return utf8_code_points(text).value_or(text.size());
}

/// Trims each entry, drops empty ones and duplicates (case-insensitively), and reports entries
/// that are too long or too many under `field`.
std::vector<std::string> clean_list(const std::vector<std::string>& entries, const std::string& field,
                                    std::vector<FieldError>& errors) {
  std::vector<std::string> kept;
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::string entry(trim_ascii_whitespace(entries[i]));
    if (entry.empty()) continue;
    if (!utf8_code_points(entry)) {
      errors.push_back({field + "[" + std::to_string(i) + "]", "is not valid UTF-8"});
      continue;
    }
    if (characters(entry) > captions::kMaxSettingsEntryCharacters) {
      errors.push_back({field + "[" + std::to_string(i) + "]", "is longer than 100 characters"});
      continue;
    }
    std::string key = entry;
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(std::move(key));
    kept.push_back(std::move(entry));
  }
  if (kept.size() > captions::kMaxSettingsListEntries) {
    errors.push_back({field, "has more than 2000 entries"});
  }
  return kept;
}

}  // namespace

safety::TenantSafetyLists compile_safety_lists(const captions::ContentSettings& settings) {
  return safety::TenantSafetyLists(settings.banned_terms, settings.real_person_names,
                                   settings.banned_hashtags);
}

CaptionService::CaptionService(Database& database, PersonaRepository& personas, MediaRepository& media,
                               CaptionRepository& captions, ContentSettingsRepository& settings,
                               JobQueue& jobs, AuditLogService& audit, const Clock& clock,
                               int job_max_attempts)
    : database_(database),
      personas_(personas),
      media_(media),
      captions_(captions),
      settings_(settings),
      jobs_(jobs),
      audit_(audit),
      clock_(clock),
      job_max_attempts_(job_max_attempts) {}

std::optional<captions::Caption> CaptionService::find_reachable(Transaction& tx, const Principal& principal,
                                                                const std::string& id) {
  auto caption = captions_.find(tx, principal.tenant_id, id);
  if (!caption || !principal.reaches(kPersonaResource, caption->persona_id)) return std::nullopt;
  return caption;
}

Result<captions::Caption> CaptionService::order(const Principal& principal, const CaptionOrder& order,
                                                const ClientInfo& client) {
  return guarded([&]() -> Result<captions::Caption> {
    if (auto allowed = require(principal, Action::kCaptionWrite); !allowed)
      return tl::unexpected(allowed.error());
    std::vector<FieldError> errors;
    const std::string brief(trim_ascii_whitespace(order.brief));
    if (!order.media_id && brief.empty())
      errors.push_back({"media_id", "give a media_id or a brief (or both)"});
    if (!utf8_code_points(brief)) {
      errors.push_back({"brief", "is not valid UTF-8"});
    } else if (characters(brief) > captions::kMaxBriefCharacters) {
      errors.push_back({"brief", "is longer than 2000 characters"});
    }
    if (!errors.empty()) return tl::unexpected(invalid_fields(std::move(errors)));

    return database_.write([&](Transaction& tx) {
      if (!principal.reaches(kPersonaResource, order.persona_id))
        fail(ErrorCode::kNotFound, "no such persona");
      const auto persona = personas_.find(tx, principal.tenant_id, order.persona_id);
      if (!persona) fail(ErrorCode::kNotFound, "no such persona");
      if (persona->status != PersonaStatus::kActive) {
        fail(ErrorCode::kFailedPrecondition,
             "the persona is not active: activate it before generating content for it");
      }
      if (order.media_id) {
        const auto item = media_.find(tx, principal.tenant_id, *order.media_id);
        if (!item || (item->persona_id && !principal.reaches(kPersonaResource, *item->persona_id))) {
          fail(ErrorCode::kNotFound, "no such media item");
        }
      }
      const std::int64_t now = clock_.now_unix_ms();
      captions::Caption caption;
      caption.id = security::generate_id();
      caption.tenant_id = principal.tenant_id;
      caption.persona_id = order.persona_id;
      caption.media_id = order.media_id;
      caption.platform = order.platform;
      caption.brief = brief;
      caption.template_only = order.template_only;
      caption.language = persona->languages.empty() ? "en" : persona->languages.front();
      caption.created_by = principal.user_id;
      caption.created_at_unix_ms = now;
      caption.updated_at_unix_ms = now;

      JobSpec spec;
      spec.queue = std::string(kCaptionQueue);
      spec.kind = std::string(kCaptionJobKind);
      spec.tenant_id = principal.tenant_id;
      spec.payload_json = nlohmann::json{{"caption_id", caption.id}}.dump();
      spec.unique_key = "caption:" + caption.id;
      spec.max_attempts = job_max_attempts_;
      caption.job_id = jobs_.enqueue(tx, spec, now).job_id;
      captions_.insert(tx, caption);
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "caption.requested",
                                    "caption:" + caption.id, client,
                                    {{"persona_id", caption.persona_id},
                                     {"platform", to_string(caption.platform)},
                                     {"media_id", caption.media_id.value_or("")},
                                     {"template_only", caption.template_only ? "true" : "false"}}));
      return caption;
    });
  });
}

Result<CaptionPage> CaptionService::list(const Principal& principal, const CaptionListQuery& query) {
  return guarded([&]() -> Result<CaptionPage> {
    if (auto allowed = require(principal, Action::kCaptionRead); !allowed)
      return tl::unexpected(allowed.error());
    if (query.limit < 1 || query.limit > kMaxPageSize) {
      return tl::unexpected(invalid_fields({{"limit", "must be between 1 and 200"}}));
    }
    CaptionFilter filter;
    filter.tenant_id = principal.tenant_id;
    filter.persona_ids = principal.limited_ids(kPersonaResource);
    filter.persona_id = query.persona_id;
    filter.media_id = query.media_id;
    filter.status = query.status;
    filter.platform = query.platform;
    filter.before = query.before;
    filter.limit = query.limit;
    CaptionPage page;
    page.items = database_.read([&](Transaction& tx) { return captions_.list(tx, filter); });
    if (page.items.size() > static_cast<std::size_t>(query.limit)) {
      page.items.resize(static_cast<std::size_t>(query.limit));
      page.next = std::make_pair(page.items.back().created_at_unix_ms, page.items.back().id);
    }
    return page;
  });
}

Result<CaptionView> CaptionService::of_job(const Principal& principal, const Job& job) {
  const auto caption_id = caption_id_of(job);
  if (!caption_id) return make_error(ErrorCode::kNotFound, std::string(kNoSuchCaption));
  return get(principal, *caption_id);
}

Result<CaptionView> CaptionService::get(const Principal& principal, const std::string& id) {
  return guarded([&]() -> Result<CaptionView> {
    if (auto allowed = require(principal, Action::kCaptionRead); !allowed)
      return tl::unexpected(allowed.error());
    return database_.read([&](Transaction& tx) -> Result<CaptionView> {
      auto caption = find_reachable(tx, principal, id);
      if (!caption) return make_error(ErrorCode::kNotFound, std::string(kNoSuchCaption));
      CaptionView view{std::move(*caption), std::nullopt};
      if (view.caption.job_id) {
        if (const auto job = jobs_.get(tx, JobScope::tenant(principal.tenant_id), *view.caption.job_id)) {
          view.job_state = job->state;
          // A generation job an operator cancelled, or that ran out of attempts, leaves the
          // caption without an answer: say so rather than "queued" forever.
          if (view.caption.status == captions::CaptionStatus::kQueued &&
              (job->state == JobState::kDead || job->state == JobState::kCancelled)) {
            view.caption.status = captions::CaptionStatus::kFailed;
            if (view.caption.error.empty()) {
              view.caption.error = job->state == JobState::kCancelled
                                       ? "the generation job was cancelled"
                                       : job->last_error.value_or("generation failed");
            }
          }
        }
      }
      return view;
    });
  });
}

Result<captions::Caption> CaptionService::edit(const Principal& principal, const std::string& id,
                                               const CaptionEdit& edit,
                                               std::optional<std::int64_t> expected_revision,
                                               const ClientInfo& client) {
  return guarded([&]() -> Result<captions::Caption> {
    if (auto allowed = require(principal, Action::kCaptionWrite); !allowed)
      return tl::unexpected(allowed.error());
    std::vector<FieldError> errors;
    auto check_text = [&](const std::optional<std::string>& value, const char* field) {
      if (!value) return;
      if (!utf8_code_points(*value)) {
        errors.push_back({field, "is not valid UTF-8"});
      } else if (characters(*value) > captions::kMaxEditedTextCharacters) {
        errors.push_back({field, "is longer than 40000 characters"});
      }
    };
    check_text(edit.text, "text");
    check_text(edit.title, "title");
    check_text(edit.call_to_action, "call_to_action");
    if (edit.text && trim_ascii_whitespace(*edit.text).empty())
      errors.push_back({"text", "must not be empty"});
    std::vector<std::string> hashtags;
    if (edit.hashtags) hashtags = clean_list(*edit.hashtags, "hashtags", errors);
    if (!errors.empty()) return tl::unexpected(invalid_fields(std::move(errors)));

    return database_.write([&](Transaction& tx) {
      auto caption = find_reachable(tx, principal, id);
      if (!caption) fail(ErrorCode::kNotFound, std::string(kNoSuchCaption));
      if (expected_revision && *expected_revision != caption->revision) {
        fail(ErrorCode::kConflict, "the caption changed meanwhile: reload it and edit again");
      }
      if (caption->status == captions::CaptionStatus::kQueued ||
          caption->status == captions::CaptionStatus::kFailed) {
        fail(ErrorCode::kFailedPrecondition,
             "the caption has no text to edit yet (it is " + std::string(to_string(caption->status)) + ")");
      }
      const auto persona = personas_.find(tx, principal.tenant_id, caption->persona_id);
      if (!persona) fail(ErrorCode::kNotFound, std::string(kNoSuchCaption));
      std::optional<MediaItem> media;
      if (caption->media_id) media = media_.find(tx, principal.tenant_id, *caption->media_id);
      if (edit.text) caption->text = *edit.text;
      if (edit.title) caption->title = *edit.title;
      if (edit.call_to_action) caption->call_to_action = *edit.call_to_action;
      if (edit.hashtags) caption->hashtags = hashtags;
      const std::int64_t now = clock_.now_unix_ms();
      const auto lists = compile_safety_lists(settings_.get(tx, principal.tenant_id));
      const auto decision = safety::check_caption(
          *persona, captions::candidate_of(*caption, media ? &*media : nullptr, now), lists);
      captions::apply_decision(*caption, decision, now);
      caption->edited_by = principal.user_id;
      caption->updated_at_unix_ms = now;
      const auto expected = caption->revision;
      caption->revision = expected + 1;
      if (!captions_.update(tx, *caption, expected)) {
        fail(ErrorCode::kConflict, "the caption changed meanwhile: reload it and edit again");
      }
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "caption.edited",
                                    "caption:" + caption->id, client));
      audit_.append(tx, captions::decision_audit_entry(*caption, principal_actor(principal), "edit", client));
      return *caption;
    });
  });
}

Result<captions::Caption> CaptionService::approve(const Principal& principal, const std::string& id,
                                                  const ClientInfo& client) {
  return guarded([&]() -> Result<captions::Caption> {
    if (auto allowed = require(principal, Action::kCaptionApprove); !allowed)
      return tl::unexpected(allowed.error());
    return database_.write([&](Transaction& tx) {
      auto caption = find_reachable(tx, principal, id);
      if (!caption) fail(ErrorCode::kNotFound, std::string(kNoSuchCaption));
      if (caption->status == captions::CaptionStatus::kBlocked) {
        fail(ErrorCode::kFailedPrecondition,
             "a blocked caption cannot be approved: edit it until the safety check passes");
      }
      if (caption->status != captions::CaptionStatus::kNeedsReview) {
        fail(ErrorCode::kFailedPrecondition,
             "only a caption that needs review can be approved (this one is " +
                 std::string(to_string(caption->status)) + ")");
      }
      const std::int64_t now = clock_.now_unix_ms();
      caption->status = captions::CaptionStatus::kReady;
      caption->approved_by = principal.user_id;
      caption->approved_at_unix_ms = now;
      caption->updated_at_unix_ms = now;
      const auto expected = caption->revision;
      caption->revision = expected + 1;
      if (!captions_.update(tx, *caption, expected))
        fail(ErrorCode::kConflict, "the caption changed meanwhile");
      audit_.append(tx,
                    audit_entry(principal.tenant_id, principal_actor(principal), "caption.approved",
                                "caption:" + caption->id, client, {{"verdict", caption->decision.verdict}}));
      return *caption;
    });
  });
}

Result<captions::ContentSettings> CaptionService::settings(const Principal& principal) {
  return guarded([&]() -> Result<captions::ContentSettings> {
    if (auto allowed = require(principal, Action::kContentSettingsRead); !allowed) {
      return tl::unexpected(allowed.error());
    }
    return database_.read([&](Transaction& tx) { return settings_.get(tx, principal.tenant_id); });
  });
}

Result<captions::ContentSettings> CaptionService::put_settings(const Principal& principal,
                                                               captions::ContentSettings settings,
                                                               std::optional<std::int64_t> expected_revision,
                                                               const ClientInfo& client) {
  return guarded([&]() -> Result<captions::ContentSettings> {
    if (auto allowed = require(principal, Action::kContentSettingsManage); !allowed) {
      return tl::unexpected(allowed.error());
    }
    std::vector<FieldError> errors;
    settings.banned_terms = clean_list(settings.banned_terms, "banned_terms", errors);
    settings.real_person_names = clean_list(settings.real_person_names, "real_person_names", errors);
    settings.banned_hashtags = clean_list(settings.banned_hashtags, "banned_hashtags", errors);
    settings.preferred_hashtags = clean_list(settings.preferred_hashtags, "preferred_hashtags", errors);
    for (auto it = settings.templates.begin(); it != settings.templates.end();) {
      const std::string base = "templates." + std::string(to_string(it->first));
      if (const auto problem = captions::template_problem(it->second.text))
        errors.push_back({base + ".text", *problem});
      if (const auto problem = captions::template_problem(it->second.title)) {
        errors.push_back({base + ".title", *problem});
      }
      // An override with both texts empty is the default: not stored.
      it = it->second.text.empty() && it->second.title.empty() ? settings.templates.erase(it) : std::next(it);
    }
    if (!errors.empty()) return tl::unexpected(invalid_fields(std::move(errors)));

    return database_.write([&](Transaction& tx) {
      const auto current = settings_.get(tx, principal.tenant_id);
      const auto expected = expected_revision.value_or(current.revision);
      if (expected != current.revision) {
        fail(ErrorCode::kConflict, "the settings changed meanwhile: reload them and save again");
      }
      settings.revision = current.revision + 1;
      settings.updated_by = principal.user_id;
      settings.updated_at_unix_ms = clock_.now_unix_ms();
      if (!settings_.put(tx, principal.tenant_id, settings, current.revision)) {
        fail(ErrorCode::kConflict, "the settings changed meanwhile: reload them and save again");
      }
      audit_.append(tx,
                    audit_entry(principal.tenant_id, principal_actor(principal), "content_settings.updated",
                                "tenant:" + principal.tenant_id, client,
                                {{"banned_terms", std::to_string(settings.banned_terms.size())},
                                 {"real_person_names", std::to_string(settings.real_person_names.size())},
                                 {"banned_hashtags", std::to_string(settings.banned_hashtags.size())},
                                 {"preferred_hashtags", std::to_string(settings.preferred_hashtags.size())},
                                 {"templates", std::to_string(settings.templates.size())}}));
      return settings;
    });
  });
}

}  // namespace personae

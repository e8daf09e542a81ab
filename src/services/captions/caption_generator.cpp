#include "services/captions/caption_generator.hpp"

#include <nlohmann/json.hpp>

#include "domain/captions/caption_composer.hpp"
#include "observability/log.hpp"
#include "safety/caption_policy.hpp"
#include "services/captions/caption_decision.hpp"
#include "services/captions/caption_prompt.hpp"
#include "services/captions/caption_service.hpp"

namespace personae {
namespace {

constexpr std::string_view kNoModel =
    "No language model is reachable: configure one under [[llm.providers]] (Ollama or an OpenAI-compatible "
    "server) or check that it is running";

/// What happens next to a failed attempt, in the operator's words (the job's last error).
std::string retry_note(bool last_attempt) {
  return last_attempt ? "; that was the job's last attempt: replay it once the cause is fixed"
                      : "; the job retries by itself";
}

std::string result_json(const captions::Caption& caption) {
  return nlohmann::json{{"caption_id", caption.id},
                        {"status", to_string(caption.status)},
                        {"verdict", caption.decision.verdict}}
      .dump();
}

bool decided(const captions::Caption& caption) {
  return caption.status != captions::CaptionStatus::kQueued &&
         caption.status != captions::CaptionStatus::kFailed;
}

/// The gateway's errors in the words of a caption job (the gateway's message stays the reason).
Error model_error(const Error& error, bool last_attempt) {
  Error out = error;
  switch (error.code) {
    case ErrorCode::kFailedPrecondition:
      // No provider at all, or an operation the provider lacks: a configuration matter.
      out.message = std::string(kNoModel) + " (" + error.message + ")" + retry_note(last_attempt);
      break;
    case ErrorCode::kNotFound:
      out.code = ErrorCode::kFailedPrecondition;
      out.message = "the persona's model is not installed on its provider (" + error.message +
                    "): pull it or change the persona's model";
      break;
    case ErrorCode::kInvalidArgument:
      // The request we built was refused: retrying the same request cannot help.
      out.message = "the language model refused the request (" + error.message + ")";
      break;
    default:
      out.message = "the language model failed (" + error.message + ")" + retry_note(last_attempt);
      break;
  }
  return out;
}

}  // namespace

CaptionGenerator::CaptionGenerator(Database& database, PersonaRepository& personas, MediaRepository& media,
                                   CaptionRepository& captions, ContentSettingsRepository& settings,
                                   AuditLogService& audit, llm::LlmGateway* gateway, const Clock& clock)
    : database_(database),
      personas_(personas),
      media_(media),
      captions_(captions),
      settings_(settings),
      audit_(audit),
      gateway_(gateway),
      clock_(clock) {}

Result<std::string> CaptionGenerator::run(const Job& job, JobContext& context) {
  const auto caption_id = caption_id_of(job);
  if (!job.tenant_id || !caption_id) {
    return make_error(ErrorCode::kInvalidArgument, "the job's payload names no caption");
  }
  auto outcome = service_support::guarded([&] { return generate(job, context, *caption_id); });
  if (!outcome && outcome.error().code != ErrorCode::kInvalidArgument && !context.cancelled()) {
    record_failure(*job.tenant_id, *caption_id, outcome.error(), context.attempt() >= job.max_attempts);
  }
  return outcome;
}

Result<std::string> CaptionGenerator::generate(const Job& job, JobContext& context,
                                               const std::string& caption_id) {
  const std::string& tenant_id = *job.tenant_id;
  struct Inputs {
    captions::Caption caption;
    Persona persona;
    std::optional<MediaItem> media;
    captions::ContentSettings settings;
  };
  auto inputs = database_.read([&](Transaction& tx) -> std::optional<Inputs> {
    auto caption = captions_.find(tx, tenant_id, caption_id);
    if (!caption) return std::nullopt;
    auto persona = personas_.find(tx, tenant_id, caption->persona_id);
    if (!persona) return std::nullopt;
    std::optional<MediaItem> media;
    if (caption->media_id) media = media_.find(tx, tenant_id, *caption->media_id);
    return Inputs{std::move(*caption), std::move(*persona), std::move(media), settings_.get(tx, tenant_id)};
  });
  if (!inputs) return make_error(ErrorCode::kInvalidArgument, "the caption or its persona no longer exists");
  if (decided(inputs->caption)) return result_json(inputs->caption);

  captions::CaptionRequest request;
  request.platform = inputs->caption.platform;
  request.rating = inputs->media ? inputs->media->rating : Rating::kSfw;
  request.category = inputs->media ? inputs->media->category : std::nullopt;
  request.language = inputs->caption.language;
  request.description = inputs->media && !inputs->media->description.empty() ? inputs->media->description
                                                                             : inputs->caption.brief;
  request.tenant_hashtags = inputs->settings.preferred_hashtags;
  if (const auto found = inputs->settings.templates.find(request.platform);
      found != inputs->settings.templates.end()) {
    request.templates = found->second;
  }
  request.now_unix_ms = clock_.now_unix_ms();

  std::string model;
  std::string provider;
  if (!inputs->caption.template_only) {
    const bool last_attempt = context.attempt() >= job.max_attempts;
    if (gateway_ == nullptr || gateway_->provider_names().empty()) {
      return make_error(ErrorCode::kFailedPrecondition, std::string(kNoModel) + retry_note(last_attempt));
    }
    const captions::CaptionSubject subject{inputs->persona, request.platform,
                                           inputs->media ? &*inputs->media : nullptr, inputs->caption.brief};
    auto chat = captions::build_caption_request(subject);
    const llm::LlmRoute route{inputs->persona.llm.provider, inputs->persona.llm.model};
    // Stop the model as soon as the job is cancelled (an operator, a lost lease, shutdown), even
    // while it is silent (loading): the adapters poll the token while nothing arrives.
    const llm::CancellationToken cancellation = chat.cancellation;
    const auto stop_model = context.on_cancel([cancellation] { cancellation.cancel(); });
    // No token callback: only the final content is used, so a stream that fails after some tokens
    // still falls back to the next provider.
    auto answer = gateway_->chat(std::move(chat), {}, route);
    if (!answer) return tl::unexpected(model_error(answer.error(), last_attempt));
    if (answer->cancelled) return make_error(ErrorCode::kUnavailable, "the generation was cancelled");
    auto parsed = captions::parse_model_caption(answer->content);
    if (!parsed) return tl::unexpected(parsed.error());
    request.model = std::move(*parsed);
    model = answer->model;
    provider = answer->provider;
  }

  const auto lists = compile_safety_lists(inputs->settings);
  auto composed = captions::compose_caption(inputs->persona, request, lists);
  if (!composed) {
    // A tenant template that cannot be rendered: the settings must change, not the attempt.
    return make_error(ErrorCode::kFailedPrecondition,
                      "the caption could not be composed: " + composed.error().message +
                          " (check the tenant's caption templates)");
  }
  const auto decision =
      safety::check_caption(inputs->persona, captions::to_candidate(*composed, request), lists);

  return database_.write([&](Transaction& tx) -> Result<std::string> {
    auto caption = captions_.find(tx, tenant_id, caption_id);
    if (!caption) return make_error(ErrorCode::kInvalidArgument, "the caption no longer exists");
    if (decided(*caption)) return result_json(*caption);
    const std::int64_t now = clock_.now_unix_ms();
    caption->call_to_action = composed->call_to_action;
    caption->hashtags.clear();
    for (const auto& tag : composed->hashtags) caption->hashtags.push_back(tag.tag);
    caption->dropped_hashtags.clear();
    for (const auto& dropped : composed->dropped_hashtags) {
      caption->dropped_hashtags.push_back(dropped.tag + ": " + dropped.reason);
    }
    caption->shortened = composed->shortened;
    caption->model = model;
    caption->provider = provider;
    captions::apply_decision(*caption, decision, now);
    caption->updated_at_unix_ms = now;
    const auto expected = caption->revision;
    caption->revision = expected + 1;
    if (!captions_.update(tx, *caption, expected)) {
      service_support::fail(ErrorCode::kConflict, "the caption changed while it was generated");
    }
    const ClientInfo worker{"", "worker:" + context.worker_id(), "job:" + std::to_string(job.id)};
    audit_.append(tx, captions::decision_audit_entry(*caption, "system:captions", "generation", worker));
    return result_json(*caption);
  });
}

void CaptionGenerator::record_failure(const std::string& tenant_id, const std::string& caption_id,
                                      const Error& error, bool last_attempt) {
  try {
    database_.write([&](Transaction& tx) {
      auto caption = captions_.find(tx, tenant_id, caption_id);
      if (!caption || decided(*caption)) return;
      caption->error = error.message;
      if (last_attempt) caption->status = captions::CaptionStatus::kFailed;
      caption->updated_at_unix_ms = clock_.now_unix_ms();
      const auto expected = caption->revision;
      caption->revision = expected + 1;
      captions_.update(tx, *caption, expected);
    });
  } catch (const AppError& failure) {
    log::warn("cannot record a caption's failure",
              {{"caption_id", caption_id}, {"error", failure.error().message}});
  }
}

}  // namespace personae

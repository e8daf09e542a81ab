#pragma once

#include <string>

#include "core/error.hpp"
#include "ports/caption_repository.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"
#include "ports/job_queue.hpp"
#include "ports/media_repository.hpp"
#include "ports/persona_repository.hpp"
#include "services/audit_log_service.hpp"
#include "services/jobs/job_handler.hpp"
#include "services/llm/llm_gateway.hpp"

namespace personae {

/// The handler of "caption.generate" jobs: persona voice + content + platform -> the model's
/// structured answer (caption, call to action, topic hashtags, Reddit title), checked against its
/// schema -> the composer (templates, hashtag strategy, limits, AI label) -> the safety engine ->
/// the caption stored as ready, needs_review or blocked, and the decision in the audit log.
///
/// Without a reachable language model the attempt fails with a clear, retryable reason ("No
/// language model is reachable ..."); nothing is ever invented in the model's place. A caption
/// ordered as a template-only draft is composed from the description and the persona's tags
/// without a model, marked as such and sent to human review. On the job's last attempt the
/// caption is marked failed with the reason.
///
/// Idempotent: a caption already decided is returned as it is (a job may run twice). Thread-safe.
class CaptionGenerator {
 public:
  /// `gateway` may be null (no provider configured): model-written captions then fail, retryably.
  CaptionGenerator(Database& database, PersonaRepository& personas, MediaRepository& media,
                   CaptionRepository& captions, ContentSettingsRepository& settings, AuditLogService& audit,
                   llm::LlmGateway* gateway, const Clock& clock);

  /// The JobHandler: the result is {"caption_id", "status", "verdict"}.
  Result<std::string> run(const Job& job, JobContext& context);

 private:
  Result<std::string> generate(const Job& job, JobContext& context, const std::string& caption_id);
  /// Records an attempt's failure on the caption (failed on the last attempt), best effort.
  void record_failure(const std::string& tenant_id, const std::string& caption_id, const Error& error,
                      bool last_attempt);

  Database& database_;
  PersonaRepository& personas_;
  MediaRepository& media_;
  CaptionRepository& captions_;
  ContentSettingsRepository& settings_;
  AuditLogService& audit_;
  llm::LlmGateway* gateway_;
  const Clock& clock_;
};

}  // namespace personae

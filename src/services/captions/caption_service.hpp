#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/authorization/authorization.hpp"
#include "domain/captions/caption.hpp"
#include "ports/caption_repository.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"
#include "ports/job_queue.hpp"
#include "ports/media_repository.hpp"
#include "ports/persona_repository.hpp"
#include "safety/tenant_safety_lists.hpp"
#include "services/audit_log_service.hpp"
#include "services/service_support.hpp"

namespace personae {

/// The job kind and queue of caption generation.
inline constexpr std::string_view kCaptionJobKind = "caption.generate";
inline constexpr std::string_view kCaptionQueue = "captions";

/// The caption a `caption.generate` job writes (its payload names it); nullopt for any other job or
/// a payload that names none.
std::optional<std::string> caption_id_of(const Job& job);

/// What a client asks for: a caption of `persona_id` for `platform`, about a vault item and/or a
/// brief.
struct CaptionOrder {
  std::string persona_id;
  Platform platform = Platform::kX;
  std::optional<std::string> media_id;
  std::string brief;
  /// A draft from the templates and the description, without a language model (marked as such,
  /// and always for human review).
  bool template_only = false;
};

/// A human's change to a caption's texts (unset: unchanged).
struct CaptionEdit {
  std::optional<std::string> text;
  std::optional<std::string> title;
  std::optional<std::string> call_to_action;
  std::optional<std::vector<std::string>> hashtags;
};

struct CaptionListQuery {
  std::optional<std::string> persona_id;
  std::optional<std::string> media_id;
  std::optional<captions::CaptionStatus> status;
  std::optional<Platform> platform;
  std::optional<std::pair<std::int64_t, std::string>> before;  ///< the cursor
  int limit = 50;
};

struct CaptionPage {
  std::vector<captions::Caption> items;
  std::optional<std::pair<std::int64_t, std::string>> next;  ///< nullopt: no more pages
};

/// A caption and the state of its generation job (nullopt when the job was purged).
struct CaptionView {
  captions::Caption caption;
  std::optional<JobState> job_state;
};

/// The safety lists of a tenant's settings, compiled for the engine.
safety::TenantSafetyLists compile_safety_lists(const captions::ContentSettings& settings);

/// Captions of a tenant's personas: order one (a generation job is enqueued in the same
/// transaction as the caption row, so either both exist or neither), read, edit (the safety
/// engine decides again on the edited text: a human edit never bypasses a block), approve a caption
/// that needs review (human control), and the tenant's content settings (safety lists, preferred
/// hashtags, templates). Every decision and change goes to the tenant's audit chain.
/// Members limited to some personas see and act on their captions only (others are kNotFound).
/// Blocking; thread-safe; holds references that must outlive it.
class CaptionService {
 public:
  /// `job_max_attempts`: the attempts each generation job gets before it is dead-lettered.
  CaptionService(Database& database, PersonaRepository& personas, MediaRepository& media,
                 CaptionRepository& captions, ContentSettingsRepository& settings, JobQueue& jobs,
                 AuditLogService& audit, const Clock& clock, int job_max_attempts);

  /// 202-style: the caption (status queued) with its job id. kNotFound for a persona or media item
  /// the principal cannot see; kFailedPrecondition for a persona that is not active;
  /// kInvalidArgument (field errors) for neither media nor brief, or a brief that is too long.
  Result<captions::Caption> order(const Principal& principal, const CaptionOrder& order,
                                  const ClientInfo& client);
  Result<CaptionPage> list(const Principal& principal, const CaptionListQuery& query);
  Result<CaptionView> get(const Principal& principal, const std::string& id);
  /// The caption a caption job writes, as get() shows it (kNotFound for another kind of job).
  Result<CaptionView> of_job(const Principal& principal, const Job& job);
  /// kConflict "the caption changed meanwhile" when `expected_revision` is stale;
  /// kFailedPrecondition while the caption is still being generated, or failed.
  Result<captions::Caption> edit(const Principal& principal, const std::string& id, const CaptionEdit& edit,
                                 std::optional<std::int64_t> expected_revision, const ClientInfo& client);
  /// needs_review -> ready, recording who approved. kFailedPrecondition for a blocked caption (edit
  /// it first) or one that is not waiting for review.
  Result<captions::Caption> approve(const Principal& principal, const std::string& id,
                                    const ClientInfo& client);

  Result<captions::ContentSettings> settings(const Principal& principal);
  /// Replaces the settings (validated: sizes, templates). kConflict when `expected_revision` is
  /// stale (0 for the first save).
  Result<captions::ContentSettings> put_settings(const Principal& principal,
                                                 captions::ContentSettings settings,
                                                 std::optional<std::int64_t> expected_revision,
                                                 const ClientInfo& client);

 private:
  std::optional<captions::Caption> find_reachable(Transaction& tx, const Principal& principal,
                                                  const std::string& id);

  Database& database_;
  PersonaRepository& personas_;
  MediaRepository& media_;
  CaptionRepository& captions_;
  ContentSettingsRepository& settings_;
  JobQueue& jobs_;
  AuditLogService& audit_;
  const Clock& clock_;
  const int job_max_attempts_;
};

}  // namespace personae

#pragma once

#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

#include "domain/authorization/authorization.hpp"
#include "http/auth/request_authenticator.hpp"
#include "http/router.hpp"
#include "ports/job_queue.hpp"

namespace personae {
class JobService;
namespace llm {
class LlmGateway;
}  // namespace llm
}  // namespace personae

/// Handlers for /api/v1/jobs (the jobs page: the roadmap's Flower) and /api/v1/llm/models. All are
/// PrincipalHandlers (register them through auth::guard()) and blocking.
namespace personae::http::handlers {

/// GET /api/v1/jobs?state=a,b&queue&kind&limit&cursor (jobs.read): newest first.
auth::PrincipalHandler list_jobs_as(JobService& jobs);
/// GET /api/v1/jobs/queues (jobs.read): per-queue counts and the oldest waiting job's age.
auth::PrincipalHandler job_queues_as(JobService& jobs);
/// GET /api/v1/jobs/{id} (jobs.read): with its attempts; a caption job also embeds its caption.
/// `caption_lookup` may be null.
using CaptionLookup = std::function<std::optional<nlohmann::json>(const Principal&, const Job&)>;
auth::PrincipalHandler get_job_as(JobService& jobs, CaptionLookup caption_lookup);
/// POST /api/v1/jobs/{id}/retry | /cancel | /replay (jobs.manage).
auth::PrincipalHandler retry_job_as(JobService& jobs);
auth::PrincipalHandler cancel_job_as(JobService& jobs);
auth::PrincipalHandler replay_job_as(JobService& jobs);

/// GET /api/v1/llm/models (llm.read): every configured provider, reachable or not, its models
/// and circuit. `gateway` may be null (no provider configured: an empty list).
auth::PrincipalHandler llm_models_as(llm::LlmGateway* gateway);

}  // namespace personae::http::handlers

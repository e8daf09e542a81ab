#include "http/handlers/job_handlers.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "adapters/json/llm_status_json.hpp"
#include "http/handlers/handler_support.hpp"
#include "services/job_service.hpp"
#include "services/llm/llm_gateway.hpp"

namespace personae::http::handlers {
namespace {

using auth::PrincipalHandler;

nlohmann::json optional_json(const auto& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

/// Stored JSON (payload, result, progress) back as JSON; text that does not parse stays text.
nlohmann::json embedded(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  auto parsed = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? nlohmann::json(*text) : parsed;
}

nlohmann::json job_json(const Job& job) {
  nlohmann::json json = {{"id", job.id},
                         {"queue", job.queue},
                         {"kind", job.kind},
                         {"state", to_string(job.state)},
                         {"retrying", job.retrying()},
                         {"priority", job.priority},
                         {"run_at", job.run_at_unix_ms},
                         {"attempts", job.attempts},
                         {"max_attempts", job.max_attempts},
                         {"cancel_requested", job.cancel_requested},
                         {"last_error", optional_json(job.last_error)},
                         {"payload", embedded(job.payload_json)},
                         {"result", embedded(job.result_json)},
                         {"progress", embedded(job.progress_json)},
                         {"worker", optional_json(job.lease_owner)},
                         {"created_at", job.created_at_unix_ms},
                         {"updated_at", job.updated_at_unix_ms},
                         {"started_at", optional_json(job.started_at_unix_ms)},
                         {"finished_at", optional_json(job.finished_at_unix_ms)}};
  return json;
}

nlohmann::json job_detail_json(const Job& job) {
  auto json = job_json(job);
  auto attempts = nlohmann::json::array();
  for (const auto& attempt : job.history) {
    attempts.push_back({{"number", attempt.number},
                        {"worker", attempt.worker_id},
                        {"started_at", attempt.started_at_unix_ms},
                        {"finished_at", optional_json(attempt.finished_at_unix_ms)},
                        {"outcome", to_string(attempt.outcome)},
                        {"error", attempt.error}});
  }
  json["history"] = std::move(attempts);
  return json;
}

std::int64_t job_id_or_throw(const Request& request) {
  const std::string_view text = request.path_param("id");
  std::int64_t id = 0;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), id);
  // Not a number cannot name a job: the same answer as a job that does not exist.
  if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size() || id < 1) {
    throw AppError(ErrorCode::kNotFound, "no such job");
  }
  return id;
}

std::vector<JobState> states_or_throw(std::string_view text) {
  std::vector<JobState> states;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = std::min(text.find(',', start), text.size());
    const auto name = text.substr(start, comma - start);
    if (!name.empty()) {
      const auto state = parse_job_state(name);
      if (!state) {
        throw AppError(
            invalid_fields({{"state", "must list queued, running, succeeded, dead or cancelled"}}));
      }
      states.push_back(*state);
    }
    start = comma + 1;
  }
  return states;
}

PrincipalHandler job_action(JobService& jobs,
                            Result<Job> (JobService::*action)(const Principal&, std::int64_t,
                                                              const ClientInfo&)) {
  return [&jobs, action](const Request& request, const Principal& principal) {
    return Response::json(200, job_detail_json(value_or_fail(
                                   (jobs.*action)(principal, job_id_or_throw(request), client_of(request)))));
  };
}

}  // namespace

PrincipalHandler list_jobs_as(JobService& jobs) {
  return [&jobs](const Request& request, const Principal& principal) {
    JobListQuery query;
    if (const auto state = request.query_param("state")) query.states = states_or_throw(*state);
    query.queue = request.query_param("queue");
    query.kind = request.query_param("kind");
    if (const auto limit = limit_param(request, 200)) query.limit = *limit;
    if (const auto cursor = request.query_param("cursor")) {
      std::int64_t before = 0;
      const auto parsed = std::from_chars(cursor->data(), cursor->data() + cursor->size(), before);
      if (parsed.ec != std::errc() || parsed.ptr != cursor->data() + cursor->size() || before < 1) {
        throw AppError(invalid_fields({{"cursor", "is not a cursor this server returned"}}));
      }
      query.before_id = before;
    }
    const auto page = value_or_fail(jobs.list(principal, query));
    auto items = nlohmann::json::array();
    for (const auto& job : page.jobs) items.push_back(job_json(job));
    return Response::json(
        200, {{"items", items},
              {"next_cursor", page.next_before_id ? nlohmann::json(std::to_string(*page.next_before_id))
                                                  : nlohmann::json()}});
  };
}

PrincipalHandler job_queues_as(JobService& jobs) {
  return [&jobs](const Request&, const Principal& principal) {
    auto queues = nlohmann::json::array();
    for (const auto& stats : value_or_fail(jobs.queues(principal))) {
      queues.push_back({{"queue", stats.queue},
                        {"available", stats.available},
                        {"scheduled", stats.scheduled},
                        {"running", stats.running},
                        {"dead", stats.dead},
                        {"succeeded_24h", stats.succeeded_recently},
                        {"cancelled_24h", stats.cancelled_recently},
                        {"oldest_available_age_ms", optional_json(stats.oldest_available_age_ms)}});
    }
    return Response::json(200, {{"items", queues}});
  };
}

PrincipalHandler get_job_as(JobService& jobs, CaptionLookup caption_lookup) {
  return [&jobs, caption_lookup = std::move(caption_lookup)](const Request& request,
                                                             const Principal& principal) {
    const auto job = value_or_fail(jobs.get(principal, job_id_or_throw(request)));
    auto json = job_detail_json(job);
    json["caption"] = nullptr;
    if (caption_lookup) {
      if (auto caption = caption_lookup(principal, job)) json["caption"] = std::move(*caption);
    }
    return Response::json(200, json);
  };
}

PrincipalHandler retry_job_as(JobService& jobs) {
  return job_action(jobs, &JobService::retry_now);
}

PrincipalHandler cancel_job_as(JobService& jobs) {
  return job_action(jobs, &JobService::cancel);
}

PrincipalHandler replay_job_as(JobService& jobs) {
  return job_action(jobs, &JobService::replay);
}

PrincipalHandler llm_models_as(llm::LlmGateway* gateway) {
  return [gateway](const Request&, const Principal&) {
    return Response::json(
        200, llm_status_json(gateway != nullptr ? gateway->status() : std::vector<llm::ProviderStatus>{}));
  };
}

}  // namespace personae::http::handlers

#include "adapters/queue/job_rows.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

#include "core/error.hpp"

namespace personae::job_rows {
namespace {

template <class T>
std::optional<T> optional_of(const T& value, soci::indicator indicator) {
  return indicator == soci::i_ok ? std::optional<T>(value) : std::nullopt;
}

constexpr std::size_t kMaxUniqueKeyBytes = 256;
constexpr std::size_t kMaxIdBytes = 128;
constexpr int kMaxPriority = 32'767;

bool valid_id(std::string_view id, bool allow_at) {
  if (id.empty() || id.size() > kMaxIdBytes) return false;
  return std::all_of(id.begin(), id.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-' || (allow_at && c == '@');
  });
}

void check_common(std::vector<FieldError>& errors, const std::string& prefix, const std::string& queue,
                  const std::string& kind, const std::string& payload, int priority, int max_attempts) {
  if (!valid_name(queue)) {
    errors.push_back({prefix + "queue", "must be 1-64 characters of a-z, 0-9, '.', '_', '-'"});
  }
  if (!valid_name(kind)) {
    errors.push_back({prefix + "kind", "must be 1-64 characters of a-z, 0-9, '.', '_', '-'"});
  }
  if (payload.size() > kMaxJobPayloadBytes) {
    errors.push_back(
        {prefix + "payload", "must be at most " + std::to_string(kMaxJobPayloadBytes) + " bytes"});
  } else if (!nlohmann::json::accept(payload)) {
    errors.push_back({prefix + "payload", "must be a JSON document"});
  }
  if (priority < -kMaxPriority || priority > kMaxPriority) {
    errors.push_back({prefix + "priority", "must be between -32767 and 32767"});
  }
  if (max_attempts < 1 || max_attempts > kMaxJobMaxAttempts) {
    errors.push_back(
        {prefix + "max_attempts", "must be between 1 and " + std::to_string(kMaxJobMaxAttempts)});
  }
}

}  // namespace

Params& Params::text(std::string name, std::string value) {
  texts_.push_back(Text{std::move(name), std::move(value), soci::i_ok});
  return *this;
}

Params& Params::optional_text(std::string name, std::optional<std::string> value) {
  const soci::indicator indicator = value.has_value() ? soci::i_ok : soci::i_null;
  texts_.push_back(Text{std::move(name), std::move(value).value_or(""), indicator});
  return *this;
}

Params& Params::integer(std::string name, long long value) {
  integers_.push_back(Integer{std::move(name), value, soci::i_ok});
  return *this;
}

Params& Params::optional_integer(std::string name, std::optional<long long> value) {
  integers_.push_back(
      Integer{std::move(name), value.value_or(0), value.has_value() ? soci::i_ok : soci::i_null});
  return *this;
}

void Params::bind(soci::statement& statement) {
  for (Text& text : texts_) statement.exchange(soci::use(text.value, text.indicator, text.name));
  for (Integer& integer : integers_) {
    statement.exchange(soci::use(integer.value, integer.indicator, integer.name));
  }
}

std::int64_t execute(soci::session& sql, const std::string& query, Params& params) {
  soci::statement statement(sql);
  params.bind(statement);
  statement.alloc();
  statement.prepare(query, soci::details::st_one_time_query);
  statement.define_and_bind();
  statement.execute(true);
  return statement.get_affected_rows();
}

std::string job_columns(std::string_view prefix, bool with_history) {
  static constexpr std::array<std::string_view, 22> kColumns{
      "id",           "tenant_id",        "queue",
      "kind",         "payload",          "priority",
      "state",        "run_at",           "attempts",
      "max_attempts", "attempt_number",   "unique_key",
      "lease_owner",  "lease_expires_at", "cancel_requested",
      "last_error",   "result",           "progress",
      "created_at",   "updated_at",       "started_at",
      "finished_at"};
  std::string columns;
  for (const std::string_view column : kColumns) {
    if (!columns.empty()) columns += ", ";
    columns += prefix;
    columns += column;
  }
  if (with_history) {
    columns += ", ";
    columns += prefix;
    columns += "history";
  }
  return columns;
}

void JobColumns::bind(soci::statement& statement) {
  statement.exchange(soci::into(id_));
  statement.exchange(soci::into(tenant_id_, tenant_id_indicator_));
  statement.exchange(soci::into(queue_));
  statement.exchange(soci::into(kind_));
  statement.exchange(soci::into(payload_));
  statement.exchange(soci::into(priority_));
  statement.exchange(soci::into(state_));
  statement.exchange(soci::into(run_at_));
  statement.exchange(soci::into(attempts_));
  statement.exchange(soci::into(max_attempts_));
  statement.exchange(soci::into(attempt_number_));
  statement.exchange(soci::into(unique_key_, unique_key_indicator_));
  statement.exchange(soci::into(lease_owner_, lease_owner_indicator_));
  statement.exchange(soci::into(lease_expires_at_, lease_expires_at_indicator_));
  statement.exchange(soci::into(cancel_requested_));
  statement.exchange(soci::into(last_error_, last_error_indicator_));
  statement.exchange(soci::into(result_, result_indicator_));
  statement.exchange(soci::into(progress_, progress_indicator_));
  statement.exchange(soci::into(created_at_));
  statement.exchange(soci::into(updated_at_));
  statement.exchange(soci::into(started_at_, started_at_indicator_));
  statement.exchange(soci::into(finished_at_, finished_at_indicator_));
  if (with_history_) statement.exchange(soci::into(history_, history_indicator_));
}

Job JobColumns::value() const {
  Job job;
  job.id = id_;
  job.tenant_id = optional_of(tenant_id_, tenant_id_indicator_);
  job.queue = queue_;
  job.kind = kind_;
  job.payload_json = payload_;
  job.priority = priority_;
  const std::optional<JobState> state = parse_job_state(state_);
  if (!state.has_value()) throw AppError(ErrorCode::kInternal, "stored job data is malformed", "state");
  job.state = *state;
  job.run_at_unix_ms = run_at_;
  job.attempts = attempts_;
  job.max_attempts = max_attempts_;
  job.attempt_number = attempt_number_;
  job.unique_key = optional_of(unique_key_, unique_key_indicator_);
  job.lease_owner = optional_of(lease_owner_, lease_owner_indicator_);
  job.lease_expires_at_unix_ms = optional_of<std::int64_t>(lease_expires_at_, lease_expires_at_indicator_);
  job.cancel_requested = cancel_requested_ != 0;
  job.last_error = optional_of(last_error_, last_error_indicator_);
  job.result_json = optional_of(result_, result_indicator_);
  job.progress_json = optional_of(progress_, progress_indicator_);
  job.created_at_unix_ms = created_at_;
  job.updated_at_unix_ms = updated_at_;
  job.started_at_unix_ms = optional_of<std::int64_t>(started_at_, started_at_indicator_);
  job.finished_at_unix_ms = optional_of<std::int64_t>(finished_at_, finished_at_indicator_);
  if (with_history_) {
    if (history_indicator_ == soci::i_ok) job.history = parse_history(history_);
    if (job.state == JobState::kRunning) {
      // The attempt in progress is not in the stored history until it ends.
      job.history.push_back(JobAttempt{job.attempt_number, job.lease_owner.value_or(""),
                                       job.started_at_unix_ms.value_or(0), std::nullopt,
                                       AttemptOutcome::kRunning, ""});
    }
  }
  return job;
}

std::string schedule_columns() {
  return "id, tenant_id, cron, time_zone, queue, kind, payload, priority, max_attempts, enabled, "
         "next_run_at, "
         "last_run_at, last_job_id, created_at, updated_at";
}

void ScheduleColumns::bind(soci::statement& statement) {
  statement.exchange(soci::into(id_));
  statement.exchange(soci::into(tenant_id_, tenant_id_indicator_));
  statement.exchange(soci::into(cron_));
  statement.exchange(soci::into(time_zone_));
  statement.exchange(soci::into(queue_));
  statement.exchange(soci::into(kind_));
  statement.exchange(soci::into(payload_));
  statement.exchange(soci::into(priority_));
  statement.exchange(soci::into(max_attempts_));
  statement.exchange(soci::into(enabled_));
  statement.exchange(soci::into(next_run_at_, next_run_at_indicator_));
  statement.exchange(soci::into(last_run_at_, last_run_at_indicator_));
  statement.exchange(soci::into(last_job_id_, last_job_id_indicator_));
  statement.exchange(soci::into(created_at_));
  statement.exchange(soci::into(updated_at_));
}

JobSchedule ScheduleColumns::value() const {
  JobSchedule schedule;
  schedule.id = id_;
  schedule.tenant_id = optional_of(tenant_id_, tenant_id_indicator_);
  schedule.cron = cron_;
  schedule.time_zone = time_zone_;
  schedule.queue = queue_;
  schedule.kind = kind_;
  schedule.payload_json = payload_;
  schedule.priority = priority_;
  schedule.max_attempts = max_attempts_;
  schedule.enabled = enabled_ != 0;
  schedule.next_run_at_unix_ms = optional_of<std::int64_t>(next_run_at_, next_run_at_indicator_);
  schedule.last_run_at_unix_ms = optional_of<std::int64_t>(last_run_at_, last_run_at_indicator_);
  schedule.last_job_id = optional_of<std::int64_t>(last_job_id_, last_job_id_indicator_);
  schedule.created_at_unix_ms = created_at_;
  schedule.updated_at_unix_ms = updated_at_;
  return schedule;
}

std::string history_entry(const JobAttempt& attempt) {
  nlohmann::json entry{{"n", attempt.number},
                       {"worker", attempt.worker_id},
                       {"started_at", attempt.started_at_unix_ms},
                       {"outcome", to_string(attempt.outcome)}};
  if (attempt.finished_at_unix_ms.has_value()) entry["finished_at"] = *attempt.finished_at_unix_ms;
  if (!attempt.error.empty()) entry["error"] = attempt.error;
  // dump() escapes control characters, so an entry is always exactly one line.
  return entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::vector<JobAttempt> parse_history(std::string_view text) {
  std::vector<JobAttempt> attempts;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty()) continue;
    try {
      const nlohmann::json entry = nlohmann::json::parse(line);
      JobAttempt& attempt = attempts.emplace_back();
      attempt.number = entry.at("n").get<int>();
      attempt.worker_id = entry.at("worker").get<std::string>();
      attempt.started_at_unix_ms = entry.at("started_at").get<std::int64_t>();
      if (entry.contains("finished_at"))
        attempt.finished_at_unix_ms = entry.at("finished_at").get<std::int64_t>();
      const std::optional<AttemptOutcome> outcome =
          parse_attempt_outcome(entry.at("outcome").get_ref<const std::string&>());
      if (!outcome.has_value())
        throw AppError(ErrorCode::kInternal, "stored job data is malformed", "outcome");
      attempt.outcome = *outcome;
      if (entry.contains("error")) attempt.error = entry.at("error").get<std::string>();
    } catch (const nlohmann::json::exception& error) {
      throw AppError(ErrorCode::kInternal, "stored job data is malformed", error.what());
    }
  }
  return attempts;
}

std::string truncate_utf8(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut sequence.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
  text.resize(end);
  return text;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

bool valid_worker_id(std::string_view id) {
  return valid_id(id, true);
}

void validate_spec(const JobSpec& spec, const std::string& prefix) {
  std::vector<FieldError> errors;
  check_common(errors, prefix, spec.queue, spec.kind, spec.payload_json, spec.priority, spec.max_attempts);
  if (spec.tenant_id.has_value() && spec.tenant_id->empty()) {
    errors.push_back({prefix + "tenant_id", "must not be empty (omit it for a system job)"});
  }
  if (spec.unique_key.has_value() &&
      (spec.unique_key->empty() || spec.unique_key->size() > kMaxUniqueKeyBytes)) {
    errors.push_back({prefix + "unique_key", "must be 1-256 bytes"});
  }
  if (spec.run_at_unix_ms.has_value() && *spec.run_at_unix_ms < 0) {
    errors.push_back({prefix + "run_at", "must not be before 1970"});
  }
  if (!errors.empty()) throw AppError(invalid_fields(std::move(errors)));
}

void validate_schedule(const JobSchedule& schedule) {
  std::vector<FieldError> errors;
  if (!valid_id(schedule.id, false)) {
    errors.push_back({"id", "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':', '-'"});
  }
  check_common(errors, "", schedule.queue, schedule.kind, schedule.payload_json, schedule.priority,
               schedule.max_attempts);
  if (schedule.cron.empty() || schedule.cron.size() > 256) errors.push_back({"cron", "must be 1-256 bytes"});
  if (schedule.time_zone.empty() || schedule.time_zone.size() > 64) {
    errors.push_back({"time_zone", "must be an IANA time zone name"});
  }
  if (schedule.tenant_id.has_value() && schedule.tenant_id->empty()) {
    errors.push_back({"tenant_id", "must not be empty (omit it for a system schedule)"});
  }
  if (schedule.enabled && !schedule.next_run_at_unix_ms.has_value()) {
    errors.push_back({"next_run_at", "an enabled schedule needs its next run time"});
  }
  if (!errors.empty()) throw AppError(invalid_fields(std::move(errors)));
}

}  // namespace personae::job_rows

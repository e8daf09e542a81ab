#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ports/job_queue.hpp"

namespace personae::job_rows {

// The SQL plumbing of SqlJobQueue (adapters/queue only).

/// Named inputs of one statement, owned here so that they outlive its execution (SOCI binds by
/// reference). Names are used without the colon.
class Params {
 public:
  Params& text(std::string name, std::string value);
  Params& optional_text(std::string name, std::optional<std::string> value);
  Params& integer(std::string name, long long value);
  Params& optional_integer(std::string name, std::optional<long long> value);

  /// Hands every input to `statement` (before it is prepared).
  void bind(soci::statement& statement);

 private:
  struct Text {
    std::string name;
    std::string value;
    soci::indicator indicator = soci::i_ok;
  };
  struct Integer {
    std::string name;
    long long value = 0;
    soci::indicator indicator = soci::i_ok;
  };
  std::deque<Text> texts_;  // deques: growing never moves what is already bound
  std::deque<Integer> integers_;
};

/// Runs `query` once with `params`: a single round trip on PostgreSQL (SOCI's prepared statements
/// cost a PREPARE and a DEALLOCATE besides the EXECUTE). Returns the number of rows changed.
std::int64_t execute(soci::session& sql, const std::string& query, Params& params);

/// Runs `query` once and returns Columns::value() for each row; Columns::bind(statement) binds
/// the outputs.
template <class Columns>
auto fetch(soci::session& sql, const std::string& query, Params& params) {
  Columns columns;
  soci::statement statement(sql);
  columns.bind(statement);
  params.bind(statement);
  statement.alloc();
  statement.prepare(query, soci::details::st_one_time_query);
  statement.define_and_bind();
  statement.execute(false);
  std::vector<decltype(columns.value())> rows;
  while (statement.fetch()) rows.push_back(columns.value());
  return rows;
}

/// The columns of a job as listed (`with_history`: as get() reads it, with the attempt history).
std::string job_columns(std::string_view prefix, bool with_history);

/// Output binding of job_columns().
class JobColumns {
 public:
  explicit JobColumns(bool with_history = false) : with_history_(with_history) {}
  void bind(soci::statement& statement);
  Job value() const;

 private:
  // Ordered by size (clang-analyzer's padding check).
  long long id_ = 0;
  long long run_at_ = 0;
  long long lease_expires_at_ = 0;
  long long created_at_ = 0;
  long long updated_at_ = 0;
  long long started_at_ = 0;
  long long finished_at_ = 0;
  std::string tenant_id_;
  std::string queue_;
  std::string kind_;
  std::string payload_;
  std::string state_;
  std::string unique_key_;
  std::string lease_owner_;
  std::string last_error_;
  std::string result_;
  std::string progress_;
  std::string history_;
  int priority_ = 0;
  int attempts_ = 0;
  int max_attempts_ = 0;
  int attempt_number_ = 0;
  int cancel_requested_ = 0;
  soci::indicator tenant_id_indicator_ = soci::i_null;
  soci::indicator unique_key_indicator_ = soci::i_null;
  soci::indicator lease_owner_indicator_ = soci::i_null;
  soci::indicator lease_expires_at_indicator_ = soci::i_null;
  soci::indicator last_error_indicator_ = soci::i_null;
  soci::indicator result_indicator_ = soci::i_null;
  soci::indicator progress_indicator_ = soci::i_null;
  soci::indicator started_at_indicator_ = soci::i_null;
  soci::indicator finished_at_indicator_ = soci::i_null;
  soci::indicator history_indicator_ = soci::i_null;
  bool with_history_;
};

/// A JobColumns with the attempt history (for get()).
class JobColumnsWithHistory : public JobColumns {
 public:
  JobColumnsWithHistory() : JobColumns(true) {}
};

/// The columns of a schedule, and their binding.
std::string schedule_columns();
class ScheduleColumns {
 public:
  void bind(soci::statement& statement);
  JobSchedule value() const;

 private:
  std::string id_;
  std::string tenant_id_;
  soci::indicator tenant_id_indicator_ = soci::i_null;
  std::string cron_;
  std::string time_zone_;
  std::string queue_;
  std::string kind_;
  std::string payload_;
  int priority_ = 0;
  int max_attempts_ = 0;
  int enabled_ = 0;
  long long next_run_at_ = 0;
  soci::indicator next_run_at_indicator_ = soci::i_null;
  long long last_run_at_ = 0;
  soci::indicator last_run_at_indicator_ = soci::i_null;
  long long last_job_id_ = 0;
  soci::indicator last_job_id_indicator_ = soci::i_null;
  long long created_at_ = 0;
  long long updated_at_ = 0;
};

/// One ended attempt as stored in the `history` column: a JSON object and a newline.
std::string history_entry(const JobAttempt& attempt);
/// The stored history, oldest first. A malformed line is kInternal.
std::vector<JobAttempt> parse_history(std::string_view text);

/// Keeps the first `max_bytes` bytes of `text` without cutting a UTF-8 sequence.
std::string truncate_utf8(std::string text, std::size_t max_bytes);

/// Throws AppError(kInvalidArgument) naming every invalid field of `spec` (prefix: "job." or the
/// caller's, e.g. "jobs[3].").
void validate_spec(const JobSpec& spec, const std::string& prefix = "");
void validate_schedule(const JobSchedule& schedule);
/// A queue or kind name: 1-64 characters of [a-z0-9._-], the first a letter or digit.
bool valid_name(std::string_view name);
/// A worker id: 1-128 characters of [A-Za-z0-9._:@-].
bool valid_worker_id(std::string_view id);

}  // namespace personae::job_rows

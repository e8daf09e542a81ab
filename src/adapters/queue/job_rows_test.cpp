#include "adapters/queue/job_rows.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace personae::job_rows {
namespace {

std::vector<std::string> invalid_fields_of(const JobSpec& spec) {
  try {
    validate_spec(spec);
  } catch (const AppError& error) {
    std::vector<std::string> fields;
    for (const FieldError& field : error.error().field_errors) fields.push_back(field.field);
    return fields;
  }
  return {};
}

TEST(JobRowsTest, HistoryRoundTripsThroughJsonLines) {
  const std::vector<JobAttempt> attempts{
      {1, "host:1:ab", 1000, 1500, AttemptOutcome::kFailed, "upstream said \"no\"\nsecond line"},
      {2, "host:2:cd", 2000, 2600, AttemptOutcome::kLeaseExpired, "lost"},
      {3, "host:1:ab", 3000, 3100, AttemptOutcome::kSucceeded, ""}};
  std::string stored;
  for (const JobAttempt& attempt : attempts) stored += history_entry(attempt);
  // One line per attempt, whatever the error text holds.
  EXPECT_EQ(std::count(stored.begin(), stored.end(), '\n'), 3);
  EXPECT_EQ(parse_history(stored), attempts);
  EXPECT_TRUE(parse_history("").empty());
}

TEST(JobRowsTest, MalformedHistoryIsAnInternalError) {
  try {
    parse_history("{\"n\":1}\n");
    FAIL() << "expected an AppError";
  } catch (const AppError& error) {
    EXPECT_EQ(error.error().code, ErrorCode::kInternal);
  }
}

TEST(JobRowsTest, TruncationKeepsWholeUtf8Sequences) {
  EXPECT_EQ(truncate_utf8("abc", 10), "abc");
  EXPECT_EQ(truncate_utf8("abcdef", 3), "abc");
  // "é" is two bytes: cutting after its first byte drops it whole.
  EXPECT_EQ(truncate_utf8("a\xC3\xA9z", 2), "a");
  EXPECT_EQ(truncate_utf8("a\xC3\xA9z", 3), "a\xC3\xA9");
}

TEST(JobRowsTest, NamesAndWorkerIds) {
  EXPECT_TRUE(valid_name("captions.generate"));
  EXPECT_TRUE(valid_name("q-1_a"));
  EXPECT_FALSE(valid_name(""));
  EXPECT_FALSE(valid_name(".hidden"));
  EXPECT_FALSE(valid_name("Upper"));
  EXPECT_FALSE(valid_name(std::string(65, 'a')));
  EXPECT_TRUE(valid_worker_id("host-1:4242:9f3a@eu"));
  EXPECT_FALSE(valid_worker_id("has space"));
  EXPECT_FALSE(valid_worker_id("quote\""));
}

TEST(JobRowsTest, SpecValidationNamesEveryBadField) {
  JobSpec good;
  good.kind = "noop";
  EXPECT_TRUE(invalid_fields_of(good).empty());

  JobSpec bad;
  bad.queue = "Bad Queue";
  bad.kind = "";
  bad.payload_json = "{not json";
  bad.max_attempts = 0;
  bad.priority = 100'000;
  bad.unique_key = "";
  bad.tenant_id = "";
  EXPECT_EQ(invalid_fields_of(bad), (std::vector<std::string>{"queue", "kind", "payload", "priority",
                                                              "max_attempts", "tenant_id", "unique_key"}));

  JobSpec huge;
  huge.kind = "noop";
  huge.payload_json = "\"" + std::string(kMaxJobPayloadBytes, 'x') + "\"";
  EXPECT_EQ(invalid_fields_of(huge), (std::vector<std::string>{"payload"}));
}

}  // namespace
}  // namespace personae::job_rows

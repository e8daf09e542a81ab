#include "services/jobs/cron_schedule.hpp"

#include <date/date.h>
#include <gtest/gtest.h>

namespace personae {
namespace {

// Unix milliseconds of a UTC wall-clock time.
std::int64_t utc(int year, unsigned month, unsigned day, int hour, int minute) {
  const date::sys_days days = date::year{year} / date::month{month} / date::day{day};
  const auto time = days + std::chrono::hours(hour) + std::chrono::minutes(minute);
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

CronSchedule parse(const std::string& expression, const std::string& zone = "UTC") {
  Result<CronSchedule> schedule = CronSchedule::parse(expression, zone);
  EXPECT_TRUE(schedule.has_value()) << expression << ": "
                                    << (schedule.has_value() ? ""
                                                             : schedule.error().field_errors.front().message);
  return *schedule;
}

std::vector<std::string> error_fields(const std::string& expression, const std::string& zone = "UTC") {
  const Result<CronSchedule> schedule = CronSchedule::parse(expression, zone);
  std::vector<std::string> fields;
  if (!schedule.has_value()) {
    EXPECT_EQ(schedule.error().code, ErrorCode::kInvalidArgument);
    for (const FieldError& error : schedule.error().field_errors) fields.push_back(error.field);
  }
  return fields;
}

// The first `count` slots after `after`.
std::vector<std::int64_t> slots(const CronSchedule& schedule, std::int64_t after, int count) {
  std::vector<std::int64_t> result;
  for (int i = 0; i < count; ++i) {
    const std::optional<std::int64_t> next = schedule.next_after(after);
    if (!next.has_value()) break;
    result.push_back(*next);
    after = *next;
  }
  return result;
}

TEST(CronScheduleTest, RefusesMalformedExpressions) {
  EXPECT_EQ(error_fields("* * * *"), std::vector<std::string>{"cron"});
  EXPECT_EQ(error_fields("60 * * * *"), std::vector<std::string>{"cron"});
  EXPECT_EQ(error_fields("* 24 * * *"), std::vector<std::string>{"cron"});
  EXPECT_EQ(error_fields("* * 0 * *"), std::vector<std::string>{"cron"});
  EXPECT_EQ(error_fields("* * * 13 *"), std::vector<std::string>{"cron"});
  EXPECT_EQ(error_fields("* * * * 8"), std::vector<std::string>{"cron"});
  EXPECT_EQ(error_fields("*/0 * * * *"), std::vector<std::string>{"cron"});
  EXPECT_EQ(error_fields("10-5 * * * *"), std::vector<std::string>{"cron"});
  EXPECT_EQ(error_fields("* * * FOO *"), std::vector<std::string>{"cron"});
  EXPECT_EQ(error_fields("1,,2 * * * *"), std::vector<std::string>{"cron"});
  EXPECT_EQ(error_fields("@fortnightly"), std::vector<std::string>{"cron"});
  // Valid syntax, but no February has a 30th.
  EXPECT_EQ(error_fields("0 0 30 2 *"), std::vector<std::string>{"cron"});
  EXPECT_EQ(error_fields("0 0 * * *", "Mars/Olympus_Mons"), std::vector<std::string>{"time_zone"});
  EXPECT_EQ(error_fields("bad", "Nowhere"), (std::vector<std::string>{"time_zone", "cron"}));
}

TEST(CronScheduleTest, StepsRangesListsAndNames) {
  EXPECT_EQ(
      slots(parse("*/15 * * * *"), utc(2025, 6, 1, 10, 7), 3),
      (std::vector<std::int64_t>{utc(2025, 6, 1, 10, 15), utc(2025, 6, 1, 10, 30), utc(2025, 6, 1, 10, 45)}));
  EXPECT_EQ(slots(parse("5,50 9-10 * * *"), utc(2025, 6, 1, 0, 0), 5),
            (std::vector<std::int64_t>{utc(2025, 6, 1, 9, 5), utc(2025, 6, 1, 9, 50), utc(2025, 6, 1, 10, 5),
                                       utc(2025, 6, 1, 10, 50), utc(2025, 6, 2, 9, 5)}));
  // 2025-06-02 is a Monday: weekdays only, in lower-case names.
  EXPECT_EQ(slots(parse("0 9 * jun-JUL mon-fri"), utc(2025, 6, 6, 12, 0), 2),
            (std::vector<std::int64_t>{utc(2025, 6, 9, 9, 0), utc(2025, 6, 10, 9, 0)}));
  // "a/s" runs from a to the end of the field.
  EXPECT_EQ(
      slots(parse("50/5 0 * * *"), utc(2025, 6, 1, 0, 0), 3),
      (std::vector<std::int64_t>{utc(2025, 6, 1, 0, 50), utc(2025, 6, 1, 0, 55), utc(2025, 6, 2, 0, 50)}));
  // Sunday is 0 and 7.
  EXPECT_EQ(parse("0 0 * * 7").next_after(utc(2025, 6, 1, 12, 0)), utc(2025, 6, 8, 0, 0));
  EXPECT_EQ(parse("0 0 * * SUN").next_after(utc(2025, 6, 1, 12, 0)), utc(2025, 6, 8, 0, 0));
}

TEST(CronScheduleTest, BothDayFieldsRestrictedMatchEither) {
  // The 13th, or any Friday: 2025-06-06 is a Friday, 2025-06-13 both.
  EXPECT_EQ(
      slots(parse("0 0 13 * FRI"), utc(2025, 6, 1, 0, 0), 3),
      (std::vector<std::int64_t>{utc(2025, 6, 6, 0, 0), utc(2025, 6, 13, 0, 0), utc(2025, 6, 20, 0, 0)}));
  // A starred day-of-week keeps the AND: the 13th only when it is any day of the week.
  EXPECT_EQ(slots(parse("0 0 13 * *"), utc(2025, 6, 1, 0, 0), 2),
            (std::vector<std::int64_t>{utc(2025, 6, 13, 0, 0), utc(2025, 7, 13, 0, 0)}));
}

TEST(CronScheduleTest, MacrosAndLeapDays) {
  EXPECT_EQ(parse("@hourly").next_after(utc(2025, 6, 1, 10, 0)), utc(2025, 6, 1, 11, 0));
  EXPECT_EQ(parse("@daily").next_after(utc(2025, 6, 1, 10, 0)), utc(2025, 6, 2, 0, 0));
  EXPECT_EQ(parse("@weekly").next_after(utc(2025, 6, 1, 10, 0)), utc(2025, 6, 8, 0, 0));
  EXPECT_EQ(parse("@monthly").next_after(utc(2025, 6, 1, 10, 0)), utc(2025, 7, 1, 0, 0));
  EXPECT_EQ(parse("@yearly").next_after(utc(2025, 6, 1, 10, 0)), utc(2026, 1, 1, 0, 0));
  EXPECT_EQ(parse("0 12 29 2 *").next_after(utc(2025, 3, 1, 0, 0)), utc(2028, 2, 29, 12, 0));
}

TEST(CronScheduleTest, EvaluatesInTheScheduleTimeZone) {
  // 09:00 in Tokyo (UTC+9, no DST) is 00:00 UTC.
  EXPECT_EQ(parse("0 9 * * *", "Asia/Tokyo").next_after(utc(2025, 6, 1, 1, 0)), utc(2025, 6, 2, 0, 0));
  // 09:00 in Paris in summer (UTC+2) is 07:00 UTC.
  EXPECT_EQ(parse("0 9 * * *", "Europe/Paris").next_after(utc(2025, 6, 1, 8, 0)), utc(2025, 6, 2, 7, 0));
}

TEST(CronScheduleTest, SpringForwardRunsASkippedTimeOnceAtTheNextValidInstant) {
  // Paris, 2025-03-30: 02:00 CET jumps to 03:00 CEST (01:00 UTC); 02:30 never happens that day.
  const CronSchedule daily = parse("30 2 * * *", "Europe/Paris");
  EXPECT_EQ(slots(daily, utc(2025, 3, 29, 12, 0), 2),
            (std::vector<std::int64_t>{utc(2025, 3, 30, 1, 0), utc(2025, 3, 31, 0, 30)}));
  // Every half hour: 02:00 and 02:30 (skipped) and 03:00 all fall on the jump instant, once.
  const CronSchedule half_hourly = parse("*/30 * * * *", "Europe/Paris");
  EXPECT_EQ(
      slots(half_hourly, utc(2025, 3, 30, 0, 15), 3),
      (std::vector<std::int64_t>{utc(2025, 3, 30, 0, 30), utc(2025, 3, 30, 1, 0), utc(2025, 3, 30, 1, 30)}));
  // New York, 2025-03-09: 02:30 EST is skipped; it runs at 03:00 EDT (07:00 UTC).
  EXPECT_EQ(parse("30 2 * * *", "America/New_York").next_after(utc(2025, 3, 8, 12, 0)),
            utc(2025, 3, 9, 7, 0));
}

TEST(CronScheduleTest, FallBackRunsARepeatedTimeOnce) {
  // Paris, 2025-10-26: 03:00 CEST goes back to 02:00 CET; 02:30 happens at 00:30 and 01:30 UTC.
  const CronSchedule daily = parse("30 2 * * *", "Europe/Paris");
  EXPECT_EQ(slots(daily, utc(2025, 10, 25, 12, 0), 2),
            (std::vector<std::int64_t>{utc(2025, 10, 26, 0, 30), utc(2025, 10, 27, 1, 30)}));
  // Hourly: 02:00 runs at its first occurrence (00:00 UTC), not again an hour later.
  const CronSchedule hourly = parse("0 * * * *", "Europe/Paris");
  EXPECT_EQ(
      slots(hourly, utc(2025, 10, 25, 23, 30), 3),
      (std::vector<std::int64_t>{utc(2025, 10, 26, 0, 0), utc(2025, 10, 26, 2, 0), utc(2025, 10, 26, 3, 0)}));
  // Computed from inside the repeated hour (a schedule created then), the passed slot is not rerun.
  EXPECT_EQ(daily.next_after(utc(2025, 10, 26, 1, 10)), utc(2025, 10, 27, 1, 30));
}

TEST(CronScheduleTest, SlotsAreStrictlyAfterAndOnWholeMinutes) {
  const CronSchedule every_minute = parse("* * * * *");
  EXPECT_EQ(every_minute.next_after(utc(2025, 6, 1, 10, 0)), utc(2025, 6, 1, 10, 1));
  EXPECT_EQ(every_minute.next_after(utc(2025, 6, 1, 10, 0) + 59'999), utc(2025, 6, 1, 10, 1));
  EXPECT_EQ(every_minute.next_after(utc(2025, 6, 1, 10, 0) - 1), utc(2025, 6, 1, 10, 0));
}

}  // namespace
}  // namespace personae

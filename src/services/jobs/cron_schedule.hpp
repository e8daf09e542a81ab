#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace date {
class time_zone;
}

namespace personae {

/// A 5-field cron expression (minute hour day-of-month month day-of-week) evaluated in an IANA
/// time zone, for recurring jobs.
///
/// Fields take `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/s`, `a-b/s` and `a/s` (a to the
/// field's end), month names JAN-DEC and day names SUN-SAT (any case); day-of-week 0 and 7 are
/// Sunday. As in Vixie cron, when both day fields are restricted (neither starts with `*`), a day
/// matches if either does. Macros: @yearly (@annually), @monthly, @weekly, @daily (@midnight),
/// @hourly.
///
/// Daylight-saving time: a wall-clock time skipped by a spring-forward runs once, at the instant
/// the clocks jumped (the next valid instant); a wall-clock time repeated by a fall-back runs once,
/// at its first occurrence. Slots come from the system's tz database (package tzdata) through
/// Howard Hinnant's date library.
class CronSchedule {
 public:
  /// kInvalidArgument with field errors ("cron", "time_zone") for a malformed expression, an
  /// unknown zone, or an expression that can never fire (30 February).
  static Result<CronSchedule> parse(std::string_view expression, std::string_view time_zone);

  /// The first slot strictly after `after_unix_ms`, in unix milliseconds (whole minutes); nullopt
  /// when none within the next eight years.
  std::optional<std::int64_t> next_after(std::int64_t after_unix_ms) const;

  const std::string& expression() const { return expression_; }
  const std::string& time_zone() const { return time_zone_; }

 private:
  CronSchedule() = default;
  bool matches_day(unsigned day_of_month, unsigned month, unsigned weekday) const;

  std::string expression_;
  std::string time_zone_;
  const date::time_zone* zone_ = nullptr;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // 1..31
  std::bitset<13> months_;         // 1..12
  std::bitset<7> days_of_week_;    // 0 = Sunday
  bool day_of_month_star_ = false;
  bool day_of_week_star_ = false;
};

}  // namespace personae

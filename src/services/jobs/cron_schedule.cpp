#include "services/jobs/cron_schedule.hpp"

#include <date/tz.h>

#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <vector>

namespace personae {
namespace {

constexpr std::array<std::string_view, 12> kMonthNames{"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDayNames{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct Field {
  std::string_view label;
  unsigned min;
  unsigned max;
  const std::string_view* names;  // nullptr, or names for min..min+count-1
  std::size_t name_count;
};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::optional<unsigned> parse_number(std::string_view text) {
  if (text.empty() || text.size() > 4) return std::nullopt;
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<unsigned> parse_value(std::string_view text, const Field& field) {
  if (const auto number = parse_number(text)) return number;
  if (field.names == nullptr || text.size() != 3) return std::nullopt;
  std::string lower;
  for (const char c : text) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (std::size_t i = 0; i < field.name_count; ++i) {
    if (field.names[i] == lower) return field.min + static_cast<unsigned>(i);
  }
  return std::nullopt;
}

// Parses one field into a bit mask over min..max; an error names what is wrong.
Result<std::uint64_t> parse_field(std::string_view text, const Field& field) {
  const auto fail = [&](const std::string& why) -> Result<std::uint64_t> {
    return tl::unexpected(
        Error{ErrorCode::kInvalidArgument,
              "the " + std::string(field.label) + " field \"" + std::string(text) + "\" " + why, ""});
  };
  std::uint64_t mask = 0;
  for (const std::string_view item : split(text, ',')) {
    const std::vector<std::string_view> parts = split(item, '/');
    if (parts.size() > 2 || parts.front().empty()) return fail("is malformed");
    unsigned step = 1;
    if (parts.size() == 2) {
      const auto parsed = parse_number(parts[1]);
      if (!parsed.has_value() || *parsed == 0 || *parsed > field.max - field.min + 1) {
        return fail("has a step outside 1-" + std::to_string(field.max - field.min + 1));
      }
      step = *parsed;
    }
    unsigned low = field.min;
    unsigned high = field.max;
    if (parts.front() != "*") {
      const std::vector<std::string_view> range = split(parts.front(), '-');
      if (range.size() > 2) return fail("is malformed");
      const auto first = parse_value(range[0], field);
      if (!first.has_value()) return fail("has an unknown value \"" + std::string(range[0]) + "\"");
      low = *first;
      if (range.size() == 2) {
        const auto last = parse_value(range[1], field);
        if (!last.has_value()) return fail("has an unknown value \"" + std::string(range[1]) + "\"");
        high = *last;
      } else if (parts.size() == 1) {
        high = low;  // a single value; "a/s" runs from a to the field's end
      }
      if (low < field.min || high > field.max || low > high) {
        return fail("has a value outside " + std::to_string(field.min) + "-" + std::to_string(field.max) +
                    " or a reversed range");
      }
    }
    for (unsigned value = low; value <= high; value += step) mask |= std::uint64_t{1} << value;
  }
  return mask;
}

std::string_view expand_macro(std::string_view expression) {
  if (expression == "@yearly" || expression == "@annually") return "0 0 1 1 *";
  if (expression == "@monthly") return "0 0 1 * *";
  if (expression == "@weekly") return "0 0 * * 0";
  if (expression == "@daily" || expression == "@midnight") return "0 0 * * *";
  if (expression == "@hourly") return "0 * * * *";
  return expression;
}

constexpr std::array<unsigned, 13> kMaxDaysInMonth{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

}  // namespace

Result<CronSchedule> CronSchedule::parse(std::string_view expression, std::string_view time_zone) {
  CronSchedule schedule;
  schedule.expression_ = std::string(expression);
  schedule.time_zone_ = std::string(time_zone);
  std::vector<FieldError> errors;
  try {
    if (!time_zone.empty() && time_zone.size() <= 64)
      schedule.zone_ = date::locate_zone(std::string(time_zone));
  } catch (const std::exception&) {
    schedule.zone_ = nullptr;  // unknown zone, or no tz database
  }
  if (schedule.zone_ == nullptr) errors.push_back({"time_zone", "is not a known IANA time zone"});

  std::vector<std::string_view> fields;
  const std::string_view expanded = expand_macro(expression);
  for (std::size_t at = 0; at < expanded.size();) {
    while (at < expanded.size() && std::isspace(static_cast<unsigned char>(expanded[at])) != 0) ++at;
    std::size_t end = at;
    while (end < expanded.size() && std::isspace(static_cast<unsigned char>(expanded[end])) == 0) ++end;
    if (end > at) fields.push_back(expanded.substr(at, end - at));
    at = end;
  }
  if (fields.size() != 5) {
    errors.push_back({"cron",
                      "must have 5 fields (minute hour day-of-month month day-of-week) or be a macro "
                      "such as @daily"});
    return tl::unexpected(invalid_fields(std::move(errors)));
  }
  const std::array<Field, 5> specs{Field{"minute", 0, 59, nullptr, 0}, Field{"hour", 0, 23, nullptr, 0},
                                   Field{"day-of-month", 1, 31, nullptr, 0},
                                   Field{"month", 1, 12, kMonthNames.data(), kMonthNames.size()},
                                   Field{"day-of-week", 0, 7, kDayNames.data(), kDayNames.size()}};
  std::array<std::uint64_t, 5> masks{};
  for (std::size_t i = 0; i < 5; ++i) {
    const Result<std::uint64_t> mask = parse_field(fields[i], specs[i]);
    if (!mask.has_value()) {
      errors.push_back({"cron", mask.error().message});
    } else {
      masks[i] = *mask;
    }
  }
  if (!errors.empty()) return tl::unexpected(invalid_fields(std::move(errors)));

  schedule.minutes_ = std::bitset<60>(masks[0]);
  schedule.hours_ = std::bitset<24>(masks[1]);
  schedule.days_of_month_ = std::bitset<32>(masks[2]);
  schedule.months_ = std::bitset<13>(masks[3]);
  // Day 7 is Sunday, like 0.
  schedule.days_of_week_ = std::bitset<7>((masks[4] & 0x7FU) | ((masks[4] >> 7U) & 1U));
  schedule.day_of_month_star_ = fields[2].front() == '*';
  schedule.day_of_week_star_ = fields[4].front() == '*';

  // A day-of-month that no selected month has (30 February) would never fire.
  if (schedule.day_of_month_star_ || schedule.day_of_week_star_) {
    bool possible = false;
    for (unsigned month = 1; month <= 12 && !possible; ++month) {
      if (!schedule.months_[month]) continue;
      for (unsigned day = 1; day <= kMaxDaysInMonth[month] && !possible; ++day)
        possible = schedule.days_of_month_[day];
    }
    if (!possible) {
      errors.push_back({"cron", "never fires: no selected month has the selected days"});
      return tl::unexpected(invalid_fields(std::move(errors)));
    }
  }
  return schedule;
}

bool CronSchedule::matches_day(unsigned day_of_month, unsigned month, unsigned weekday) const {
  if (!months_[month]) return false;
  const bool dom = days_of_month_[day_of_month];
  const bool dow = days_of_week_[weekday];
  return day_of_month_star_ || day_of_week_star_ ? dom && dow : dom || dow;
}

std::optional<std::int64_t> CronSchedule::next_after(std::int64_t after_unix_ms) const {
  using std::chrono::floor;
  const auto after = floor<std::chrono::seconds>(
      date::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(after_unix_ms)));
  const date::local_seconds local = zone_->to_local(after);
  date::local_days day = floor<date::days>(local);
  const auto start_minute = floor<std::chrono::minutes>(local - day).count();
  const date::local_days last = day + date::days(366 * 8 + 2);
  for (bool first_day = true; day <= last; day += date::days(1), first_day = false) {
    const date::year_month_day ymd(day);
    const date::weekday weekday(day);
    if (!matches_day(static_cast<unsigned>(ymd.day()), static_cast<unsigned>(ymd.month()),
                     weekday.c_encoding())) {
      continue;
    }
    for (int hour = 0; hour < 24; ++hour) {
      if (!hours_[static_cast<std::size_t>(hour)]) continue;
      for (int minute = 0; minute < 60; ++minute) {
        if (!minutes_[static_cast<std::size_t>(minute)]) continue;
        if (first_day && hour * 60 + minute < start_minute) continue;
        const date::local_seconds candidate = day + std::chrono::hours(hour) + std::chrono::minutes(minute);
        const date::local_info info = zone_->get_info(candidate);
        date::sys_seconds instant;
        switch (info.result) {
          case date::local_info::nonexistent:
            instant = info.second.begin;  // skipped by a spring-forward: the instant the clocks jumped
            break;
          case date::local_info::ambiguous:  // repeated by a fall-back: its first occurrence
          case date::local_info::unique:
          default: instant = date::sys_seconds(candidate.time_since_epoch()) - info.first.offset; break;
        }
        const std::int64_t instant_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(instant.time_since_epoch()).count();
        // Slots at or before `after` (the repeated hour's second pass among them) are passed.
        if (instant_ms > after_unix_ms) return instant_ms;
      }
    }
  }
  return std::nullopt;
}

}  // namespace personae

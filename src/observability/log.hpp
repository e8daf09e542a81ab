#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace personae::log {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format {
  kJson,  ///< one JSON object per line: {"ts","level","msg",...fields}
  kText,  ///< human-readable: "2026-11-25T10:00:00.123Z info msg key=value ..."
};

/// Sets the process-wide log level and format; logs go to standard error, buffered. Call early in
/// main, before threads start (it starts spdlog's periodic flusher). Until then, logs are JSON at
/// info level and unbuffered.
void configure(Level level, Format format);

/// Parses "debug", "info", "warn", "error". Throws std::invalid_argument otherwise.
Level parse_level(std::string_view text);

/// Structured log lines. `fields` must be a JSON object (or null). Every string is JSON-encoded, so
/// CR/LF or quotes in values cannot forge a log line. Never pass secrets.
void debug(std::string_view message, const nlohmann::json& fields = nullptr);
void info(std::string_view message, const nlohmann::json& fields = nullptr);
void warn(std::string_view message, const nlohmann::json& fields = nullptr);
void error(std::string_view message, const nlohmann::json& fields = nullptr);

bool enabled(Level level);

/// Writes buffered lines out now. Lines are otherwise flushed every second, on every warning or
/// error, and at normal exit.
void flush();

}  // namespace personae::log

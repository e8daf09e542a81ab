#include "observability/log.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace personae::log {
namespace {

std::atomic<Format> g_format{Format::kJson};

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> make_logger(Format format) {
  auto logger =
      std::make_shared<spdlog::logger>("personae", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  // The JSON envelope is in the pattern; the message is the rest of the object, already encoded.
  if (format == Format::kJson) {
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  }
  // Lines are buffered (one write per 64 KiB, not per line: the access log is on the hot path) and
  // flushed every second, at every warning or error, and at exit.
  logger->flush_on(spdlog::level::warn);
  return logger;
}

std::shared_ptr<spdlog::logger>& logger_instance() {
  static std::shared_ptr<spdlog::logger> logger = make_logger(Format::kJson);
  return logger;
}

std::string render(std::string_view message, const nlohmann::json& fields) {
  constexpr auto kReplaceInvalidUtf8 = nlohmann::json::error_handler_t::replace;
  if (g_format.load() == Format::kJson) {
    std::string line = "\"msg\":" + nlohmann::json(message).dump(-1, ' ', false, kReplaceInvalidUtf8);
    if (fields.is_object()) {
      for (const auto& [key, value] : fields.items()) {
        line += ',' + nlohmann::json(key).dump() + ':' + value.dump(-1, ' ', false, kReplaceInvalidUtf8);
      }
    }
    return line;
  }
  // Text: the message as-is would let CR/LF through, so it is encoded like the values.
  std::string line = nlohmann::json(message).dump(-1, ' ', false, kReplaceInvalidUtf8);
  line = line.substr(1, line.size() - 2);
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      line += ' ' + key + '=' + value.dump(-1, ' ', false, kReplaceInvalidUtf8);
    }
  }
  return line;
}

void write(Level level, std::string_view message, const nlohmann::json& fields) {
  auto& logger = logger_instance();
  const auto spd_level = to_spdlog(level);
  if (!logger->should_log(spd_level)) return;
  logger->log(spd_level, "{}", render(message, fields));
}

}  // namespace

void configure(Level level, Format format) {
  static bool buffered = [] {
    static std::array<char, 64 * 1024> buffer;
    std::setvbuf(stderr, buffer.data(), _IOFBF, buffer.size());
    return true;
  }();
  (void)buffered;
  g_format.store(format);
  auto logger = make_logger(format);
  logger->set_level(to_spdlog(level));
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
  logger_instance() = std::move(logger);
}

void flush() {
  logger_instance()->flush();
}

Level parse_level(std::string_view text) {
  if (text == "debug") return Level::kDebug;
  if (text == "info") return Level::kInfo;
  if (text == "warn") return Level::kWarn;
  if (text == "error") return Level::kError;
  throw std::invalid_argument("expected one of debug, info, warn, error");
}

bool enabled(Level level) {
  return logger_instance()->should_log(to_spdlog(level));
}

void debug(std::string_view message, const nlohmann::json& fields) {
  write(Level::kDebug, message, fields);
}
void info(std::string_view message, const nlohmann::json& fields) {
  write(Level::kInfo, message, fields);
}
void warn(std::string_view message, const nlohmann::json& fields) {
  write(Level::kWarn, message, fields);
}
void error(std::string_view message, const nlohmann::json& fields) {
  write(Level::kError, message, fields);
}

}  // namespace personae::log

#include "observability/log.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace personae::log {
namespace {

TEST(LogLevel, ParsesKnownNamesAndRejectsOthers) {
  EXPECT_EQ(parse_level("debug"), Level::kDebug);
  EXPECT_EQ(parse_level("info"), Level::kInfo);
  EXPECT_EQ(parse_level("warn"), Level::kWarn);
  EXPECT_EQ(parse_level("error"), Level::kError);
  EXPECT_THROW(parse_level("verbose"), std::invalid_argument);
  EXPECT_THROW(parse_level("INFO"), std::invalid_argument);
}

TEST(LogJson, EncodesControlCharactersSoALineCannotBeForged) {
  testing::internal::CaptureStderr();
  configure(Level::kInfo, Format::kJson);
  info("fan said\r\n{\"level\":\"error\"}", {{"value", "a\nb"}});
  flush();
  const std::string output = testing::internal::GetCapturedStderr();
  ASSERT_FALSE(output.empty());
  // Exactly one line: the embedded CR/LF were escaped.
  EXPECT_EQ(output.find('\n'), output.size() - 1);
  const auto parsed = nlohmann::json::parse(output);
  EXPECT_EQ(parsed["level"], "info");
  EXPECT_EQ(parsed["msg"], "fan said\r\n{\"level\":\"error\"}");
  EXPECT_EQ(parsed["value"], "a\nb");
  EXPECT_TRUE(parsed.contains("ts"));
}

TEST(LogLevelFilter, DropsLinesBelowTheLevel) {
  testing::internal::CaptureStderr();
  configure(Level::kWarn, Format::kJson);
  info("hidden");
  warn("shown");
  flush();
  const std::string output = testing::internal::GetCapturedStderr();
  EXPECT_EQ(output.find("hidden"), std::string::npos);
  EXPECT_NE(output.find("shown"), std::string::npos);
  configure(Level::kInfo, Format::kJson);
}

}  // namespace
}  // namespace personae::log

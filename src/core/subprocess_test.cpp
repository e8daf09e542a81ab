#include "core/subprocess.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace personae {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(RunProgramTest, ReportsTheExitStatusAndStandardError) {
  const auto result = run_program({"/bin/sh", "-c", "echo out; echo oops >&2; exit 3"}, {}, 10s);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->exit_status, 3);
  EXPECT_EQ(result->standard_error, "oops\n");
}

TEST(RunProgramTest, PassesArgumentsWithoutAShellAndAddsTheEnvironment) {
  const auto result =
      run_program({"/bin/sh", "-c", "printf '%s|%s' \"$1\" \"$EXTRA\" >&2", "sh", "$(touch /tmp/x); *"},
                  {{"EXTRA", "from the caller"}}, 10s);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->standard_error, "$(touch /tmp/x); *|from the caller");
}

TEST(RunProgramTest, FindsProgramsOnThePathAndNamesMissingOnes) {
  const auto found = run_program({"true"}, {}, 10s);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->exit_status, 0);
  const auto missing = run_program({"personae-no-such-program"}, {}, 10s);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(missing.error().message, HasSubstr("personae-no-such-program"));
}

TEST(RunProgramTest, KillsAProgramThatOutlivesItsDeadline) {
  const auto started = std::chrono::steady_clock::now();
  const auto slow = run_program({"/bin/sleep", "30"}, {}, 300ms);
  ASSERT_FALSE(slow.has_value());
  EXPECT_EQ(slow.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
  // Also when it closed its standard error early and keeps running.
  const auto silent = run_program({"/bin/sh", "-c", "exec 2>&-; sleep 30"}, {}, 300ms);
  ASSERT_FALSE(silent.has_value());
  EXPECT_EQ(silent.error().code, ErrorCode::kDeadlineExceeded);
}

TEST(RunProgramTest, ReportsADeathBySignal) {
  const auto killed = run_program({"/bin/sh", "-c", "kill -TERM $$"}, {}, 10s);
  ASSERT_TRUE(killed.has_value());
  EXPECT_EQ(killed->exit_status, 128 + 15);
}

TEST(RunProgramTest, KeepsOnlyTheEndOfAHugeStandardError) {
  const auto noisy =
      run_program({"/bin/sh", "-c", "yes error-line | head -c 300000 >&2; echo last >&2"}, {}, 30s);
  ASSERT_TRUE(noisy.has_value());
  EXPECT_LE(noisy->standard_error.size(), 64U * 1024U);
  EXPECT_THAT(noisy->standard_error, ::testing::EndsWith("last\n"));
}

TEST(RunProgramTest, RefusesAnEmptyCommand) {
  EXPECT_EQ(run_program({}, {}, 1s).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace personae

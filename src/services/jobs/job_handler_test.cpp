#include "services/jobs/job_handler.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace personae {
namespace {

TEST(JobContextTest, KeepsTheFirstCancelReasonAndWakesWaiters) {
  JobContext context(2, 5, "w-1");
  EXPECT_EQ(context.attempt(), 2);
  EXPECT_EQ(context.attempt_number(), 5);
  EXPECT_FALSE(context.cancelled());
  EXPECT_FALSE(context.wait_for_cancellation(std::chrono::milliseconds(1)));
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    context.cancel(CancelReason::kCancelled);
  });
  EXPECT_TRUE(context.wait_for_cancellation(std::chrono::seconds(30)));
  canceller.join();
  context.cancel(CancelReason::kLeaseLost);
  EXPECT_EQ(context.cancel_reason(), CancelReason::kCancelled);
}

TEST(JobContextTest, ProgressIsTakenOnce) {
  JobContext context(1, 1, "w-1");
  EXPECT_FALSE(context.take_progress().has_value());
  context.report_progress(R"({"step":1})");
  context.report_progress(R"({"step":2})");
  EXPECT_EQ(context.take_progress(), R"({"step":2})");
  EXPECT_FALSE(context.take_progress().has_value());
}

TEST(JobHandlerRegistryTest, FindsHandlersByKindAndRefusesDuplicates) {
  JobHandlerRegistry registry;
  registry.add("noop", [](const Job&, JobContext&) -> Result<std::string> { return "null"; });
  EXPECT_THROW(registry.add("noop", [](const Job&, JobContext&) -> Result<std::string> { return "1"; }),
               std::invalid_argument);
  EXPECT_THROW(registry.add("empty", JobHandler()), std::invalid_argument);
  ASSERT_NE(registry.find("noop"), nullptr);
  EXPECT_EQ(registry.find("other"), nullptr);
  EXPECT_EQ(registry.kinds(), std::vector<std::string>{"noop"});
  Job job;
  JobContext context(1, 1, "w");
  EXPECT_EQ((*registry.find("noop"))(job, context).value(), "null");
}

}  // namespace
}  // namespace personae

#include "services/jobs/job_handler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
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

TEST(JobContextTest, OnCancelRunsAtOnceWhenAlreadyCancelled) {
  JobContext context(1, 1, "w-1");
  context.cancel(CancelReason::kShutdown);
  int calls = 0;
  const auto subscription = context.on_cancel([&] { ++calls; });
  EXPECT_EQ(calls, 1);
  context.cancel(CancelReason::kCancelled);  // a second cancel runs nothing again
  EXPECT_EQ(calls, 1);
}

TEST(JobContextTest, OnCancelRunsOnceWhenCancelledFromAnotherThread) {
  JobContext context(1, 1, "w-1");
  std::atomic<int> calls{0};
  std::atomic<std::thread::id> ran_on{};
  const auto subscription = context.on_cancel([&] {
    ran_on = std::this_thread::get_id();
    ++calls;
  });
  EXPECT_EQ(calls.load(), 0);
  std::thread::id canceller_id;
  std::thread canceller([&] {
    canceller_id = std::this_thread::get_id();
    context.cancel(CancelReason::kLeaseLost);
    context.cancel(CancelReason::kCancelled);
  });
  canceller.join();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(ran_on.load(), canceller_id);
  EXPECT_EQ(context.cancel_reason(), CancelReason::kLeaseLost);
}

TEST(JobContextTest, AnUnsubscribedCallbackIsNotCalled) {
  JobContext context(1, 1, "w-1");
  int dropped = 0;
  int kept = 0;
  auto subscription = context.on_cancel([&] { ++dropped; });
  {
    const auto scoped = context.on_cancel([&] { ++dropped; });
  }
  const auto other = context.on_cancel([&] { ++kept; });
  subscription.reset();
  subscription.reset();  // idempotent
  context.cancel(CancelReason::kCancelled);
  EXPECT_EQ(dropped, 0);
  EXPECT_EQ(kept, 1);
}

TEST(JobContextTest, MovedSubscriptionsUnregisterOnce) {
  JobContext context(1, 1, "w-1");
  int calls = 0;
  CancelSubscription outer;
  {
    auto inner = context.on_cancel([&] { ++calls; });
    outer = std::move(inner);
  }
  context.cancel(CancelReason::kCancelled);  // the moved-from one did not unregister it
  EXPECT_EQ(calls, 1);
}

TEST(JobContextTest, UnsubscribingWaitsForACallbackRunningOnTheCancellingThread) {
  JobContext context(1, 1, "w-1");
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  auto subscription = context.on_cancel([&] {
    started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    finished = true;
  });
  std::thread canceller([&] { context.cancel(CancelReason::kCancelled); });
  while (!started) std::this_thread::yield();
  subscription.reset();
  // Once reset() returned the callback no longer runs: what it references may go away.
  EXPECT_TRUE(finished.load());
  canceller.join();
}

TEST(JobContextTest, ACallbackMayUnsubscribeItselfAndUseTheContext) {
  JobContext context(1, 1, "w-1");
  CancelSubscription subscription;
  bool saw_cancelled = false;
  subscription = context.on_cancel([&] {
    saw_cancelled = context.cancelled();
    subscription.reset();  // on the cancelling thread: must not wait for itself
  });
  context.cancel(CancelReason::kCancelled);
  EXPECT_TRUE(saw_cancelled);
}

TEST(JobContextTest, AThrowingCallbackDoesNotStopTheOthers) {
  JobContext context(1, 1, "w-1");
  int calls = 0;
  const auto first = context.on_cancel([] { throw std::runtime_error("boom"); });
  const auto second = context.on_cancel([&] { ++calls; });
  context.cancel(CancelReason::kCancelled);
  EXPECT_EQ(calls, 1);
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

#include "observability/metrics.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

namespace personae::observability {
namespace {

TEST(MetricsRender, CounterAndGaugeInExactTextFormat) {
  MetricsRegistry registry;
  auto& requests = registry.counter("app_requests_total", "Requests served.", {"method", "status"});
  requests.labels({"GET", "200"}).inc();
  requests.labels({"GET", "200"}).inc(2);
  requests.labels({"POST", "201"}).inc();
  registry.gauge("app_temperature", "Current temperature.").labels({}).set(-1.5);

  EXPECT_EQ(registry.render(),
            "# HELP app_requests_total Requests served.\n"
            "# TYPE app_requests_total counter\n"
            "app_requests_total{method=\"GET\",status=\"200\"} 3\n"
            "app_requests_total{method=\"POST\",status=\"201\"} 1\n"
            "# HELP app_temperature Current temperature.\n"
            "# TYPE app_temperature gauge\n"
            "app_temperature -1.5\n");
}

TEST(MetricsRender, UnlabelledFamiliesShowZeroBeforeFirstUse) {
  MetricsRegistry registry;
  registry.counter("jobs_total", "Jobs.");
  EXPECT_EQ(registry.render(), "# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total 0\n");
}

TEST(MetricsRender, HistogramHasCumulativeBucketsSumAndCount) {
  MetricsRegistry registry;
  auto& latency = registry.histogram("op_seconds", "Operation latency.", {"op"}, {0.005, 0.1, 1});
  auto& reads = latency.labels({"read"});
  reads.observe(0.001);
  reads.observe(0.005);  // on the bound: counts in that bucket (le is inclusive)
  reads.observe(0.5);
  reads.observe(30);

  EXPECT_EQ(registry.render(),
            "# HELP op_seconds Operation latency.\n"
            "# TYPE op_seconds histogram\n"
            "op_seconds_bucket{op=\"read\",le=\"0.005\"} 2\n"
            "op_seconds_bucket{op=\"read\",le=\"0.1\"} 2\n"
            "op_seconds_bucket{op=\"read\",le=\"1\"} 3\n"
            "op_seconds_bucket{op=\"read\",le=\"+Inf\"} 4\n"
            "op_seconds_sum{op=\"read\"} 30.506\n"
            "op_seconds_count{op=\"read\"} 4\n");
}

TEST(MetricsRender, UnlabelledHistogramPutsLeAlone) {
  MetricsRegistry registry;
  registry.histogram("size_bytes", "Sizes.", {}, {10}).labels({}).observe(3);
  EXPECT_EQ(registry.render(),
            "# HELP size_bytes Sizes.\n# TYPE size_bytes histogram\n"
            "size_bytes_bucket{le=\"10\"} 1\nsize_bytes_bucket{le=\"+Inf\"} 1\n"
            "size_bytes_sum 3\nsize_bytes_count 1\n");
}

TEST(MetricsRender, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  registry.counter("odd_total", "Line one\nback\\slash", {"path"}).labels({"a\"b\\c\nd"}).inc();
  EXPECT_EQ(registry.render(),
            "# HELP odd_total Line one\\nback\\\\slash\n"
            "# TYPE odd_total counter\n"
            "odd_total{path=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsRender, CallbackGaugesAreReadAtScrapeTime) {
  MetricsRegistry registry;
  double in_use = 2;
  auto& pool = registry.callback_gauge("db_pool_connections", "Pool connections.", {"state"});
  pool.set({"in_use"}, [&in_use] { return in_use; });
  pool.set({"idle"}, [] { return 3.0; });
  in_use = 4;
  EXPECT_EQ(registry.render(),
            "# HELP db_pool_connections Pool connections.\n# TYPE db_pool_connections gauge\n"
            "db_pool_connections{state=\"idle\"} 3\ndb_pool_connections{state=\"in_use\"} 4\n");
}

TEST(MetricsValues, FormatsSpecialValues) {
  EXPECT_EQ(format_metric_value(0.0005), "0.0005");
  EXPECT_EQ(format_metric_value(10), "10");
  EXPECT_EQ(format_metric_value(2.5e-9), "2.5e-09");
  EXPECT_EQ(format_metric_value(0), "0");
  EXPECT_EQ(format_metric_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_metric_value(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(format_metric_value(0.0 / 0.0), "NaN");
}

TEST(MetricsRegistration, SameFamilyTwiceIsTheSameObjectAndClashesThrow) {
  MetricsRegistry registry;
  auto& first = registry.counter("hits_total", "Hits.", {"route"});
  EXPECT_EQ(&first, &registry.counter("hits_total", "Hits.", {"route"}));
  EXPECT_THROW(registry.counter("hits_total", "Hits.", {"other"}), std::invalid_argument);
  EXPECT_THROW(registry.gauge("hits_total", "Hits.", {"route"}), std::invalid_argument);
  EXPECT_THROW(registry.counter("bad-name", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok_total", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "x", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "x", {}, {2, 1}), std::invalid_argument);
  EXPECT_THROW(first.labels({"a", "b"}), std::invalid_argument);
}

TEST(MetricsCounter, IgnoresNegativeIncrements) {
  Counter counter;
  counter.inc(-5);
  counter.inc(2);
  EXPECT_EQ(counter.value(), 2);
}

TEST(MetricsConcurrency, ParallelIncrementsCreationAndScrapesAreExact) {
  MetricsRegistry registry;
  auto& family = registry.counter("work_total", "Work.", {"worker"});
  auto& histogram = registry.histogram("work_seconds", "Work time.", {}, {0.5}).labels({});
  constexpr int kThreads = 8;
  constexpr int kIterations = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto& own = family.labels({std::to_string(t)});
      for (int i = 0; i < kIterations; ++i) {
        own.inc();
        family.labels({"shared"}).inc();
        histogram.observe(i % 2 == 0 ? 0.25 : 1.0);
        if (i % 1000 == 0) {
          EXPECT_FALSE(registry.render().empty());
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(family.labels({"shared"}).value(), kThreads * kIterations);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(family.labels({std::to_string(t)}).value(), kIterations);
  const auto snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.count, static_cast<std::uint64_t>(kThreads * kIterations));
  EXPECT_EQ(snapshot.cumulative[0], static_cast<std::uint64_t>(kThreads * kIterations / 2));
}

}  // namespace
}  // namespace personae::observability

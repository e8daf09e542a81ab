#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace personae::observability {

/// A monotonically increasing value. Lock-free; safe from any thread.
class Counter {
 public:
  /// Adds `amount`; a negative or NaN amount is ignored (a counter never goes down).
  void inc(double amount = 1.0) noexcept;
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

/// A value that goes up and down. Lock-free; safe from any thread.
class Gauge {
 public:
  void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
  void inc(double amount = 1.0) noexcept { value_.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1.0) noexcept { value_.fetch_add(-amount, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

/// Counts observations into fixed buckets. Lock-free; safe from any thread.
class Histogram {
 public:
  /// `bounds` are the buckets' inclusive upper bounds, strictly increasing; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);

  void observe(double value) noexcept;

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  ///< one per bound, then +Inf (== count)
    double sum = 0.0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  ///< bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0.0};
};

/// What every family shares: a name, a help text and label names.
class MetricFamily {
 public:
  virtual ~MetricFamily() = default;
  MetricFamily(const MetricFamily&) = delete;
  MetricFamily& operator=(const MetricFamily&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  virtual std::string_view type() const = 0;
  /// Appends the HELP, TYPE and sample lines in the Prometheus text format 0.0.4.
  virtual void render(std::string& out) const = 0;

 protected:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names);
  /// Throws std::invalid_argument unless there is one value per label name.
  std::vector<std::string> label_values(std::initializer_list<std::string_view> values) const;
  void render_header(std::string& out) const;
  /// `name{a="x",b="y"` (no closing brace; the caller may add "le") or just `name` without labels.
  void render_series_name(std::string& out, std::string_view suffix,
                          const std::vector<std::string>& values) const;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

/// A family of series of one kind, one series per distinct set of label values.
template <class Series>
class SeriesFamily : public MetricFamily {
 public:
  /// The series for `values` (one per label name, in order), created on first use. The reference
  /// stays valid for the registry's lifetime: hot paths look it up once and keep it. Takes a
  /// shared lock (an exclusive one only to create the series).
  Series& labels(std::initializer_list<std::string_view> values) {
    auto key = label_values(values);
    {
      std::shared_lock lock(mutex_);
      const auto found = series_.find(key);
      if (found != series_.end()) return *found->second;
    }
    std::unique_lock lock(mutex_);
    auto& slot = series_[std::move(key)];
    if (!slot) slot = make_series();
    return *slot;
  }

 protected:
  using MetricFamily::MetricFamily;
  virtual std::unique_ptr<Series> make_series() const = 0;
  /// HELP, TYPE and one `name{labels} value` line per series (counters and gauges).
  void render_scalar_series(std::string& out) const;

  mutable std::shared_mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Series>> series_;
};

class CounterFamily final : public SeriesFamily<Counter> {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
  std::string_view type() const override { return "counter"; }
  void render(std::string& out) const override;

 private:
  std::unique_ptr<Counter> make_series() const override { return std::make_unique<Counter>(); }
};

class GaugeFamily final : public SeriesFamily<Gauge> {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);
  std::string_view type() const override { return "gauge"; }
  void render(std::string& out) const override;

 private:
  std::unique_ptr<Gauge> make_series() const override { return std::make_unique<Gauge>(); }
};

class HistogramFamily final : public SeriesFamily<Histogram> {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds);
  std::string_view type() const override { return "histogram"; }
  void render(std::string& out) const override;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::unique_ptr<Histogram> make_series() const override { return std::make_unique<Histogram>(bounds_); }
  std::vector<double> bounds_;
};

/// Gauges read at scrape time (pool usage, queue depth). The callbacks run inside render(), on the
/// scraping thread, under this family's lock: they must be quick, thread-safe, must not call into
/// the registry, and must stay valid for as long as render() may be called.
class CallbackGaugeFamily final : public MetricFamily {
 public:
  CallbackGaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);
  std::string_view type() const override { return "gauge"; }
  void render(std::string& out) const override;

  /// Sets (or replaces) the callback of the series `values`.
  void set(std::initializer_list<std::string_view> values, std::function<double()> read);

 private:
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::function<double()>> series_;
};

/// Every metric of the process. Made once in main and passed by reference to whatever records
/// metrics; no global instance. Registering is rare and takes a lock; recording on a series
/// reference is lock-free. Asking again for a family with the same name, kind and labels returns
/// the existing one; a clash (other kind, labels or buckets) throws std::invalid_argument, as does
/// an invalid metric or label name.
class MetricsRegistry {
 public:
  CounterFamily& counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  GaugeFamily& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  HistogramFamily& histogram(std::string name, std::string help, std::vector<std::string> label_names,
                             std::vector<double> bounds);
  CallbackGaugeFamily& callback_gauge(std::string name, std::string help,
                                      std::vector<std::string> label_names = {});

  /// Every family, sorted by name, in the Prometheus text exposition format 0.0.4
  /// (`text/plain; version=0.0.4; charset=utf-8`).
  std::string render() const;

 private:
  template <class Family, class... Args>
  Family& get_or_add(std::string name, std::string help, std::vector<std::string> label_names,
                     Args&&... args);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<MetricFamily>, std::less<>> families_;
};

/// The content type of MetricsRegistry::render().
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

/// Formats a sample value as Prometheus expects: shortest round-trip decimal, "+Inf", "-Inf", "NaN".
std::string format_metric_value(double value);

}  // namespace personae::observability

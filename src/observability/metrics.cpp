#include "observability/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace personae::observability {
namespace {

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void append_escaped_help(std::string& out, std::string_view help) {
  for (const char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

}  // namespace

std::string format_metric_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[128];
  // Shortest round-trip digits; plain decimals in the usual range, so that bucket labels read
  // le="0.0005" as dashboards and other exporters spell them, not le="5e-04".
  const double magnitude = std::fabs(value);
  const bool plain = magnitude == 0.0 || (magnitude >= 1e-6 && magnitude < 1e15);
  const auto result = plain ? std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed)
                            : std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

void Counter::inc(double amount) noexcept {
  if (!(amount >= 0.0)) return;
  value_.fetch_add(amount, std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::observe(double value) noexcept {
  const std::size_t index =
      std::isnan(value) ? bounds_.size()
                        : static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                                   bounds_.begin());
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  snapshot.bounds = bounds_;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(running);
  }
  // The count is the +Inf bucket, so that the two always agree even while observations land.
  snapshot.count = running;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

MetricFamily::MetricFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {
  if (!valid_metric_name(name_)) throw std::invalid_argument("invalid metric name '" + name_ + "'");
  for (const auto& label : label_names_) {
    if (!valid_label_name(label))
      throw std::invalid_argument("metric " + name_ + ": invalid label name '" + label + "'");
    if (std::count(label_names_.begin(), label_names_.end(), label) > 1) {
      throw std::invalid_argument("metric " + name_ + ": label '" + label + "' repeated");
    }
  }
}

std::vector<std::string> MetricFamily::label_values(std::initializer_list<std::string_view> values) const {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument("metric " + name_ + ": expected " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(values.size()));
  }
  return std::vector<std::string>(values.begin(), values.end());
}

void MetricFamily::render_header(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  append_escaped_help(out, help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += type();
  out += '\n';
}

void MetricFamily::render_series_name(std::string& out, std::string_view suffix,
                                      const std::vector<std::string>& values) const {
  out += name_;
  out += suffix;
  if (values.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += label_names_[i];
    out += "=\"";
    append_escaped_label_value(out, values[i]);
    out += '"';
  }
}

template <class Series>
void SeriesFamily<Series>::render_scalar_series(std::string& out) const {
  render_header(out);
  std::shared_lock lock(mutex_);
  for (const auto& [values, series] : series_) {
    render_series_name(out, "", values);
    if (!values.empty()) out += '}';
    out += ' ' + format_metric_value(series->value()) + '\n';
  }
}
template void SeriesFamily<Counter>::render_scalar_series(std::string& out) const;
template void SeriesFamily<Gauge>::render_scalar_series(std::string& out) const;

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : SeriesFamily(std::move(name), std::move(help), std::move(label_names)) {
  if (this->label_names().empty()) labels({});
}

void CounterFamily::render(std::string& out) const {
  render_scalar_series(out);
}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : SeriesFamily(std::move(name), std::move(help), std::move(label_names)) {
  if (this->label_names().empty()) labels({});
}

void GaugeFamily::render(std::string& out) const {
  render_scalar_series(out);
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                                 std::vector<double> bounds)
    : SeriesFamily(std::move(name), std::move(help), std::move(label_names)), bounds_(std::move(bounds)) {
  for (const auto& label : this->label_names()) {
    if (label == "le")
      throw std::invalid_argument("histogram " + this->name() + ": 'le' is a reserved label");
  }
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]) || (i > 0 && bounds_[i] <= bounds_[i - 1])) {
      throw std::invalid_argument("histogram " + this->name() +
                                  ": buckets must be finite and strictly increasing");
    }
  }
  if (this->label_names().empty()) labels({});
}

void HistogramFamily::render(std::string& out) const {
  render_header(out);
  std::shared_lock lock(mutex_);
  for (const auto& [values, series] : series_) {
    const auto snapshot = series->snapshot();
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      render_series_name(out, "_bucket", values);
      out += values.empty() ? "{le=\"" : ",le=\"";
      out += i < bounds_.size() ? format_metric_value(bounds_[i]) : "+Inf";
      out += "\"} " + std::to_string(snapshot.cumulative[i]) + '\n';
    }
    render_series_name(out, "_sum", values);
    if (!values.empty()) out += '}';
    out += ' ' + format_metric_value(snapshot.sum) + '\n';
    render_series_name(out, "_count", values);
    if (!values.empty()) out += '}';
    out += ' ' + std::to_string(snapshot.count) + '\n';
  }
}

CallbackGaugeFamily::CallbackGaugeFamily(std::string name, std::string help,
                                         std::vector<std::string> label_names)
    : MetricFamily(std::move(name), std::move(help), std::move(label_names)) {}

void CallbackGaugeFamily::set(std::initializer_list<std::string_view> values, std::function<double()> read) {
  auto key = label_values(values);
  if (!read) throw std::invalid_argument("callback gauge " + name() + ": empty callback");
  std::lock_guard lock(mutex_);
  series_[std::move(key)] = std::move(read);
}

void CallbackGaugeFamily::render(std::string& out) const {
  render_header(out);
  std::lock_guard lock(mutex_);
  for (const auto& [values, read] : series_) {
    render_series_name(out, "", values);
    if (!values.empty()) out += '}';
    out += ' ' + format_metric_value(read()) + '\n';
  }
}

template <class Family, class... Args>
Family& MetricsRegistry::get_or_add(std::string name, std::string help, std::vector<std::string> label_names,
                                    Args&&... args) {
  auto family = std::make_unique<Family>(std::move(name), std::move(help), std::move(label_names),
                                         std::forward<Args>(args)...);
  std::lock_guard lock(mutex_);
  const auto found = families_.find(family->name());
  if (found == families_.end()) {
    auto& added = *family;
    families_.emplace(family->name(), std::move(family));
    return added;
  }
  auto* existing = dynamic_cast<Family*>(found->second.get());
  bool same = existing != nullptr && existing->label_names() == family->label_names();
  if constexpr (std::is_same_v<Family, HistogramFamily>) {
    same = same && existing->bounds() == family->bounds();
  }
  if (!same) {
    throw std::invalid_argument("metric " + family->name() +
                                " is already registered with another kind, labels or buckets");
  }
  return *existing;
}

CounterFamily& MetricsRegistry::counter(std::string name, std::string help,
                                        std::vector<std::string> label_names) {
  return get_or_add<CounterFamily>(std::move(name), std::move(help), std::move(label_names));
}

GaugeFamily& MetricsRegistry::gauge(std::string name, std::string help,
                                    std::vector<std::string> label_names) {
  return get_or_add<GaugeFamily>(std::move(name), std::move(help), std::move(label_names));
}

HistogramFamily& MetricsRegistry::histogram(std::string name, std::string help,
                                            std::vector<std::string> label_names,
                                            std::vector<double> bounds) {
  return get_or_add<HistogramFamily>(std::move(name), std::move(help), std::move(label_names),
                                     std::move(bounds));
}

CallbackGaugeFamily& MetricsRegistry::callback_gauge(std::string name, std::string help,
                                                     std::vector<std::string> label_names) {
  return get_or_add<CallbackGaugeFamily>(std::move(name), std::move(help), std::move(label_names));
}

std::string MetricsRegistry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& [name, family] : families_) family->render(out);
  return out;
}

}  // namespace personae::observability

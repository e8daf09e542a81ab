#pragma once

// Helpers of the deployment checks: the repository's files, external tools, YAML as Docker Compose
// reads it (merge keys, ${VAR} interpolation), PromQL metric names and the Prometheus text format.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/child_process.hpp"

namespace personae::deploy_test {

/// The repository root (compiled in by CMake).
std::filesystem::path source_dir();
/// `source_dir() / relative`.
std::filesystem::path repo_path(const std::string& relative);
/// The whole file; throws when it cannot be read.
std::string read_text(const std::filesystem::path& path);
void write_text(const std::filesystem::path& path, const std::string& text);

/// The absolute path of `name` found on PATH, or nullopt.
std::optional<std::string> find_program(const std::string& name);
/// Runs a command (arguments[0] looked up on PATH unless it holds a '/'); throws when the program
/// is not installed, naming it and the Debian package that brings it (`package`).
testing::CommandResult run(std::vector<std::string> arguments, const std::string& package,
                           const std::map<std::string, std::string>& environment = {},
                           const std::filesystem::path& working_directory = {},
                           std::chrono::milliseconds timeout = std::chrono::seconds(60));

// --- YAML as Docker Compose reads it --------------------------------------------------------------

/// A deep copy of `node` with YAML merge keys ("<<: *anchor", also a list of anchors) applied:
/// yaml-cpp keeps "<<" as an ordinary key. Keys written beside "<<" win over merged ones.
YAML::Node resolve_merge_keys(const YAML::Node& node);
/// Compose interpolation of one string: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
/// ${VAR:?message}, ${VAR?message}. Names missing from `variables` (and without a default) are
/// added to `missing` and become "".
std::string interpolate(const std::string& text, const std::map<std::string, std::string>& variables,
                        std::set<std::string>* missing = nullptr);
/// Every scalar of `node` interpolated (keys too, as Compose does for label and environment keys).
YAML::Node interpolate_node(const YAML::Node& node, const std::map<std::string, std::string>& variables,
                            std::set<std::string>* missing = nullptr);
/// The variables a Compose file names, with the default each one has there (empty when none).
std::map<std::string, std::optional<std::string>> referenced_variables(const std::string& text);

/// KEY=value lines of a .env file; comments and blank lines skipped.
std::map<std::string, std::string> parse_dotenv(const std::string& text);

/// A string map's value, or "" (const access: yaml-cpp's non-const operator[] inserts keys).
std::string scalar(const YAML::Node& map, const std::string& key);
bool has_key(const YAML::Node& map, const std::string& key);

// --- Prometheus -----------------------------------------------------------------------------------

/// The metric names a PromQL expression selects (function, aggregation and keyword names, label
/// names, strings, durations, numbers and Grafana variables are not metric names).
std::set<std::string> promql_metric_names(std::string_view expression);

/// One metric family of the text exposition format: its TYPE (counter, gauge, histogram, summary,
/// untyped).
using MetricFamilies = std::map<std::string, std::string>;
/// The families of a /metrics body, from its "# TYPE" lines (and untyped samples).
MetricFamilies parse_metric_families(const std::string& exposition);
/// "" when `name` (as written in a query) is an exported series of `families`, else why not:
/// unknown, or a histogram/summary used by its bare name, or _bucket on a non-histogram.
std::string check_metric_name(const std::string& name, const MetricFamilies& families);

/// The /metrics bodies of the deployment's two long-running Personae processes, started once per
/// test program on loopback with a fresh SQLite data folder and configured as the compose stack
/// configures them: `personae serve` with jobs left to the workers, `personae worker`, both with an
/// Ollama provider. Families are registered at start-up, so their "# TYPE" lines are there before
/// any request, job or LLM call has produced a sample: the checks compare families, not samples.
struct LiveMetrics {
  std::string api;     ///< `personae serve`
  std::string worker;  ///< `personae worker`
};
const LiveMetrics& live_metrics();
/// The families of both processes.
MetricFamilies live_metric_families();

// --- Dockerfile -----------------------------------------------------------------------------------

struct DockerInstruction {
  std::string keyword;    ///< upper case: FROM, RUN, COPY, ...
  std::string arguments;  ///< continuation lines joined with spaces, comments dropped
  int line = 0;           ///< where it starts (1-based)
};
struct DockerStage {
  std::string image;                            ///< FROM's image with the global ARG defaults substituted
  std::string name;                             ///< "AS name", or ""
  std::vector<DockerInstruction> instructions;  ///< after FROM
};
struct Dockerfile {
  std::map<std::string, std::string> global_arguments;  ///< ARG before the first FROM, with defaults
  std::vector<DockerStage> stages;
};
Dockerfile parse_dockerfile(const std::string& text);
/// The ENV of a stage: "ENV A=1 B=2" and "ENV A 1" forms, quotes removed.
std::map<std::string, std::string> stage_environment(const DockerStage& stage);
/// Whitespace-separated words, with "..." and '...' kept together (quotes removed).
std::vector<std::string> split_words(const std::string& text);

}  // namespace personae::deploy_test

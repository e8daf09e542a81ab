// Prometheus and Grafana: promtool validates the configuration; every metric a dashboard or an
// alert names must be one the server really exports, read from the /metrics of the built binary.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/deploy/deploy_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::deploy_test {
namespace {

using nlohmann::json;

// Series that other exporters of the stack produce (not checked against Personae's /metrics).
const std::vector<std::string> kExporterPrefixes = {"probe_", "pg_", "redis_", "node_", "minio_", "traefik_"};

struct Query {
  std::string where;  // dashboard/panel or rule, for messages
  std::string expression;
};

std::vector<std::filesystem::path> dashboard_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(repo_path("deploy/grafana/dashboards"))) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void collect_panel_queries(const json& panels, const std::string& dashboard, std::vector<Query>& out) {
  for (const auto& panel : panels) {
    if (panel.contains("panels")) collect_panel_queries(panel["panels"], dashboard, out);
    if (!panel.contains("targets")) continue;
    for (const auto& target : panel["targets"]) {
      out.push_back({dashboard + " / " + panel.value("title", "?"), target.value("expr", "")});
    }
  }
}

std::vector<Query> dashboard_queries() {
  std::vector<Query> queries;
  for (const auto& file : dashboard_files()) {
    const auto dashboard = json::parse(read_text(file));
    collect_panel_queries(dashboard["panels"], file.filename().string(), queries);
    if (dashboard.contains("templating")) {
      for (const auto& variable : dashboard["templating"]["list"]) {
        if (variable.value("type", "") != "query") continue;
        const std::string definition = variable.value("definition", "");
        // label_values(metric, label): the metric must exist too.
        static const std::regex label_values(R"(label_values\(\s*([^,]+),)");
        std::smatch match;
        if (std::regex_search(definition, match, label_values)) {
          queries.push_back(
              {file.filename().string() + " / variable " + variable.value("name", "?"), match[1]});
        }
      }
    }
  }
  return queries;
}

std::vector<Query> rule_queries() {
  std::vector<Query> queries;
  const YAML::Node rules = YAML::LoadFile(repo_path("deploy/prometheus/rules/personae.yml").string());
  for (const auto& group : rules["groups"]) {
    for (const auto& rule : group["rules"]) {
      const std::string name = has_key(rule, "alert") ? scalar(rule, "alert") : scalar(rule, "record");
      queries.push_back({"rule " + name, scalar(rule, "expr")});
    }
  }
  return queries;
}

// The families Personae's backup script writes for node_exporter (its "# TYPE" lines).
MetricFamilies backup_script_families() {
  MetricFamilies families;
  const std::string script = read_text(repo_path("deploy/docker/personae-backup"));
  static const std::regex type_line(R"(# TYPE (personae_backup_[a-z_]+) (gauge|counter))");
  for (std::sregex_iterator it(script.begin(), script.end(), type_line), end; it != end; ++it) {
    families[(*it)[1]] = (*it)[2];
  }
  return families;
}

// Every metric of `queries` is a Personae series of the live server (or of the backup script), or
// comes from one of the stack's exporters.
void expect_known_metrics(const std::vector<Query>& queries) {
  const MetricFamilies live = live_metric_families();
  const MetricFamilies backup = backup_script_families();
  ASSERT_FALSE(live.empty());
  ASSERT_FALSE(backup.empty());
  for (const auto& query : queries) {
    ASSERT_FALSE(query.expression.empty()) << query.where << " has no query";
    const auto names = promql_metric_names(query.expression);
    EXPECT_FALSE(names.empty()) << query.where << " selects no metric: " << query.expression;
    for (const auto& name : names) {
      if (name == "up") continue;
      if (name.rfind("personae_backup_", 0) == 0) {
        EXPECT_EQ(check_metric_name(name, backup), "") << query.where;
        continue;
      }
      if (name.rfind("personae_", 0) == 0) {
        EXPECT_EQ(check_metric_name(name, live), "")
            << query.where << " (the families are read from the /metrics of personae serve and worker)";
        continue;
      }
      const bool exporter =
          std::any_of(kExporterPrefixes.begin(), kExporterPrefixes.end(),
                      [&](const std::string& prefix) { return name.rfind(prefix, 0) == 0; });
      EXPECT_TRUE(exporter) << query.where << " uses " << name << ", which no service of the stack exports";
    }
  }
}

// route="..." values must be route patterns of the API (api/openapi.yaml, which a contract test
// keeps equal to the route table).
void expect_real_routes(const std::vector<Query>& queries) {
  std::set<std::string> routes = {"unmatched"};
  const YAML::Node spec = YAML::LoadFile(repo_path("api/openapi.yaml").string());
  for (const auto& path : spec["paths"]) routes.insert(path.first.Scalar());
  static const std::regex matcher(R"__(route\s*(=~|!~|!=|=)\s*"([^"]*)")__");
  for (const auto& query : queries) {
    for (std::sregex_iterator it(query.expression.begin(), query.expression.end(), matcher), end; it != end;
         ++it) {
      const std::string operation = (*it)[1];
      const std::string value = (*it)[2];
      std::vector<std::string> alternatives;
      if (operation == "=~" || operation == "!~") {
        std::stringstream split(value);
        for (std::string part; std::getline(split, part, '|');) alternatives.push_back(part);
      } else {
        alternatives.push_back(value);
      }
      for (const auto& route : alternatives) {
        if (route.find_first_of("*+?()[]\\^$.") != std::string::npos &&
            route.find('{') == std::string::npos) {
          continue;  // a regular expression, not a route
        }
        EXPECT_TRUE(routes.contains(route))
            << query.where << " names route \"" << route << "\", which the API does not have";
      }
    }
  }
}

// promtool parses every expression: they are written into a rule file of recording rules (Grafana's
// variables replaced by values) and checked.
void expect_valid_promql(const std::vector<Query>& queries) {
  testing::TempDir folder;
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "queries" << YAML::Key << "rules"
      << YAML::Value << YAML::BeginSeq;
  int index = 0;
  for (const auto& query : queries) {
    std::string expression = query.expression;
    for (const auto& [variable, value] :
         std::vector<std::pair<std::string, std::string>>{{"$__rate_interval", "5m"},
                                                          {"$__range", "1h"},
                                                          {"$__interval", "1m"},
                                                          {"$job", ".*"},
                                                          {"$queue", ".*"},
                                                          {"$provider", ".*"}}) {
      for (auto at = expression.find(variable); at != std::string::npos; at = expression.find(variable, at)) {
        expression.replace(at, variable.size(), value);
      }
    }
    out << YAML::BeginMap << YAML::Key << "record" << YAML::Value << "query:" + std::to_string(index++)
        << YAML::Key << "expr" << YAML::Value << expression << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  const auto file = folder.path() / "queries.yml";
  write_text(file, out.c_str());
  const auto result = run({"promtool", "check", "rules", file.string()}, "prometheus");
  EXPECT_EQ(result.exit_status, 0) << result.standard_output << result.standard_error;
}

TEST(PromqlNames, FindsMetricsAndNothingElse) {
  EXPECT_EQ(
      promql_metric_names(
          R"(histogram_quantile(0.99, sum by (le, route) (rate(http_seconds_bucket{route!~"a|b", job="x"}[5m]))))"),
      std::set<std::string>({"http_seconds_bucket"}));
  EXPECT_EQ(promql_metric_names(
                R"(sum(rate(a_total[$__rate_interval])) / on() group_left(x) b offset 5m > bool 0.5)"),
            std::set<std::string>({"a_total", "b"}));
  EXPECT_EQ(promql_metric_names(R"(label_replace(rate(c[1m]), "class", "${1}xx", "status", "(.).."))"),
            std::set<std::string>({"c"}));
  EXPECT_EQ(promql_metric_names("absent(up{job=\"api\"} == 1) or time() - last_ok > 30 * 3600"),
            std::set<std::string>({"up", "last_ok"}));
  EXPECT_EQ(promql_metric_names("max by (queue) (depth{queue=~\"$queue\"}) and deriv(depth[15m]) > 0"),
            std::set<std::string>({"depth"}));
  EXPECT_EQ(promql_metric_names("topk(10, sum without (instance) (x)) unless y"),
            std::set<std::string>({"x", "y"}));
}

TEST(PromqlNames, ChecksHistogramSuffixes) {
  const MetricFamilies families = {{"h", "histogram"}, {"c_total", "counter"}, {"g", "gauge"}};
  EXPECT_EQ(check_metric_name("h_bucket", families), "");
  EXPECT_EQ(check_metric_name("h_sum", families), "");
  EXPECT_EQ(check_metric_name("c_total", families), "");
  EXPECT_NE(check_metric_name("h", families), "");
  EXPECT_NE(check_metric_name("g_bucket", families), "");
  EXPECT_NE(check_metric_name("missing", families), "");
  const auto parsed =
      parse_metric_families("# TYPE a counter\na_total 1\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\n");
  EXPECT_EQ(parsed.at("a"), "counter");
  EXPECT_EQ(parsed.at("a_total"), "untyped");
  EXPECT_EQ(parsed.at("h"), "histogram");
  EXPECT_FALSE(parsed.contains("h_bucket"));
}

TEST(Prometheus, ConfigurationPassesPromtool) {
  // promtool also opens the credentials files and rule files the configuration names: give it a
  // copy whose /run/secrets/ paths point at temporary files.
  testing::TempDir folder;
  std::string config = read_text(repo_path("deploy/prometheus/prometheus.yml"));
  const std::string secrets = (folder.path() / "secrets").string() + "/";
  for (auto at = config.find("/run/secrets/"); at != std::string::npos;
       at = config.find("/run/secrets/", at)) {
    config.replace(at, std::string("/run/secrets/").size(), secrets);
    at += secrets.size();
  }
  write_text(folder.path() / "secrets" / "metrics_token", "token\n");
  write_text(folder.path() / "prometheus.yml", config);
  std::filesystem::copy(repo_path("deploy/prometheus/rules"), folder.path() / "rules",
                        std::filesystem::copy_options::recursive);
  const auto result = run({"promtool", "check", "config", "--lint=all", "--lint-fatal",
                           (folder.path() / "prometheus.yml").string()},
                          "prometheus");
  EXPECT_EQ(result.exit_status, 0) << result.standard_output << result.standard_error;
  EXPECT_NE(result.standard_output.find("rules found"), std::string::npos)
      << "the rule files were not found: " << result.standard_output;
}

TEST(Prometheus, AlertsNameExportedMetrics) {
  const auto queries = rule_queries();
  ASSERT_GE(queries.size(), 10U);
  expect_known_metrics(queries);
  expect_real_routes(queries);
  // The alerts the deployment promises.
  std::set<std::string> alerts;
  for (const auto& query : queries) alerts.insert(query.where.substr(5));
  for (const char* alert :
       {"PersonaeApiHigh5xxRate", "PersonaeApiSlowP99", "PersonaeNotReady", "PersonaeJobQueueGrowing",
        "PersonaeJobsWaitingTooLong", "PersonaeDeadJobs", "PersonaeLlmCircuitOpen", "PostgresDown",
        "DiskAlmostFull", "PersonaeBackupStale"}) {
    EXPECT_TRUE(alerts.contains(alert)) << alert;
  }
}

TEST(Prometheus, BlackboxModulesExistForEveryProbeJob) {
  const YAML::Node config = YAML::LoadFile(repo_path("deploy/prometheus/prometheus.yml").string());
  const YAML::Node blackbox = YAML::LoadFile(repo_path("deploy/prometheus/blackbox.yml").string());
  int probes = 0;
  for (const auto& job : config["scrape_configs"]) {
    if (scalar(job, "metrics_path") != "/probe") continue;
    ++probes;
    for (const auto& module : job["params"]["module"]) {
      EXPECT_TRUE(has_key(blackbox["modules"], module.Scalar()))
          << "unknown blackbox module " << module.Scalar();
    }
  }
  EXPECT_GE(probes, 2);
}

TEST(Grafana, DashboardsAreWellFormed) {
  const auto files = dashboard_files();
  std::set<std::string> names;
  for (const auto& file : files) names.insert(file.stem().string());
  EXPECT_EQ(names, std::set<std::string>({"business", "http", "jobs", "llm"}));
  const YAML::Node datasources = YAML::LoadFile(
      repo_path("deploy/grafana/provisioning/datasources/prometheus.yml").string())["datasources"];
  ASSERT_TRUE(datasources && datasources.size() == 1);
  const std::string uid = scalar(datasources[0], "uid");
  EXPECT_EQ(scalar(datasources[0], "url"), "http://prometheus:9090");
  std::set<std::string> uids;
  for (const auto& file : files) {
    const auto dashboard = json::parse(read_text(file));  // throws on invalid JSON
    const std::string name = file.filename().string();
    EXPECT_TRUE(uids.insert(dashboard.value("uid", "")).second) << name << ": duplicate or missing uid";
    EXPECT_FALSE(dashboard.value("title", "").empty()) << name;
    std::set<int> ids;
    std::function<void(const json&)> check = [&](const json& panels) {
      for (const auto& panel : panels) {
        EXPECT_TRUE(ids.insert(panel.value("id", -1)).second)
            << name << ": duplicate panel id " << panel.value("id", -1);
        const auto& grid = panel["gridPos"];
        EXPECT_LE(grid.value("x", 0) + grid.value("w", 0), 24) << name << " / " << panel.value("title", "");
        if (panel.contains("panels")) check(panel["panels"]);
        if (panel.value("type", "") == "row") continue;
        EXPECT_FALSE(panel.value("description", "").empty())
            << name << " / " << panel.value("title", "") << ": say what it shows";
        ASSERT_TRUE(panel.contains("targets") && !panel["targets"].empty())
            << name << " / " << panel.value("title", "");
        EXPECT_EQ(panel["datasource"].value("uid", ""), uid) << name << " / " << panel.value("title", "");
        for (const auto& target : panel["targets"]) {
          EXPECT_EQ(target["datasource"].value("uid", ""), uid) << name << " / " << panel.value("title", "");
        }
      }
    };
    check(dashboard["panels"]);
  }
}

TEST(Grafana, DashboardQueriesNameExportedMetricsAndRoutes) {
  const auto queries = dashboard_queries();
  ASSERT_GE(queries.size(), 40U);
  expect_known_metrics(queries);
  expect_real_routes(queries);
}

TEST(Grafana, DashboardQueriesAndAlertsAreValidPromql) {
  auto queries = dashboard_queries();
  // Template variables' label_values() arguments are selectors, valid PromQL as they are.
  const auto rules = rule_queries();
  queries.insert(queries.end(), rules.begin(), rules.end());
  expect_valid_promql(queries);
}

// Names of `required` missing from `exposition`, one per line.
std::string missing_families(const std::string& exposition, const std::vector<std::string>& required) {
  const MetricFamilies families = parse_metric_families(exposition);
  std::string list;
  for (const auto& family : required) {
    if (!families.contains(family)) list += "\n  " + family;
  }
  return list;
}

const std::vector<std::string> kProcessFamilies = {"personae_http_requests_total",
                                                   "personae_http_request_duration_seconds",
                                                   "personae_http_requests_in_flight",
                                                   "personae_http_connections_open",
                                                   "personae_http_blocking_queue_depth",
                                                   "personae_db_pool_connections",
                                                   "personae_build_info"};
const std::vector<std::string> kJobFamilies = {
    "personae_jobs_depth",      "personae_jobs_oldest_age_seconds", "personae_jobs_running",
    "personae_jobs_dead",       "personae_jobs_completed_total",    "personae_jobs_failed_total",
    "personae_jobs_dead_total", "personae_jobs_duration_seconds",   "personae_jobs_pickup_latency_seconds"};
const std::vector<std::string> kLlmFamilies = {
    "personae_llm_requests_total", "personae_llm_time_to_first_token_seconds",
    "personae_llm_tokens_per_second", "personae_llm_request_duration_seconds", "personae_llm_circuit_open"};

TEST(LiveMetrics, TheApiExportsTheFamiliesOfTheHttpAndLlmDashboards) {
  // Registered at start-up, even before the first request or LLM call: a "# TYPE" line each.
  std::vector<std::string> required = kProcessFamilies;
  required.insert(required.end(), kLlmFamilies.begin(), kLlmFamilies.end());
  const auto missing = missing_families(live_metrics().api, required);
  EXPECT_TRUE(missing.empty()) << "personae serve does not export:" << missing;
}

TEST(LiveMetrics, TheWorkersExportTheFamiliesOfTheJobsAndLlmDashboards) {
  // The stack runs jobs in `personae worker` only (the api has jobs.in_process = false), so the
  // Jobs dashboard and the job alerts read the workers' families.
  std::vector<std::string> required = kProcessFamilies;
  required.insert(required.end(), kJobFamilies.begin(), kJobFamilies.end());
  required.insert(required.end(), kLlmFamilies.begin(), kLlmFamilies.end());
  const auto missing = missing_families(live_metrics().worker, required);
  EXPECT_TRUE(missing.empty()) << "personae worker does not export:" << missing;
  // The queue gauges are read from the database at each scrape: one series per configured queue
  // (default and captions), present while the queues are empty.
  const std::string& body = live_metrics().worker;
  EXPECT_NE(body.find("personae_jobs_depth{queue=\"captions\"} "), std::string::npos) << body;
}

}  // namespace
}  // namespace personae::deploy_test

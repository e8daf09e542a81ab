// The Docker Compose stack, checked statically (no Docker engine runs on the test machines):
// deploy/compose/docker-compose.yml is read as Compose reads it (merge keys applied, variables
// filled in from .env.example) and its invariants asserted.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <regex>

#include "tests/deploy/deploy_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::deploy_test {
namespace {

const char* const kComposeFile = "deploy/compose/docker-compose.yml";

struct Compose {
  std::string text;
  std::map<std::string, std::string> variables;  // .env.example
  YAML::Node root;                               // merged and interpolated
};

const Compose& compose() {
  static const Compose loaded = [] {
    Compose c;
    c.text = read_text(repo_path(kComposeFile));
    c.variables = parse_dotenv(read_text(repo_path(".env.example")));
    std::set<std::string> missing;
    c.root = interpolate_node(resolve_merge_keys(YAML::Load(c.text)), c.variables, &missing);
    if (!missing.empty()) {
      std::string names;
      for (const auto& name : missing) names += " " + name;
      throw std::runtime_error("variables without a value or default in the compose file:" + names);
    }
    return c;
  }();
  return loaded;
}

YAML::Node services() {
  return compose().root["services"];
}

std::vector<std::string> service_names() {
  std::vector<std::string> names;
  for (const auto& entry : services()) names.push_back(entry.first.Scalar());
  return names;
}

YAML::Node service(const std::string& name) {
  const YAML::Node all = services();
  const YAML::Node found = all[name];
  if (!found) throw std::runtime_error("no service " + name + " in " + kComposeFile);
  return found;
}

bool is_one_shot(const YAML::Node& s) {
  return scalar(s, "restart") == "no";
}

bool is_personae(const YAML::Node& s) {
  const YAML::Node build = s["build"];
  return build && scalar(build, "dockerfile") == "deploy/Dockerfile";
}

// Scalars of a list, or the keys of a map (networks, secrets and depends_on take both forms).
std::vector<std::string> names_in(const YAML::Node& node, const std::string& map_field = "") {
  std::vector<std::string> names;
  if (!node) return names;
  if (node.IsSequence()) {
    for (const auto& element : node) {
      names.push_back(element.IsMap() ? scalar(element, map_field) : element.Scalar());
    }
  } else if (node.IsMap()) {
    for (const auto& entry : node) names.push_back(entry.first.Scalar());
  }
  return names;
}

struct Mount {
  std::string source;
  std::string target;
  bool named = false;  // a named volume (not a path on the host)
};

std::vector<Mount> mounts(const YAML::Node& s) {
  std::vector<Mount> found;
  const YAML::Node volumes = s["volumes"];
  if (!volumes) return found;
  for (const auto& volume : volumes) {
    Mount mount;
    if (volume.IsMap()) {
      mount.source = scalar(volume, "source");
      mount.target = scalar(volume, "target");
    } else {
      const std::string text = volume.Scalar();
      const auto first = text.find(':');
      const auto second = text.find(':', first + 1);
      mount.source = text.substr(0, first);
      mount.target =
          text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
    }
    mount.named =
        !mount.source.empty() && mount.source[0] != '.' && mount.source[0] != '/' && mount.source[0] != '~';
    found.push_back(mount);
  }
  return found;
}

std::map<std::string, std::string> environment_of(const YAML::Node& s) {
  std::map<std::string, std::string> environment;
  const YAML::Node node = s["environment"];
  if (!node) return environment;
  if (node.IsMap()) {
    for (const auto& entry : node) environment[entry.first.Scalar()] = entry.second.Scalar();
  } else {
    for (const auto& element : node) {
      const std::string text = element.Scalar();
      const auto equals = text.find('=');
      environment[text.substr(0, equals)] = equals == std::string::npos ? "" : text.substr(equals + 1);
    }
  }
  return environment;
}

std::map<std::string, std::string> labels_of(const YAML::Node& s) {
  std::map<std::string, std::string> labels;
  const YAML::Node node = s["labels"];
  if (!node) return labels;
  if (node.IsMap()) {
    for (const auto& entry : node) labels[entry.first.Scalar()] = entry.second.Scalar();
  } else {
    for (const auto& element : node) {
      const std::string text = element.Scalar();
      const auto equals = text.find('=');
      labels[text.substr(0, equals)] = equals == std::string::npos ? "" : text.substr(equals + 1);
    }
  }
  return labels;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

TEST(Compose, UsesOnlyKnownKeys) {
  // A misspelt key (helthcheck, depend_on) is silently ignored or rejected by Compose: catch it here.
  static const std::set<std::string> top = {"name", "services", "networks", "volumes", "secrets", "configs"};
  static const std::set<std::string> service_keys = {
      "image",       "build",   "command",  "entrypoint", "restart",     "init",       "stop_grace_period",
      "environment", "secrets", "volumes",  "networks",   "healthcheck", "depends_on", "deploy",
      "labels",      "logging", "ports",    "user",       "shm_size",    "read_only",  "security_opt",
      "working_dir", "tmpfs",   "cap_drop", "cap_add",    "ulimits",     "stop_signal"};
  static const std::set<std::string> healthcheck_keys = {
      "test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"};
  for (const auto& entry : compose().root) {
    const auto key = entry.first.Scalar();
    EXPECT_TRUE(top.contains(key) || key.rfind("x-", 0) == 0) << "unknown top-level key " << key;
  }
  for (const auto& name : service_names()) {
    const YAML::Node s = service(name);
    for (const auto& entry : s) {
      EXPECT_TRUE(service_keys.contains(entry.first.Scalar()))
          << name << ": unknown (or unexpected) service key " << entry.first.Scalar();
    }
    const YAML::Node healthcheck = s["healthcheck"];
    if (healthcheck) {
      for (const auto& entry : healthcheck) {
        EXPECT_TRUE(healthcheck_keys.contains(entry.first.Scalar()))
            << name << ": unknown healthcheck key " << entry.first.Scalar();
      }
    }
    EXPECT_FALSE(has_key(s, "container_name")) << name << ": container_name prevents --scale";
  }
}

TEST(Compose, HasEveryServiceOfTheRoadmap) {
  for (const char* name : {"api", "worker", "migrate", "backup", "postgres", "redis", "minio", "minio-init",
                           "ollama", "ollama-pull", "traefik", "portainer", "prometheus", "grafana"}) {
    EXPECT_NO_THROW(service(name)) << name;
  }
  EXPECT_EQ(joined(names_in(service("api")["command"])), "personae serve");
  EXPECT_EQ(joined(names_in(service("worker")["command"])), "personae worker");
  EXPECT_EQ(joined(names_in(service("migrate")["command"])), "personae migrate");
}

TEST(Compose, EveryLongRunningServiceHasAHealthCheck) {
  for (const auto& name : service_names()) {
    const YAML::Node s = service(name);
    if (is_one_shot(s)) continue;
    const YAML::Node healthcheck = s["healthcheck"];
    ASSERT_TRUE(healthcheck) << name << " runs for ever but has no healthcheck";
    EXPECT_NE(scalar(healthcheck, "disable"), "true") << name << " disables its healthcheck";
    const YAML::Node test = healthcheck["test"];
    ASSERT_TRUE(test && test.IsSequence() && test.size() >= 2)
        << name << ": healthcheck.test must be a command";
    EXPECT_TRUE(test[0].Scalar() == "CMD" || test[0].Scalar() == "CMD-SHELL") << name;
    EXPECT_FALSE(scalar(healthcheck, "interval").empty()) << name << ": healthcheck.interval";
    EXPECT_FALSE(scalar(s, "restart").empty()) << name << ": a restart policy";
  }
  // The API's check is its liveness endpoint.
  EXPECT_NE(joined(names_in(service("api")["healthcheck"]["test"])).find("/health"), std::string::npos);
}

TEST(Compose, DependenciesHaveConditionsThatFitTheirTargets) {
  std::map<std::string, std::vector<std::string>> edges;
  for (const auto& name : service_names()) {
    const YAML::Node depends = service(name)["depends_on"];
    if (!depends) continue;
    ASSERT_TRUE(depends.IsMap()) << name << ": depends_on must name a condition for each service";
    for (const auto& entry : depends) {
      const std::string target = entry.first.Scalar();
      edges[name].push_back(target);
      ASSERT_TRUE(has_key(services(), target)) << name << " depends on unknown service " << target;
      const std::string condition = scalar(entry.second, "condition");
      const YAML::Node target_service = service(target);
      if (condition == "service_healthy") {
        EXPECT_TRUE(has_key(target_service, "healthcheck") && !is_one_shot(target_service))
            << name << " waits for " << target << " to be healthy, but it has no health check";
      } else if (condition == "service_completed_successfully") {
        EXPECT_TRUE(is_one_shot(target_service))
            << name << " waits for " << target << " to complete, but it runs for ever";
      } else {
        EXPECT_EQ(condition, "service_started") << name << " -> " << target << ": no condition";
      }
    }
  }
  // No cycle (Compose refuses them).
  std::map<std::string, int> state;
  std::function<void(const std::string&, std::string)> visit = [&](const std::string& node,
                                                                   std::string path) {
    if (state[node] == 2) return;
    ASSERT_NE(state[node], 1) << "dependency cycle: " << path;
    state[node] = 1;
    for (const auto& next : edges[node]) visit(next, path + " -> " + next);
    state[node] = 2;
  };
  for (const auto& name : service_names()) visit(name, name);
}

TEST(Compose, PersonaeStartsAfterItsMigrationsAndStorage) {
  for (const char* name : {"api", "worker", "backup"}) {
    const YAML::Node depends = service(name)["depends_on"];
    EXPECT_EQ(scalar(depends["migrate"], "condition"), "service_completed_successfully") << name;
    EXPECT_EQ(scalar(depends["postgres"], "condition"), "service_healthy") << name;
    EXPECT_EQ(scalar(depends["minio-init"], "condition"), "service_completed_successfully") << name;
  }
  EXPECT_EQ(scalar(service("migrate")["depends_on"]["postgres"], "condition"), "service_healthy");
  EXPECT_EQ(scalar(service("minio-init")["depends_on"]["minio"], "condition"), "service_healthy");
  EXPECT_EQ(scalar(service("ollama-pull")["depends_on"]["ollama"], "condition"), "service_healthy");
}

TEST(Compose, OnlyTraefikPublishesPorts) {
  for (const auto& name : service_names()) {
    if (name == "traefik") continue;
    EXPECT_FALSE(has_key(service(name), "ports")) << name << " publishes a port: only Traefik may";
  }
  std::set<std::string> published;
  for (const auto& port : service("traefik")["ports"]) published.insert(port.Scalar());
  EXPECT_TRUE(published.contains("127.0.0.1:80:80"))
      << "port 80 on the address HTTP_BIND (127.0.0.1 by default)";
  EXPECT_TRUE(published.contains("127.0.0.1:8081:8081")) << "the dashboard on 8081, loopback only";
  EXPECT_EQ(published.size(), 2U);
}

TEST(Compose, VolumesAreDeclaredUsedAndPersistTheData) {
  const YAML::Node declared = compose().root["volumes"];
  std::set<std::string> used;
  std::map<std::string, std::set<std::string>> targets;  // volume -> mount points
  for (const auto& name : service_names()) {
    for (const auto& mount : mounts(service(name))) {
      if (!mount.named) {
        if (mount.source.rfind("./", 0) == 0 || mount.source.rfind("../", 0) == 0) {
          const auto path = repo_path("deploy/compose") / mount.source;
          EXPECT_TRUE(std::filesystem::exists(path))
              << name << " mounts " << mount.source << ", which does not exist";
        }
        continue;
      }
      EXPECT_TRUE(has_key(declared, mount.source)) << name << " uses undeclared volume " << mount.source;
      used.insert(mount.source);
      targets[mount.source].insert(name + ":" + mount.target);
    }
  }
  for (const auto& entry : declared) {
    EXPECT_TRUE(used.contains(entry.first.Scalar()))
        << "volume " << entry.first.Scalar() << " is declared but unused";
  }
  // The roadmap's persistent volumes: PostgreSQL data, Ollama models, MinIO storage, logs.
  EXPECT_TRUE(targets["postgres-data"].contains("postgres:/var/lib/postgresql/data"));
  EXPECT_TRUE(targets["ollama-models"].contains("ollama:/root/.ollama"));
  EXPECT_TRUE(targets["minio-data"].contains("minio:/data"));
  EXPECT_TRUE(targets["personae-logs"].contains("api:/var/log/personae"));
  EXPECT_TRUE(targets["personae-logs"].contains("worker:/var/log/personae"));
  EXPECT_EQ(environment_of(service("api"))["LOG_DIR"], "/var/log/personae");
  // Every Personae process shares the signing keys and the master key.
  for (const char* name : {"api", "worker", "migrate", "backup"}) {
    EXPECT_TRUE(targets["personae-keys"].contains(std::string(name) + ":/var/lib/personae-keys")) << name;
  }
}

TEST(Compose, NetworksKeepDatabasesOffTheProxyNetwork) {
  const YAML::Node networks = compose().root["networks"];
  const std::string proxy = scalar(networks["proxy"], "name");
  ASSERT_FALSE(proxy.empty()) << "the proxy network needs a fixed name (Traefik's docker.network names it)";
  for (const auto& name : service_names()) {
    const auto attached = names_in(service(name)["networks"]);
    EXPECT_FALSE(attached.empty()) << name << " is on no network";
    for (const auto& network : attached) {
      EXPECT_TRUE(has_key(networks, network)) << name << " uses undeclared network " << network;
    }
  }
  for (const char* name : {"postgres", "redis", "ollama", "migrate", "worker", "backup"}) {
    const auto attached = names_in(service(name)["networks"]);
    EXPECT_EQ(std::count(attached.begin(), attached.end(), "proxy"), 0)
        << name << " must not be on the proxy network";
    EXPECT_EQ(std::count(attached.begin(), attached.end(), "backend"), 1)
        << name << " must be on the backend network";
  }
  // Every routed service is on the proxy network and tells Traefik which one to use.
  for (const auto& name : service_names()) {
    auto labels = labels_of(service(name));
    if (labels["traefik.enable"] != "true" || name == "traefik") continue;
    const auto attached = names_in(service(name)["networks"]);
    EXPECT_EQ(std::count(attached.begin(), attached.end(), "proxy"), 1)
        << name << " is routed but not on proxy";
    EXPECT_EQ(labels["traefik.docker.network"], proxy) << name;
  }
}

TEST(Compose, TraefikRoutesTheRoadmapsAddresses) {
  std::map<std::string, std::string> rules;  // router -> rule, every service
  std::map<std::string, std::string> router_service;
  for (const auto& name : service_names()) {
    for (const auto& [key, value] : labels_of(service(name))) {
      static const std::regex router(R"(traefik\.http\.routers\.([^.]+)\.rule)");
      std::smatch match;
      if (std::regex_match(key, match, router)) {
        rules[match[1]] = value;
        router_service[match[1]] = name;
      }
    }
  }
  auto routed_to = [&](const std::string& needle) {
    std::set<std::string> found;
    for (const auto& [router, rule] : rules) {
      if (rule.find(needle) != std::string::npos) found.insert(router_service[router]);
    }
    return found;
  };
  EXPECT_TRUE(routed_to("Host(`api.localhost`)").contains("api")) << "http://api.localhost";
  EXPECT_TRUE(routed_to("Host(`localhost`) && PathPrefix(`/api/v1`)").contains("api"))
      << "http://localhost/api/v1";
  EXPECT_TRUE(routed_to("Host(`localhost`) && Path(`/health`)").contains("api")) << "http://localhost/health";
  EXPECT_TRUE(routed_to("Host(`grafana.localhost`)").contains("grafana"));
  EXPECT_TRUE(routed_to("Host(`portainer.localhost`)").contains("portainer"));
  EXPECT_TRUE(routed_to("Host(`minio.localhost`)").contains("minio"));
  // The dashboard is served by Traefik itself on its own entrypoint.
  auto traefik_labels = labels_of(service("traefik"));
  EXPECT_EQ(traefik_labels["traefik.http.routers.traefik-dashboard.service"], "api@internal");
  EXPECT_EQ(traefik_labels["traefik.http.routers.traefik-dashboard.entrypoints"], "dashboard");

  // The static configuration agrees: entrypoints, opt-in discovery, the proxy network.
  const YAML::Node config = YAML::LoadFile(repo_path("deploy/traefik/traefik.yml").string());
  EXPECT_EQ(scalar(config["entryPoints"]["web"], "address"), ":80");
  EXPECT_EQ(scalar(config["entryPoints"]["dashboard"], "address"), ":8081");
  EXPECT_EQ(scalar(config["api"], "dashboard"), "true");
  EXPECT_EQ(scalar(config["api"], "insecure"), "false");
  EXPECT_EQ(scalar(config["providers"]["docker"], "exposedByDefault"), "false");
  EXPECT_EQ(scalar(config["providers"]["docker"], "network"),
            scalar(compose().root["networks"]["proxy"], "name"));
  bool mounted = false;
  for (const auto& mount : mounts(service("traefik"))) {
    mounted |= mount.source == "../traefik/traefik.yml" && mount.target == "/etc/traefik/traefik.yml";
  }
  EXPECT_TRUE(mounted) << "traefik must mount deploy/traefik/traefik.yml";
  // Every router names an entrypoint that exists.
  for (const auto& name : service_names()) {
    for (const auto& [key, value] : labels_of(service(name))) {
      if (key.size() > 12 && key.compare(key.size() - 12, 12, ".entrypoints") == 0) {
        EXPECT_TRUE(has_key(config["entryPoints"], value)) << key << " names unknown entrypoint " << value;
      }
    }
  }
}

TEST(Compose, SecretsAreFilesAndEveryFileVariableNamesAMountedSecret) {
  const YAML::Node declared = compose().root["secrets"];
  std::set<std::string> used;
  for (const auto& name : service_names()) {
    const YAML::Node s = service(name);
    const auto mounted = names_in(s["secrets"], "source");
    for (const auto& secret : mounted) {
      EXPECT_TRUE(has_key(declared, secret)) << name << " uses undeclared secret " << secret;
      used.insert(secret);
    }
    for (const auto& [variable, value] : environment_of(s)) {
      if (value.rfind("/run/secrets/", 0) != 0) continue;
      const std::string secret = value.substr(std::string("/run/secrets/").size());
      EXPECT_NE(std::find(mounted.begin(), mounted.end(), secret), mounted.end())
          << name << ": " << variable << " names " << value << " but the service does not mount that secret";
    }
  }
  for (const auto& entry : declared) {
    const std::string secret = entry.first.Scalar();
    EXPECT_TRUE(used.contains(secret)) << "secret " << secret << " is declared but unused";
    const std::string file = scalar(entry.second, "file");
    EXPECT_EQ(file.rfind("./secrets/", 0), 0U) << secret << " must be a file in deploy/compose/secrets";
  }
  // The folder keeps them out of git.
  const std::string ignore = read_text(repo_path("deploy/compose/secrets/.gitignore"));
  EXPECT_NE(ignore.find("*\n"), std::string::npos);
}

TEST(Compose, ImagesArePinned) {
  for (const auto& name : service_names()) {
    const std::string image = scalar(service(name), "image");
    ASSERT_FALSE(image.empty()) << name << " has no image";
    const auto slash = image.rfind('/');
    const auto colon = image.rfind(':');
    ASSERT_TRUE(colon != std::string::npos && (slash == std::string::npos || colon > slash))
        << name << ": " << image;
    const std::string tag = image.substr(colon + 1);
    EXPECT_NE(tag, "latest") << name << ": " << image;
    EXPECT_FALSE(tag.empty()) << name;
  }
  for (const auto& name : service_names()) {
    const YAML::Node s = service(name);
    if (!is_personae(s)) continue;
    EXPECT_EQ(scalar(s["build"], "context"), "../..") << name << ": the build context is the repository root";
    EXPECT_TRUE(std::filesystem::exists(repo_path("deploy/compose") / scalar(s["build"], "context") /
                                        scalar(s["build"], "dockerfile")));
  }
}

TEST(Compose, PersonaeEnvironmentIsAValidConfiguration) {
  // `personae config check` with each Personae service's environment (on top of the image's ENV):
  // an unknown PERSONAE_* variable or a bad value fails it. Secrets become temporary files.
  const auto dockerfile = parse_dockerfile(read_text(repo_path("deploy/Dockerfile")));
  ASSERT_FALSE(dockerfile.stages.empty());
  const auto image_environment = stage_environment(dockerfile.stages.back());
  testing::TempDir secrets;
  int checked = 0;
  for (const auto& name : service_names()) {
    const YAML::Node s = service(name);
    if (!is_personae(s)) continue;
    std::map<std::string, std::string> environment = image_environment;
    for (const auto& [variable, value] : environment_of(s)) {
      if (value.rfind("/run/secrets/", 0) == 0) {
        const auto file = secrets.path() / value.substr(std::string("/run/secrets/").size());
        write_text(file, variable.find("REDIS") != std::string::npos ? "redis://:secret@redis:6379/0\n"
                                                                     : "secret\n");
        environment[variable] = file.string();
      } else {
        environment[variable] = value;
      }
    }
    const auto result = run({PERSONAE_BINARY, "config", "check"}, "personae", environment);
    EXPECT_EQ(result.exit_status, 0) << name << ": " << result.standard_error << result.standard_output;
    ++checked;
  }
  EXPECT_EQ(checked, 4) << "api, worker, migrate and backup";
}

TEST(Compose, OllamaIsLimitedAndPullsTheConfiguredModel) {
  const YAML::Node limits = service("ollama")["deploy"]["resources"]["limits"];
  EXPECT_FALSE(scalar(limits, "cpus").empty());
  EXPECT_FALSE(scalar(limits, "memory").empty());
  const YAML::Node pull = service("ollama-pull");
  EXPECT_TRUE(is_one_shot(pull));
  EXPECT_EQ(joined(names_in(pull["entrypoint"])) + " " + joined(names_in(pull["command"])),
            "ollama pull " + compose().variables.at("OLLAMA_MODEL"));
  EXPECT_EQ(environment_of(pull)["OLLAMA_HOST"], "http://ollama:11434");
}

TEST(Compose, EveryServiceRotatesItsDockerLogs) {
  for (const auto& name : service_names()) {
    const YAML::Node logging = service(name)["logging"];
    ASSERT_TRUE(logging) << name;
    EXPECT_FALSE(scalar(logging["options"], "max-size").empty()) << name;
  }
}

TEST(Compose, PrometheusScrapesServicesOfTheStackWithTheToken) {
  const YAML::Node config = YAML::LoadFile(repo_path("deploy/prometheus/prometheus.yml").string());
  for (const auto& job : config["scrape_configs"]) {
    std::vector<std::string> hosts;
    for (const auto& sd : job["dns_sd_configs"]) {
      for (const auto& host : sd["names"]) hosts.push_back(host.Scalar());
    }
    for (const auto& sc : job["static_configs"]) {
      for (const auto& target : sc["targets"]) {
        std::string host = target.Scalar();
        if (const auto scheme = host.find("://"); scheme != std::string::npos) host = host.substr(scheme + 3);
        host = host.substr(0, host.find_first_of(":/"));
        if (host != "127.0.0.1") hosts.push_back(host);
      }
    }
    for (const auto& host : hosts) {
      EXPECT_TRUE(has_key(services(), host))
          << "job " << scalar(job, "job_name") << " scrapes unknown host " << host;
    }
    const YAML::Node authorization = job["authorization"];
    if (authorization) {
      const std::string file = scalar(authorization, "credentials_file");
      const auto mounted = names_in(service("prometheus")["secrets"], "source");
      EXPECT_EQ(file, "/run/secrets/metrics_token");
      EXPECT_NE(std::find(mounted.begin(), mounted.end(), "metrics_token"), mounted.end());
    }
  }
  // The API and the workers are scraped with the bearer token of metrics.token.
  for (const char* name : {"api", "worker"}) {
    EXPECT_EQ(environment_of(service(name))["PERSONAE_METRICS_TOKEN_FILE"], "/run/secrets/metrics_token")
        << name;
  }
}

TEST(Compose, GrafanaLoadsTheProvisionedDataSourceAndDashboards) {
  std::map<std::string, std::string> grafana_mounts;
  for (const auto& mount : mounts(service("grafana"))) grafana_mounts[mount.source] = mount.target;
  EXPECT_EQ(grafana_mounts["../grafana/provisioning"], "/etc/grafana/provisioning");
  const YAML::Node providers =
      YAML::LoadFile(repo_path("deploy/grafana/provisioning/dashboards/personae.yml").string())["providers"];
  ASSERT_TRUE(providers && providers.size() == 1);
  EXPECT_EQ(grafana_mounts["../grafana/dashboards"], scalar(providers[0]["options"], "path"));
  EXPECT_EQ(environment_of(service("grafana"))["GF_SECURITY_ADMIN_PASSWORD__FILE"],
            "/run/secrets/grafana_admin_password");
}

TEST(EnvExample, DocumentsEveryVariableTheStackReads) {
  const std::string text = read_text(repo_path(".env.example"));
  const auto values = parse_dotenv(text);
  const auto referenced = referenced_variables(compose().text);
  for (const auto& [name, fallback] : referenced) {
    ASSERT_TRUE(values.contains(name))
        << "${" << name << "} is used by the compose file but not in .env.example";
    if (fallback) {
      EXPECT_EQ(values.at(name), *fallback) << name << ": .env.example and the compose default differ";
    }
  }
  // Each variable has a comment just above it (or above the group it belongs to), and is used.
  std::istringstream lines(text);
  std::string line;
  std::string previous;
  while (std::getline(lines, line)) {
    if (!line.empty() && line[0] != '#') {
      const std::string name = line.substr(0, line.find('='));
      EXPECT_TRUE(!previous.empty() && (previous[0] == '#' || previous.find('=') != std::string::npos))
          << name << " has no comment";
      EXPECT_TRUE(referenced.contains(name)) << name << " is not used by the compose file";
      static const std::regex secret_like("(PASSWORD|_SECRET|_TOKEN|_KEY|CREDENTIALS?)$", std::regex::icase);
      EXPECT_FALSE(std::regex_search(name, secret_like))
          << name << ": secrets are files, never .env variables";
    }
    if (line.empty())
      previous.clear();
    else
      previous = line;
  }
}

TEST(StartScripts, CreateEverySecretTheStackMounts) {
  const std::string start = read_text(repo_path("scripts/start"));
  const std::string start_ps1 = read_text(repo_path("scripts/start.ps1"));
  for (const auto& entry : compose().root["secrets"]) {
    const std::string file = std::filesystem::path(scalar(entry.second, "file")).filename().string();
    EXPECT_TRUE(start.find("ensure_secret " + file + " ") != std::string::npos ||
                start.find("write_secret " + file + " ") != std::string::npos)
        << "scripts/start does not create " << file;
    EXPECT_TRUE(start_ps1.find("Confirm-Secret '" + file + "'") != std::string::npos ||
                start_ps1.find("Write-Secret '" + file + "'") != std::string::npos)
        << "scripts/start.ps1 does not create " << file;
  }
}

}  // namespace
}  // namespace personae::deploy_test

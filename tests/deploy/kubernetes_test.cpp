// deploy/k8s: each overlay rendered with `kubectl kustomize` (offline, no cluster) and validated
// structurally (kubeconform is not packaged for Debian or npm): API versions, names and namespaces,
// selectors that select, probes on /health and /ready, resources and security contexts on every
// container, references that resolve, and a ConfigMap that `personae config check` accepts.

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "tests/deploy/deploy_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::deploy_test {
namespace {

struct Overlay {
  std::string name;
  std::string namespace_name;
};
const std::vector<Overlay> kOverlays = {{"staging", "personae-staging"}, {"production", "personae"}};
void PrintTo(const Overlay& overlay, std::ostream* out) {
  *out << overlay.name;
}

// The Secrets the operator creates (docs/deployment.md); nothing in the repository holds them.
const std::set<std::string> kExternalSecrets = {"personae-secrets", "personae-keys"};

// Each overlay rendered once per test program.
std::vector<YAML::Node> render(const std::string& overlay) {
  static std::map<std::string, std::string> rendered;
  if (!rendered.contains(overlay)) {
    const auto result =
        run({"kubectl", "kustomize", repo_path("deploy/k8s/overlays/" + overlay).string()}, "kubectl");
    if (result.exit_status != 0)
      throw std::runtime_error("kubectl kustomize failed: " + result.standard_error);
    rendered[overlay] = result.standard_output;
  }
  return YAML::LoadAll(rendered[overlay]);
}

class Kubernetes : public ::testing::TestWithParam<Overlay> {
 protected:
  void SetUp() override {
    if (!find_program("kubectl")) {
      GTEST_SKIP() << "kubectl is not installed (it comes with this machine image; Debian bookworm has no "
                      "kubectl with kustomize 5)";
    }
    documents_ = render(GetParam().name);
  }

  std::vector<YAML::Node> of_kind(const std::string& kind) const {
    std::vector<YAML::Node> found;
    for (const auto& document : documents_) {
      if (scalar(document, "kind") == kind) found.push_back(document);
    }
    return found;
  }

  YAML::Node named(const std::string& kind, const std::string& name) const {
    for (const auto& document : of_kind(kind)) {
      if (scalar(document["metadata"], "name") == name) return document;
    }
    return YAML::Node();
  }

  // The pod templates: Deployments, the Job, the CronJob.
  std::vector<std::pair<std::string, YAML::Node>> pod_specs() const {
    std::vector<std::pair<std::string, YAML::Node>> specs;
    for (const auto& document : documents_) {
      const std::string kind = scalar(document, "kind");
      const std::string name = kind + "/" + scalar(document["metadata"], "name");
      if (kind == "Deployment" || kind == "Job") specs.emplace_back(name, document["spec"]["template"]);
      if (kind == "CronJob") specs.emplace_back(name, document["spec"]["jobTemplate"]["spec"]["template"]);
    }
    return specs;
  }

  std::vector<YAML::Node> documents_;
};

bool labels_match(const YAML::Node& selector, const YAML::Node& labels) {
  if (!selector || !selector.IsMap() || selector.size() == 0) return false;
  for (const auto& entry : selector) {
    if (scalar(labels, entry.first.Scalar()) != entry.second.Scalar()) return false;
  }
  return true;
}

TEST_P(Kubernetes, EveryObjectIsWellFormedAndInTheNamespace) {
  static const std::map<std::string, std::string> api_versions = {
      {"Namespace", "v1"},
      {"ServiceAccount", "v1"},
      {"ConfigMap", "v1"},
      {"Service", "v1"},
      {"PersistentVolumeClaim", "v1"},
      {"Deployment", "apps/v1"},
      {"Job", "batch/v1"},
      {"CronJob", "batch/v1"},
      {"HorizontalPodAutoscaler", "autoscaling/v2"},
      {"Ingress", "networking.k8s.io/v1"},
      {"PodDisruptionBudget", "policy/v1"}};
  std::map<std::string, int> kinds;
  std::set<std::string> names;
  for (const auto& document : documents_) {
    const std::string kind = scalar(document, "kind");
    const std::string name = scalar(document["metadata"], "name");
    ASSERT_TRUE(api_versions.contains(kind)) << "unexpected kind " << kind;
    EXPECT_EQ(scalar(document, "apiVersion"), api_versions.at(kind)) << kind << "/" << name;
    EXPECT_TRUE(std::regex_match(name, std::regex("[a-z0-9]([-a-z0-9]*[a-z0-9])?"))) << kind << "/" << name;
    EXPECT_TRUE(names.insert(kind + "/" + name).second) << "duplicate " << kind << "/" << name;
    ++kinds[kind];
    const YAML::Node labels = document["metadata"]["labels"];
    if (kind == "Namespace") {
      EXPECT_EQ(name, GetParam().namespace_name);
      EXPECT_EQ(scalar(labels, "pod-security.kubernetes.io/enforce"), "restricted");
      continue;
    }
    EXPECT_EQ(scalar(document["metadata"], "namespace"), GetParam().namespace_name) << kind << "/" << name;
    EXPECT_EQ(scalar(labels, "app.kubernetes.io/name"), "personae") << kind << "/" << name;
    EXPECT_EQ(scalar(labels, "app.kubernetes.io/part-of"), "personae") << kind << "/" << name;
    EXPECT_FALSE(scalar(labels, "app.kubernetes.io/instance").empty()) << kind << "/" << name;
  }
  EXPECT_EQ(kinds["Deployment"], 2) << "api and worker";
  EXPECT_EQ(kinds["Job"], 1) << "the migration Job";
  EXPECT_EQ(kinds["HorizontalPodAutoscaler"], 2);
  EXPECT_EQ(kinds["Ingress"], 1);
  EXPECT_EQ(kinds["ConfigMap"], 1);
  EXPECT_GE(kinds["Service"], 1);
  EXPECT_EQ(kinds["Namespace"], 1);
}

TEST_P(Kubernetes, DeploymentsSelectTheirPodsAndProbeHealthAndReadiness) {
  for (const char* component : {"api", "worker"}) {
    const YAML::Node deployment = named("Deployment", std::string("personae-") + component);
    ASSERT_TRUE(deployment) << "Deployment personae-" << component;
    const YAML::Node spec = deployment["spec"];
    EXPECT_TRUE(labels_match(spec["selector"]["matchLabels"], spec["template"]["metadata"]["labels"]))
        << component << ": the selector does not select the pod template";
    EXPECT_EQ(scalar(spec["selector"]["matchLabels"], "app.kubernetes.io/component"), component);
    const YAML::Node container = spec["template"]["spec"]["containers"][0];
    EXPECT_EQ(scalar(container, "name"), component);
    EXPECT_EQ(container["args"][0].Scalar() + " " + container["args"][1].Scalar(),
              std::string("personae ") + (std::string(component) == "api" ? "serve" : "worker"));
    std::set<std::string> ports;
    for (const auto& port : container["ports"]) ports.insert(scalar(port, "name"));
    for (const auto& [probe, path] : std::vector<std::pair<std::string, std::string>>{
             {"livenessProbe", "/health"}, {"startupProbe", "/health"}, {"readinessProbe", "/ready"}}) {
      const YAML::Node http = container[probe]["httpGet"];
      ASSERT_TRUE(http) << component << " has no " << probe;
      EXPECT_EQ(scalar(http, "path"), path) << component << " " << probe;
      EXPECT_TRUE(ports.contains(scalar(http, "port")))
          << component << " " << probe << " probes an undeclared port";
    }
    EXPECT_FALSE(has_key(spec, "replicas"))
        << component << ": the autoscaler owns the count (an apply would reset it)";
    bool scaled = false;
    for (const auto& autoscaler : of_kind("HorizontalPodAutoscaler")) {
      scaled |=
          scalar(autoscaler["spec"]["scaleTargetRef"], "name") == scalar(deployment["metadata"], "name");
    }
    EXPECT_TRUE(scaled) << component << " has no autoscaler";
  }
  const int grace = std::stoi(scalar(named("Deployment", "personae-api")["spec"]["template"]["spec"],
                                     "terminationGracePeriodSeconds"));
  EXPECT_GT(grace, 15) << "longer than server.shutdown_timeout (15s)";
}

TEST_P(Kubernetes, EveryContainerIsLimitedAndUnprivileged) {
  const auto dockerfile = parse_dockerfile(read_text(repo_path("deploy/Dockerfile")));
  std::string image_user;
  for (const auto& instruction : dockerfile.stages.back().instructions) {
    if (instruction.keyword == "USER")
      image_user = instruction.arguments.substr(0, instruction.arguments.find(':'));
  }
  const auto specs = pod_specs();
  ASSERT_EQ(specs.size(), 4U) << "api, worker, migrate, backup";
  for (const auto& [owner, pod] : specs) {
    const YAML::Node spec = pod["spec"];
    const YAML::Node security = spec["securityContext"];
    EXPECT_EQ(scalar(security, "runAsNonRoot"), "true") << owner;
    EXPECT_EQ(scalar(security, "runAsUser"), image_user) << owner << ": the image's user";
    EXPECT_EQ(scalar(security["seccompProfile"], "type"), "RuntimeDefault") << owner;
    EXPECT_EQ(scalar(spec, "automountServiceAccountToken"), "false") << owner;
    EXPECT_TRUE(named("ServiceAccount", scalar(spec, "serviceAccountName"))) << owner;
    std::set<std::string> volumes;
    for (const auto& volume : spec["volumes"]) volumes.insert(scalar(volume, "name"));
    std::set<std::string> mounted;
    for (const char* list : {"initContainers", "containers"}) {
      for (const auto& container : spec[list]) {
        const std::string where = owner + " " + scalar(container, "name");
        const std::string image = scalar(container, "image");
        EXPECT_NE(image.find(':'), std::string::npos) << where << ": image without a tag";
        EXPECT_EQ(image.find(":latest"), std::string::npos) << where;
        for (const char* bound : {"requests", "limits"}) {
          for (const char* resource : {"cpu", "memory"}) {
            EXPECT_FALSE(scalar(container["resources"][bound], resource).empty())
                << where << ": resources." << bound << "." << resource;
          }
        }
        const YAML::Node context = container["securityContext"];
        EXPECT_EQ(scalar(context, "allowPrivilegeEscalation"), "false") << where;
        EXPECT_EQ(scalar(context, "readOnlyRootFilesystem"), "true") << where;
        ASSERT_TRUE(context["capabilities"]["drop"]) << where;
        EXPECT_EQ(context["capabilities"]["drop"][0].Scalar(), "ALL") << where;
        for (const auto& mount : container["volumeMounts"]) {
          EXPECT_TRUE(volumes.contains(scalar(mount, "name")))
              << where << " mounts unknown volume " << scalar(mount, "name");
          mounted.insert(scalar(mount, "name"));
        }
        for (const auto& source : container["envFrom"]) {
          const std::string config_map = scalar(source["configMapRef"], "name");
          EXPECT_TRUE(named("ConfigMap", config_map)) << where << " reads missing ConfigMap " << config_map;
        }
      }
    }
    for (const auto& volume : spec["volumes"]) {
      const std::string name = scalar(volume, "name");
      EXPECT_TRUE(mounted.contains(name)) << owner << ": volume " << name << " is never mounted";
      if (volume["secret"]) {
        EXPECT_TRUE(kExternalSecrets.contains(scalar(volume["secret"], "secretName")))
            << owner << " " << name;
      }
      if (volume["persistentVolumeClaim"]) {
        EXPECT_TRUE(named("PersistentVolumeClaim", scalar(volume["persistentVolumeClaim"], "claimName")))
            << owner;
      }
    }
  }
}

TEST_P(Kubernetes, ServicesIngressAutoscalersAndBudgetsPointAtRealThings) {
  for (const auto& service : of_kind("Service")) {
    const std::string name = scalar(service["metadata"], "name");
    bool selected = false;
    for (const auto& deployment : of_kind("Deployment")) {
      const YAML::Node pod = deployment["spec"]["template"];
      if (!labels_match(service["spec"]["selector"], pod["metadata"]["labels"])) continue;
      selected = true;
      std::set<std::string> ports;
      for (const auto& port : pod["spec"]["containers"][0]["ports"]) ports.insert(scalar(port, "name"));
      for (const auto& port : service["spec"]["ports"]) {
        EXPECT_TRUE(ports.contains(scalar(port, "targetPort"))) << name << " targets an undeclared port";
      }
    }
    EXPECT_TRUE(selected) << "Service " << name << " selects no pod";
  }
  const YAML::Node ingress = of_kind("Ingress").at(0);
  const YAML::Node rule = ingress["spec"]["rules"][0];
  const std::string host = scalar(rule, "host");
  EXPECT_NE(host, "personae.localhost") << "the overlay sets the host name";
  const YAML::Node backend = rule["http"]["paths"][0]["backend"]["service"];
  const YAML::Node service = named("Service", scalar(backend, "name"));
  ASSERT_TRUE(service) << "the Ingress routes to a missing Service";
  std::set<std::string> service_ports;
  for (const auto& port : service["spec"]["ports"]) service_ports.insert(scalar(port, "name"));
  EXPECT_TRUE(service_ports.contains(scalar(backend["port"], "name")));
  ASSERT_TRUE(ingress["spec"]["tls"]) << "TLS on the Ingress";
  EXPECT_EQ(ingress["spec"]["tls"][0]["hosts"][0].Scalar(), host);

  for (const auto& autoscaler : of_kind("HorizontalPodAutoscaler")) {
    const YAML::Node target = autoscaler["spec"]["scaleTargetRef"];
    EXPECT_EQ(scalar(target, "kind"), "Deployment");
    EXPECT_TRUE(named("Deployment", scalar(target, "name"))) << "the autoscaler scales a missing Deployment";
    const int low = std::stoi(scalar(autoscaler["spec"], "minReplicas"));
    const int high = std::stoi(scalar(autoscaler["spec"], "maxReplicas"));
    EXPECT_GE(low, 1);
    EXPECT_LE(low, high);
  }
  for (const auto& budget : of_kind("PodDisruptionBudget")) {
    const YAML::Node api = named("Deployment", "personae-api");
    EXPECT_TRUE(labels_match(budget["spec"]["selector"]["matchLabels"],
                             api["spec"]["template"]["metadata"]["labels"]));
    const int fewest =
        std::stoi(scalar(named("HorizontalPodAutoscaler", "personae-api")["spec"], "minReplicas"));
    EXPECT_LT(std::stoi(scalar(budget["spec"], "minAvailable")), fewest)
        << "a budget as large as the replicas blocks every node drain";
  }
}

TEST_P(Kubernetes, MigrationJobAndBackupsAreOneShot) {
  const YAML::Node job = named("Job", "personae-migrate");
  ASSERT_TRUE(job);
  const YAML::Node pod = job["spec"]["template"]["spec"];
  EXPECT_TRUE(scalar(pod, "restartPolicy") == "OnFailure" || scalar(pod, "restartPolicy") == "Never");
  EXPECT_EQ(pod["containers"][0]["args"][1].Scalar(), "migrate");
  EXPECT_FALSE(scalar(job["spec"], "backoffLimit").empty());
  const YAML::Node cron = named("CronJob", "personae-backup");
  ASSERT_TRUE(cron);
  EXPECT_EQ(scalar(cron["spec"], "concurrencyPolicy"), "Forbid") << "one backup at a time writes the folder";
  EXPECT_TRUE(std::regex_match(scalar(cron["spec"], "schedule"), std::regex(R"(\S+ \S+ \S+ \S+ \S+)")));
  const YAML::Node backup = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(backup["args"][0].Scalar() + " " + backup["args"][1].Scalar(), "personae-backup --once");
}

TEST_P(Kubernetes, ConfigMapIsAValidPersonaeConfiguration) {
  const YAML::Node config_map = of_kind("ConfigMap").at(0);
  testing::TempDir secrets;
  std::map<std::string, std::string> environment;
  for (const auto& entry : config_map["data"]) {
    const std::string variable = entry.first.Scalar();
    std::string value = entry.second.Scalar();
    EXPECT_EQ(variable.rfind("PERSONAE_", 0), 0U) << variable;
    if (value.rfind("/run/secrets/", 0) == 0) {
      const auto file = secrets.path() / std::filesystem::path(value).filename();
      write_text(file,
                 variable.find("REDIS") != std::string::npos ? "redis://:secret@redis:6379/0\n" : "secret\n");
      value = file.string();
    }
    environment[variable] = value;
  }
  const auto result = run({PERSONAE_BINARY, "config", "check"}, "personae", environment);
  EXPECT_EQ(result.exit_status, 0) << result.standard_error << result.standard_output;
  // Secrets are files from the mounted Secret, never values in the ConfigMap.
  for (const auto& entry : config_map["data"]) {
    const std::string variable = entry.first.Scalar();
    for (const char* secret : {"PASSWORD", "SECRET_KEY", "ACCESS_KEY", "TOKEN", "REDIS_URL"}) {
      if (variable.find(secret) != std::string::npos) {
        EXPECT_EQ(variable.substr(variable.size() - 5), "_FILE") << variable << " must be read from a file";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Overlays, Kubernetes, ::testing::ValuesIn(kOverlays),
                         [](const ::testing::TestParamInfo<Overlay>& info) { return info.param.name; });

TEST(KubernetesProduction, RunsSeveralApiPodsAcrossNodes) {
  if (!find_program("kubectl")) GTEST_SKIP() << "kubectl is not installed";
  int api_minimum = 0;
  int worker_minimum = 0;
  std::string spread;
  for (const auto& document : render("production")) {
    const std::string name = scalar(document["metadata"], "name");
    if (scalar(document, "kind") == "Deployment" && name == "personae-api") {
      spread =
          scalar(document["spec"]["template"]["spec"]["topologySpreadConstraints"][0], "whenUnsatisfiable");
    }
    if (scalar(document, "kind") == "HorizontalPodAutoscaler") {
      (name == "personae-api" ? api_minimum : worker_minimum) =
          std::stoi(scalar(document["spec"], "minReplicas"));
    }
  }
  EXPECT_GE(api_minimum, 2);
  EXPECT_GE(worker_minimum, 2);
  EXPECT_EQ(spread, "DoNotSchedule");
}

}  // namespace
}  // namespace personae::deploy_test

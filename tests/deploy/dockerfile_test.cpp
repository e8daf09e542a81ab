// deploy/Dockerfile, checked structurally (hadolint is not packaged for Debian, and no Docker engine
// runs here): pinned Debian bookworm stages, a lean runtime stage holding exactly the shared
// libraries the built binary loads, an unprivileged user, a health check on /health.

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "tests/deploy/deploy_support.hpp"

namespace personae::deploy_test {
namespace {

const Dockerfile& dockerfile() {
  static const Dockerfile parsed = parse_dockerfile(read_text(repo_path("deploy/Dockerfile")));
  return parsed;
}

const DockerStage& stage(const std::string& name) {
  for (const auto& s : dockerfile().stages) {
    if (s.name == name) return s;
  }
  throw std::runtime_error("no stage named " + name + " in deploy/Dockerfile");
}

std::vector<DockerInstruction> instructions(const DockerStage& s, const std::string& keyword) {
  std::vector<DockerInstruction> found;
  for (const auto& instruction : s.instructions) {
    if (instruction.keyword == keyword) found.push_back(instruction);
  }
  return found;
}

// The packages an apt-get install in `run` names.
std::set<std::string> apt_packages(const std::string& run) {
  std::set<std::string> packages;
  const auto at = run.find("apt-get install");
  if (at == std::string::npos) return packages;
  const auto words = split_words(run.substr(at + std::string("apt-get install").size()));
  for (const auto& word : words) {
    if (word == "&&" || word == ";" || word == "|") break;
    if (word.empty() || word[0] == '-') continue;
    packages.insert(word);
  }
  return packages;
}

std::set<std::string> runtime_packages() {
  std::set<std::string> packages;
  for (const auto& run : instructions(dockerfile().stages.back(), "RUN")) {
    const auto found = apt_packages(run.arguments);
    packages.insert(found.begin(), found.end());
  }
  return packages;
}

// .dockerignore semantics for the patterns it uses: the last matching line wins; "*" matches
// everything, "dir/" or "path" match that path and everything under it, "!" re-includes.
bool in_build_context(const std::string& path) {
  bool included = true;
  std::istringstream lines(read_text(repo_path(".dockerignore")));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const bool negate = line[0] == '!';
    std::string pattern = negate ? line.substr(1) : line;
    while (!pattern.empty() && pattern.back() == '/') pattern.pop_back();
    const bool matches = pattern == "*" || path == pattern || path.rfind(pattern + "/", 0) == 0;
    if (matches) included = negate;
  }
  return included;
}

TEST(Dockerfile, StagesArePinnedDebianBookworm) {
  const auto& stages = dockerfile().stages;
  ASSERT_GE(stages.size(), 3U) << "web, build and runtime stages";
  for (const auto& s : stages) {
    const auto colon = s.image.rfind(':');
    ASSERT_NE(colon, std::string::npos) << s.image << " has no tag";
    const std::string tag = s.image.substr(colon + 1);
    EXPECT_NE(tag, "latest") << s.image;
    EXPECT_NE(tag.find("bookworm"), std::string::npos) << s.image << ": every stage is Debian 12 (bookworm)";
  }
  EXPECT_EQ(stages.back().name, "runtime");
  EXPECT_EQ(stages.back().image, "debian:bookworm-slim") << "the final image is Debian slim";
  EXPECT_EQ(stage("build").image, "debian:bookworm");
}

TEST(Dockerfile, BuildsTheReleaseBinaryWithTheBootstrapPackages) {
  std::string runs;
  for (const auto& run : instructions(stage("build"), "RUN")) runs += run.arguments + "\n";
  EXPECT_NE(runs.find("scripts/bootstrap run"), std::string::npos)
      << "one list of build packages: scripts/bootstrap";
  EXPECT_NE(runs.find("cmake --preset release"), std::string::npos);
  EXPECT_NE(runs.find("cmake --build --preset release"), std::string::npos);
  EXPECT_NE(runs.find("strip"), std::string::npos);
  std::string web;
  for (const auto& run : instructions(stage("web"), "RUN")) web += run.arguments + "\n";
  EXPECT_NE(web.find("npm ci"), std::string::npos);
  EXPECT_NE(web.find("npm run build"), std::string::npos);
  // The dashboard's build generates its API types from the contract: the web stage needs it.
  std::string web_copies;
  for (const auto& copy : instructions(stage("web"), "COPY")) web_copies += copy.arguments + "\n";
  EXPECT_NE(web_copies.find("api/openapi.yaml /src/api/openapi.yaml"), std::string::npos);
  EXPECT_NE(web_copies.find("web/package-lock.json"), std::string::npos) << "npm ci needs the lock file";
  // The runtime stage takes the binary and the built dashboard, served from the configured folder.
  std::string copies;
  for (const auto& copy : instructions(dockerfile().stages.back(), "COPY")) copies += copy.arguments + "\n";
  EXPECT_NE(copies.find("--from=build /src/build/release/personae /usr/local/bin/personae"),
            std::string::npos);
  const auto environment = stage_environment(dockerfile().stages.back());
  ASSERT_TRUE(environment.contains("PERSONAE_SERVER_DASHBOARD_DIR"));
  EXPECT_NE(copies.find("--from=web /src/web/dist " + environment.at("PERSONAE_SERVER_DASHBOARD_DIR")),
            std::string::npos);
}

TEST(Dockerfile, RunsAsAnUnprivilegedUserWithAHealthCheck) {
  const auto& runtime = dockerfile().stages.back();
  const auto users = instructions(runtime, "USER");
  ASSERT_FALSE(users.empty()) << "the runtime stage must switch to a non-root user";
  const std::string user = users.back().arguments;
  EXPECT_EQ(user, "10001:10001") << "the identity the Kubernetes manifests name";
  // Nothing runs as root after the switch.
  bool after_user = false;
  for (const auto& instruction : runtime.instructions) {
    if (instruction.keyword == "USER") after_user = true;
    if (after_user) {
      EXPECT_NE(instruction.keyword, "RUN") << "RUN after USER, line " << instruction.line;
    }
  }
  const auto environment = stage_environment(runtime);
  const std::string listen =
      environment.count("PERSONAE_SERVER_LISTEN") ? environment.at("PERSONAE_SERVER_LISTEN") : "";
  const std::string port = listen.substr(listen.rfind(':') + 1);
  ASSERT_FALSE(port.empty());
  const auto exposes = instructions(runtime, "EXPOSE");
  ASSERT_EQ(exposes.size(), 1U);
  EXPECT_EQ(exposes[0].arguments, port);
  const auto checks = instructions(runtime, "HEALTHCHECK");
  ASSERT_EQ(checks.size(), 1U);
  EXPECT_NE(checks[0].arguments.find("http://127.0.0.1:" + port + "/health"), std::string::npos)
      << checks[0].arguments;
  EXPECT_EQ(instructions(runtime, "ENTRYPOINT").size(), 1U);
  const auto commands = instructions(runtime, "CMD");
  ASSERT_EQ(commands.size(), 1U);
  EXPECT_EQ(commands[0].arguments, R"(["personae", "serve"])");
}

TEST(Dockerfile, AptInstallsAreLeanAndCleanedUp) {
  for (const auto& s : dockerfile().stages) {
    for (const auto& run : instructions(s, "RUN")) {
      if (run.arguments.find("apt-get install") == std::string::npos) continue;
      EXPECT_NE(run.arguments.find("--no-install-recommends"), std::string::npos) << "line " << run.line;
      EXPECT_NE(run.arguments.find("rm -rf /var/lib/apt/lists/*"), std::string::npos)
          << "line " << run.line << ": remove the package lists in the same layer";
      EXPECT_NE(run.arguments.find("apt-get update"), std::string::npos) << "line " << run.line;
    }
  }
  // The runtime stage installs no compiler, no headers, no Node.
  static const std::set<std::string> build_only = {
      "g++",        "gcc",    "clang", "cmake", "make", "ninja-build", "build-essential",
      "pkg-config", "nodejs", "npm",   "git"};
  for (const auto& package : runtime_packages()) {
    EXPECT_FALSE(build_only.contains(package)) << package << " is a build tool";
    EXPECT_FALSE(package.size() > 4 && package.compare(package.size() - 4, 4, "-dev") == 0)
        << package << ": no -dev package at run time";
  }
}

TEST(Dockerfile, InstallsExactlyTheLibrariesTheBinaryLoads) {
  // The built binary's NEEDED entries, each mapped to its Debian package (dpkg -S): all must be
  // installed in the runtime stage, and every library package installed there must be one of them.
  const auto elf = run({"readelf", "-d", PERSONAE_BINARY}, "binutils");
  ASSERT_EQ(elf.exit_status, 0) << elf.standard_error;
  const auto cache = run({"/sbin/ldconfig", "-p"}, "libc-bin");
  ASSERT_EQ(cache.exit_status, 0);
  std::map<std::string, std::string> library_paths;
  {
    // "\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1" (std::regex is slow here).
    std::istringstream lines(cache.standard_output);
    std::string line;
    while (std::getline(lines, line)) {
      const auto name_at = line.find_first_not_of(" \t");
      const auto open = line.find(" (");
      const auto arrow = line.find(") => ");
      if (name_at == std::string::npos || open == std::string::npos || arrow == std::string::npos) continue;
      if (line.substr(open, arrow - open).find("x86-64") == std::string::npos) continue;
      library_paths.emplace(line.substr(name_at, open - name_at), line.substr(arrow + 5));
    }
  }
  static const std::set<std::string> in_base_image = {"libc6", "libgcc-s1", "libstdc++6"};
  const auto installed = runtime_packages();
  // soname -> the file dpkg knows (the cache may name a symlink that /usr-merge moved).
  std::map<std::string, std::string> files;
  std::vector<std::string> sonames;  // " 0x... (NEEDED)  Shared library: [libz.so.1]"
  {
    std::istringstream lines(elf.standard_output);
    std::string line;
    while (std::getline(lines, line)) {
      const auto open = line.find("Shared library: [");
      if (line.find("(NEEDED)") == std::string::npos || open == std::string::npos) continue;
      const auto start = open + std::string("Shared library: [").size();
      sonames.push_back(line.substr(start, line.find(']', start) - start));
    }
  }
  for (const auto& soname : sonames) {
    if (soname.rfind("libasan", 0) == 0 || soname.rfind("libubsan", 0) == 0 ||
        soname.rfind("liblsan", 0) == 0 || soname.rfind("libtsan", 0) == 0) {
      continue;  // sanitizer runtimes of the test build, not in a release build
    }
    ASSERT_TRUE(library_paths.contains(soname)) << soname << " is not in the linker cache";
    // "x86_64-linux-gnu/libz.so.1": the multiarch folder tells it from a lib32 twin.
    const std::filesystem::path path = library_paths.at(soname);
    files[soname] = path.parent_path().filename().string() + "/" + path.filename().string();
  }
  // One dpkg call for all of them: "package:arch: /path/file" lines. Each path is asked with and
  // without /usr (merged /usr: dpkg knows one of the two); exact paths keep the query fast.
  std::vector<std::string> query = {"dpkg", "-S"};
  for (const auto& [soname, file] : files) {
    const std::string path = library_paths.at(soname);
    query.push_back(path);
    query.push_back(path.rfind("/usr/", 0) == 0 ? path.substr(4) : "/usr" + path);
  }
  const auto owners = run(query, "dpkg");
  std::map<std::string, std::string> package_of_file;
  {
    std::istringstream lines(owners.standard_output);
    std::string line;
    while (std::getline(lines, line)) {
      const auto colon = line.find(':');
      const auto path_at = line.find(": ");
      if (colon == std::string::npos || path_at == std::string::npos) continue;
      std::string packages = line.substr(0, path_at);
      const std::filesystem::path path = line.substr(path_at + 2);
      const std::string file = path.parent_path().filename().string() + "/" + path.filename().string();
      packages = packages.substr(0, packages.find(','));
      package_of_file.emplace(file, packages.substr(0, packages.find(':')));
    }
  }
  std::set<std::string> required;
  for (const auto& [soname, file] : files) {
    ASSERT_TRUE(package_of_file.contains(file)) << "no package owns " << file << "\n"
                                                << owners.standard_error;
    const std::string package = package_of_file.at(file);
    required.insert(package);
    if (in_base_image.contains(package)) continue;
    EXPECT_TRUE(installed.contains(package))
        << soname << " comes from " << package << ", which the runtime stage does not install";
  }
  ASSERT_GE(required.size(), 10U);
  for (const auto& package : installed) {
    if (package.rfind("lib", 0) != 0) continue;
    EXPECT_TRUE(required.contains(package)) << package << " is installed but the binary does not load it";
  }
  // What the binary needs besides libraries: certificates, time zones, the watermark font, the
  // PostgreSQL client tools of backup and restore; curl and rotatelogs for the image's scripts.
  for (const char* package :
       {"ca-certificates", "tzdata", "fonts-dejavu-core", "postgresql-client", "curl", "apache2-utils"}) {
    EXPECT_TRUE(installed.contains(package)) << package;
  }
}

TEST(Dockerfile, CopiesOnlyWhatTheBuildContextLetsIn) {
  int checked = 0;
  for (const auto& s : dockerfile().stages) {
    for (const auto& copy : instructions(s, "COPY")) {
      auto words = split_words(copy.arguments);
      if (std::any_of(words.begin(), words.end(),
                      [](const std::string& w) { return w.rfind("--from=", 0) == 0; })) {
        continue;
      }
      words.erase(std::remove_if(words.begin(), words.end(),
                                 [](const std::string& w) { return w.rfind("--", 0) == 0; }),
                  words.end());
      ASSERT_GE(words.size(), 2U) << "line " << copy.line;
      for (std::size_t i = 0; i + 1 < words.size(); ++i) {
        std::string source = words[i];
        while (!source.empty() && source.back() == '/') source.pop_back();
        if (source == ".") continue;
        EXPECT_TRUE(in_build_context(source))
            << source << " (line " << copy.line << ") is excluded by .dockerignore";
        EXPECT_TRUE(std::filesystem::exists(repo_path(source)))
            << source << " (line " << copy.line << ") does not exist in the repository";
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 8);
  for (const char* excluded : {".git", "build", "var", "web/node_modules", "web/dist", "tests", ".env",
                               "deploy/compose/secrets", "personae.toml"}) {
    EXPECT_FALSE(in_build_context(excluded)) << excluded << " must stay out of the build context";
  }
  for (const char* script : {"deploy/docker/personae-entrypoint", "deploy/docker/personae-backup"}) {
    const auto status = std::filesystem::status(repo_path(script));
    EXPECT_NE(status.permissions() & std::filesystem::perms::owner_exec, std::filesystem::perms::none)
        << script << " must be executable (COPY keeps the mode)";
  }
}

}  // namespace
}  // namespace personae::deploy_test

// The scripts of the image and the host, run for real against stand-ins: the image's entrypoint
// (log files, signals, exit status), the backup scheduler (atomic files, checksums, retention,
// health, metrics, failures) and the hosts scripts (idempotent blocks).

#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/deploy/deploy_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::deploy_test {
namespace {

using namespace std::chrono_literals;

void write_executable(const std::filesystem::path& path, const std::string& text) {
  write_text(path, text);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

std::vector<std::filesystem::path> files_in(const std::filesystem::path& folder,
                                            const std::string& prefix = "") {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::exists(folder)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.is_regular_file() && entry.path().filename().string().rfind(prefix, 0) == 0)
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string bash() {
  const auto found = find_program("bash");
  if (!found) throw std::runtime_error("bash is not installed");
  return *found;
}

TEST(Entrypoint, WithoutLogDirItRunsTheCommandAsItIs) {
  const auto result = run({bash(), repo_path("deploy/docker/personae-entrypoint").string(), "sh", "-c",
                           "echo out; echo err >&2; exit 7"},
                          "bash");
  EXPECT_EQ(result.exit_status, 7);
  EXPECT_EQ(result.standard_output, "out\n");
  EXPECT_EQ(result.standard_error, "err\n");
}

TEST(Entrypoint, CopiesStandardErrorToARotatedFileAndPassesSignalsOn) {
  if (!find_program("rotatelogs")) FAIL() << "rotatelogs is not installed (Debian package apache2-utils)";
  testing::TempDir folder;
  const auto program = folder.path() / "fake-personae";
  // Writes 8000 lines of about 80 bytes (640 KB: more than 3 files of up to 128 KiB hold) to stderr,
  // then waits for SIGTERM and exits 3.
  write_executable(program, R"(#!/bin/bash
trap 'echo "{\"msg\":\"stopping\"}" >&2; exit 3' TERM
for i in $(seq 1 8000); do
  echo "{\"line\":$i,\"msg\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}" >&2
done
echo ready
while :; do sleep 0.1; done
)");
  testing::ChildProcess::Options options;
  options.arguments = {bash(), repo_path("deploy/docker/personae-entrypoint").string(), program.string(),
                       "serve"};
  options.environment = {{"LOG_DIR", (folder.path() / "logs").string()},
                         {"LOG_FILE_SIZE", "64K"},
                         {"LOG_FILE_COUNT", "3"},
                         {"LOG_NAME", "api"},
                         {"HOSTNAME", "container1"}};
  testing::ChildProcess child(std::move(options));
  ASSERT_TRUE(child.wait_for_output_line("ready", 30s)) << child.standard_error();
  child.signal(SIGTERM);
  const auto status = child.wait(30s);
  ASSERT_TRUE(status) << "the entrypoint did not stop on SIGTERM";
  EXPECT_EQ(*status, 3) << "the program's exit status is the container's";
  // Every line still reaches standard error (docker logs), and the files hold the newest ones.
  const std::string echoed = child.standard_error();
  EXPECT_NE(echoed.find("\"line\":1,"), std::string::npos);
  EXPECT_NE(echoed.find("\"line\":8000,"), std::string::npos);
  EXPECT_NE(echoed.find("stopping"), std::string::npos) << "lines written while stopping are kept";
  const auto files = files_in(folder.path() / "logs", "api-container1.log");
  ASSERT_EQ(files.size(), 3U) << "a ring of LOG_FILE_COUNT files";
  std::string all;
  for (const auto& file : files) {
    // rotatelogs checks the size after each write of up to 64 KiB read from the pipe.
    EXPECT_LE(std::filesystem::file_size(file), 2U * 64 * 1024) << file;
    all += read_text(file);
  }
  EXPECT_NE(all.find("stopping"), std::string::npos);
  EXPECT_EQ(all.find("\"line\":1,"), std::string::npos) << "the oldest lines were rotated out";
  EXPECT_EQ(std::filesystem::status(files[0]).permissions() & std::filesystem::perms::others_all,
            std::filesystem::perms::none)
      << "log files are not world-readable";
}

TEST(Entrypoint, RefusesBadSettings) {
  const auto result = run({bash(), repo_path("deploy/docker/personae-entrypoint").string(), "true"}, "bash",
                          {{"LOG_DIR", "/tmp"}, {"LOG_FILE_SIZE", "lots"}});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.standard_error.find("LOG_FILE_SIZE"), std::string::npos);
}

class Backup : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = folder_.path() / "personae";
    // A stand-in for `personae backup --output FILE [FLAGS]`: writes the file (and records its
    // arguments), or fails when asked to.
    write_executable(fake_, R"(#!/bin/bash
[ "$1" = backup ] && [ "$2" = --output ] || { echo "unexpected arguments: $*" >&2; exit 9; }
echo "$*" > "$(dirname "$3")/../last-arguments"
if [ -e "$(dirname "$3")/../fail" ]; then echo "database unreachable" >&2; exit 1; fi
head -c 1000 /dev/urandom > "$3"
)");
  }

  testing::CommandResult backup(const std::vector<std::string>& arguments,
                                std::map<std::string, std::string> environment = {}) {
    std::vector<std::string> command = {bash(), repo_path("deploy/docker/personae-backup").string()};
    command.insert(command.end(), arguments.begin(), arguments.end());
    environment.emplace("PERSONAE_BIN", fake_.string());
    environment.emplace("BACKUP_DIR", dir().string());
    environment.emplace("BACKUP_KEEP", "3");
    environment.emplace("BACKUP_METRICS_FILE", metrics().string());
    return run(command, "bash", environment);
  }

  std::filesystem::path dir() const { return folder_.path() / "backups"; }
  std::filesystem::path metrics() const { return folder_.path() / "metrics" / "personae_backup.prom"; }
  std::vector<std::filesystem::path> backups() const {
    std::vector<std::filesystem::path> found;
    for (const auto& file : files_in(dir(), "personae-")) {
      const std::string name = file.filename().string();
      if (name.size() > 7 && name.compare(name.size() - 7, 7, ".tar.gz") == 0) found.push_back(file);
    }
    return found;
  }
  double metric(const std::string& name) const {
    std::istringstream lines(read_text(metrics()));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
    }
    throw std::runtime_error(name + " missing from the metrics file");
  }

  testing::TempDir folder_;
  std::filesystem::path fake_;
};

TEST_F(Backup, WritesCompleteFilesWithChecksumsAndKeepsTheNewest) {
  EXPECT_NE(backup({"--check"}).exit_status, 0) << "no backup yet, none running: unhealthy";
  for (int i = 0; i < 5; ++i) {
    const auto result = backup({"--once"});
    ASSERT_EQ(result.exit_status, 0) << result.standard_error;
    std::this_thread::sleep_for(1100ms);  // backups are named by the second
  }
  const auto kept = backups();
  ASSERT_EQ(kept.size(), 3U) << "BACKUP_KEEP";
  for (const auto& file : kept) {
    EXPECT_EQ(std::filesystem::file_size(file), 1000U);
    const auto sum = run({"sha256sum", "-c", file.filename().string() + ".sha256"}, "coreutils", {}, dir());
    EXPECT_EQ(sum.exit_status, 0) << sum.standard_output << sum.standard_error;
    EXPECT_EQ(std::filesystem::status(file).permissions() &
                  (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none)
        << "backups are private";
  }
  EXPECT_EQ(files_in(dir(), "personae-").size(), 6U) << "each backup with its .sha256, nothing else";
  EXPECT_TRUE(files_in(dir() / ".tmp", "personae-").empty()) << "nothing left half-written";
  EXPECT_EQ(backup({"--check"}).exit_status, 0);
  EXPECT_GT(metric("personae_backup_last_success_timestamp_seconds"), 1.6e9);
  EXPECT_EQ(metric("personae_backup_last_failure_timestamp_seconds"), 0);
  EXPECT_EQ(metric("personae_backup_last_size_bytes"), 1000);
  EXPECT_EQ(metric("personae_backup_files"), 3);
}

TEST_F(Backup, AFailureLeavesNoFileAndIsReported) {
  ASSERT_EQ(backup({"--once"}).exit_status, 0);
  write_text(dir() / "fail", "");
  std::this_thread::sleep_for(1100ms);
  const auto result = backup({"--once"});
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_NE(result.standard_error.find("\"msg\":\"backup failed\""), std::string::npos)
      << result.standard_error;
  EXPECT_EQ(backups().size(), 1U);
  EXPECT_TRUE(files_in(dir() / ".tmp", "personae-").empty());
  EXPECT_GT(metric("personae_backup_last_failure_timestamp_seconds"),
            metric("personae_backup_last_success_timestamp_seconds") - 1);
  EXPECT_EQ(metric("personae_backup_last_size_bytes"), 1000) << "the last good backup's size stays";
}

TEST_F(Backup, TheScheduleRunsAtOnceThenEveryIntervalAndStopsOnSigterm) {
  testing::ChildProcess::Options options;
  options.arguments = {bash(), repo_path("deploy/docker/personae-backup").string()};
  options.environment = {{"PERSONAE_BIN", fake_.string()},
                         {"BACKUP_DIR", dir().string()},
                         {"BACKUP_KEEP", "10"},
                         {"BACKUP_INTERVAL", "2s"}};
  testing::ChildProcess loop(std::move(options));
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (backups().size() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  EXPECT_GE(backups().size(), 2U) << loop.standard_error();
  loop.signal(SIGTERM);
  const auto status = loop.wait(10s);
  ASSERT_TRUE(status) << "the schedule did not stop on SIGTERM";
  EXPECT_EQ(*status, 0);
  EXPECT_NE(loop.standard_error().find("backup schedule stopped"), std::string::npos);
}

TEST_F(Backup, OneBackupAtATimePerFolder) {
  std::filesystem::create_directories(dir() / ".tmp");
  ASSERT_TRUE(find_program("flock")) << "flock (util-linux) is missing";
  // Holds the lock as the schedule does, in the process that then sleeps (killing it releases it).
  testing::ChildProcess::Options options;
  options.arguments = {"/bin/sh", "-c", "exec 9>\"$0\"; flock 9; echo locked; exec sleep 20",
                       (dir() / ".tmp" / "lock").string()};
  testing::ChildProcess holder(std::move(options));
  ASSERT_TRUE(holder.wait_for_output_line("locked", 10s));
  const auto refused = backup({"--once"});
  EXPECT_EQ(refused.exit_status, 1);
  EXPECT_NE(refused.standard_error.find("another backup is running"), std::string::npos)
      << refused.standard_error;
  EXPECT_TRUE(backups().empty());
  holder.signal(SIGKILL);
  holder.wait(10s);
  EXPECT_EQ(backup({"--once"}).exit_status, 0) << "the lock is released with its holder";
}

TEST_F(Backup, PassesTheIncludeFlagsOn) {
  ASSERT_EQ(backup({"--once"}).exit_status, 0);
  const std::string plain = read_text(dir() / "last-arguments");
  EXPECT_EQ(plain.find("--include"), std::string::npos) << plain;
  EXPECT_TRUE(
      std::regex_search(plain, std::regex(R"(^backup --output \S+/\.tmp/personae-\d{8}T\d{6}Z\.tar\.gz\n$)")))
      << plain;
  std::this_thread::sleep_for(1100ms);
  ASSERT_EQ(
      backup({"--once"}, {{"BACKUP_INCLUDE_BLOBS", "true"}, {"BACKUP_INCLUDE_SECRETS", "true"}}).exit_status,
      0);
  const std::string both = read_text(dir() / "last-arguments");
  EXPECT_NE(both.find(" --include-blobs"), std::string::npos) << both;
  EXPECT_NE(both.find(" --include-secrets"), std::string::npos) << both;
  EXPECT_EQ(backup({"--once"}, {{"BACKUP_INCLUDE_BLOBS", "yes"}}).exit_status, 2);
}

TEST_F(Backup, RefusesBadSettings) {
  const auto result = backup({"--once"}, {{"BACKUP_INTERVAL", "soon"}});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.standard_error.find("BACKUP_INTERVAL"), std::string::npos);
}

TEST(AddHosts, AddsOneBlockOnceAndRemovesIt) {
  testing::TempDir folder;
  const auto hosts = folder.path() / "hosts";
  const std::string original = "127.0.0.1\tlocalhost\n::1\tlocalhost\n";
  write_text(hosts, original);
  const auto script = repo_path("scripts/add_hosts.sh").string();
  auto first =
      run({bash(), script, "--hosts-file", hosts.string(), "api.localhost", "grafana.localhost"}, "bash");
  ASSERT_EQ(first.exit_status, 0) << first.standard_error;
  const std::string added = read_text(hosts);
  EXPECT_EQ(
      added,
      original +
          "# BEGIN personae (scripts/add_hosts.sh)\n127.0.0.1\tapi.localhost\n127.0.0.1\tgrafana.localhost\n"
          "# END personae\n");
  auto again =
      run({bash(), script, "--hosts-file", hosts.string(), "api.localhost", "grafana.localhost"}, "bash");
  ASSERT_EQ(again.exit_status, 0);
  EXPECT_EQ(read_text(hosts), added) << "a second run changes nothing";
  EXPECT_NE(again.standard_output.find("already up to date"), std::string::npos);
  auto removed = run({bash(), script, "--hosts-file", hosts.string(), "--remove"}, "bash");
  ASSERT_EQ(removed.exit_status, 0);
  EXPECT_EQ(read_text(hosts), original);
  EXPECT_EQ(run({bash(), script, "--hosts-file", hosts.string(), "bad name!"}, "bash").exit_status, 2);
}

TEST(AddHosts, DefaultsAreTheRoutedNamesInBothScripts) {
  testing::TempDir folder;
  const auto hosts = folder.path() / "hosts";
  const auto result =
      run({bash(), repo_path("scripts/add_hosts.sh").string(), "--hosts-file", hosts.string()}, "bash");
  ASSERT_EQ(result.exit_status, 0) << result.standard_error;
  const std::string text = read_text(hosts);
  const std::string ps1 = read_text(repo_path("scripts/add_hosts.ps1"));
  for (const char* name : {"api.localhost", "traefik.localhost", "grafana.localhost", "portainer.localhost",
                           "minio.localhost"}) {
    EXPECT_NE(text.find(std::string("127.0.0.1\t") + name + "\n"), std::string::npos) << name;
    EXPECT_NE(ps1.find(std::string("'") + name + "'"), std::string::npos) << "add_hosts.ps1 lacks " << name;
  }
  // Both scripts write the same block, so either can remove what the other added.
  EXPECT_NE(ps1.find("'# BEGIN personae (scripts/add_hosts.sh)'"), std::string::npos);
  EXPECT_NE(ps1.find("'# END personae'"), std::string::npos);
}

}  // namespace
}  // namespace personae::deploy_test

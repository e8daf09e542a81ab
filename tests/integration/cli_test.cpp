// Black-box tests of the command line: help, configuration errors, start-up failures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "tests/integration/personae_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CliTest : public ::testing::Test {
 protected:
  std::string write_config(const std::string& contents) {
    const auto path = (dir_.path() / "personae.toml").string();
    std::ofstream(path) << contents;
    return path;
  }

  TempDir dir_;
};

TEST_F(CliTest, HelpExplainsEveryCommand) {
  const auto top = run_personae({"--help"});
  EXPECT_EQ(top.exit_status, 0);
  for (const char* command : {"serve", "worker", "migrate", "config", "version", "audit"}) {
    EXPECT_THAT(top.standard_output, HasSubstr(command));
  }
  EXPECT_THAT(run_personae({"worker", "--help"}).standard_output, HasSubstr("job queue"));
  EXPECT_THAT(run_personae({"migrate", "--help"}).standard_output, HasSubstr("--status"));
  EXPECT_THAT(run_personae({"serve", "--help"}).standard_output, HasSubstr("--database-url"));
}

TEST_F(CliTest, VersionPrintsTheBuild) {
  const auto result = run_personae({"version"});
  EXPECT_EQ(result.exit_status, 0);
  EXPECT_THAT(result.standard_output, HasSubstr("personae 0."));
}

TEST_F(CliTest, UnknownCommandOrOptionIsAUsageError) {
  EXPECT_EQ(run_personae({"frobnicate"}).exit_status, 2);
  EXPECT_EQ(run_personae({"serve", "--no-such-option"}).exit_status, 2);
  EXPECT_EQ(run_personae({}).exit_status, 2);
}

TEST_F(CliTest, ConfigCheckAcceptsAValidFile) {
  const auto file = write_config("[server]\nlisten = \"127.0.0.1:9090\"\n");
  const auto result = run_personae({"config", "check", "--config", file});
  EXPECT_EQ(result.exit_status, 0) << result.standard_error;
  EXPECT_THAT(result.standard_output, HasSubstr("configuration is valid"));
}

TEST_F(CliTest, UnknownKeyExitsTwoNamingTheKey) {
  const auto file = write_config("[database]\nurll = \"sqlite:///tmp/x.db\"\n");
  for (const bool serve : {false, true}) {
    const auto result = serve ? run_personae({"serve", "--config", file})
                              : run_personae({"config", "check", "--config", file});
    EXPECT_EQ(result.exit_status, 2);
    EXPECT_THAT(result.standard_error,
                HasSubstr("database.urll: unknown key (did you mean \"database.url\"?)"));
  }
}

TEST_F(CliTest, WrongTypeAndBadValueExitTwo) {
  auto result = run_personae({"config", "check", "--config", write_config("[server]\nhsts = \"yes\"\n")});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_THAT(result.standard_error, HasSubstr("server.hsts: expected true or false, got a string"));

  result = run_personae({"serve", "--listen", "nowhere"});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_THAT(result.standard_error, HasSubstr("server.listen"));

  result = run_personae({"config", "check"}, {{"PERSONAE_SERVER_WORKER_THREADS", "-1"}});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_THAT(result.standard_error, HasSubstr("PERSONAE_SERVER_WORKER_THREADS"));
}

TEST_F(CliTest, MalformedDatabaseUrlExitsTwo) {
  const auto result = run_personae({"config", "check", "--database-url", "mysql://x"});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_THAT(result.standard_error, HasSubstr("database.url"));
}

TEST_F(CliTest, ConfigShowMasksSecrets) {
  std::ofstream(dir_.path() / "password") << "hunter2-very-secret\n";
  const auto file =
      write_config("[database]\npassword_file = \"" + (dir_.path() / "password").string() + "\"\n");
  const auto result = run_personae({"config", "show", "--config", file});
  EXPECT_EQ(result.exit_status, 0) << result.standard_error;
  EXPECT_THAT(result.standard_output, HasSubstr("password = \"***\""));
  EXPECT_THAT(result.standard_output + result.standard_error, Not(HasSubstr("hunter2")));
}

TEST_F(CliTest, UnreachableDatabaseFailsFastWithoutLeakingThePassword) {
  const int closed_port = free_tcp_port();
  const auto started = std::chrono::steady_clock::now();
  const auto result = run_personae(
      {"serve", "--listen", "127.0.0.1:0", "--database-url",
       "postgresql://personae:topsecret@127.0.0.1:" + std::to_string(closed_port) + "/personae"});
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_THAT(result.standard_error, HasSubstr("cannot connect to the database"));
  EXPECT_THAT(result.standard_error + result.standard_output, Not(HasSubstr("topsecret")));
}

TEST_F(CliTest, TheDocumentedExampleConfigurationIsValid) {
  const auto result =
      run_personae({"config", "check", "--config", PERSONAE_SOURCE_DIR "/personae.example.toml"});
  EXPECT_EQ(result.exit_status, 0) << result.standard_error;
}

TEST_F(CliTest, DefaultConfigFileIsReadFromTheWorkingDirectory) {
  write_config("[server]\nlisten = \"127.0.0.1:9\"\nbogus = 1\n");
  const auto result = run_personae({"config", "check"}, {}, dir_.path());
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_THAT(result.standard_error, HasSubstr("personae.toml:3: server.bogus: unknown key"));
}

TEST_F(CliTest, ServeRefusesAMasterKeyOtherUsersCanRead) {
  const auto data_dir = dir_.path() / "var";
  const auto key = data_dir / "secrets" / "master.key";
  // `tenant list` opens the secrets like serve does: the first run creates the key, owner-only.
  ASSERT_EQ(run_personae({"tenant", "list", "--data-dir", data_dir.string()}).exit_status, 0);
  std::filesystem::permissions(key, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  const auto result = run_personae({"serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir.string()});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_THAT(result.standard_error, HasSubstr("secrets.master_key_file"));
  EXPECT_THAT(result.standard_error, HasSubstr("chmod 600 " + key.string()));
}

}  // namespace
}  // namespace personae::testing

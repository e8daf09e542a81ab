// `personae demo` through the binary: an empty installation gets a demo agency whose owner can sign
// in with the printed password and finds two active personas and a vault of generated pictures;
// a second run, or a run on an installation in use, changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tests/integration/personae_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

using ::testing::HasSubstr;

class DemoTest : public ::testing::Test {
 protected:
  CommandResult personae(std::vector<std::string> arguments) {
    arguments.insert(arguments.end(), {"--data-dir", data_dir().string(), "--log-level", "warn"});
    return run_personae(arguments);
  }
  std::filesystem::path data_dir() const { return dir_.path() / "var"; }
  TempDir dir_;
};

TEST_F(DemoTest, FillsAnEmptyInstallationThatTheOwnerCanUseAtOnce) {
  const auto demo = personae({"demo"});
  ASSERT_EQ(demo.exit_status, 0) << demo.standard_error;
  std::smatch match;
  const std::regex password_line("with the password (demo-[0-9a-f]+)");
  ASSERT_TRUE(std::regex_search(demo.standard_output, match, password_line)) << demo.standard_output;
  const std::string password = match[1];

  // No language model here: the AI caption jobs wait for one, the template-only drafts run.
  ServeProcess serve({data_dir(), {}, {{"PERSONAE_LLM_PROVIDERS", "[]"}}, true});
  const auto login =
      http_request(serve.port(), "POST", "/api/v1/auth/login", {{"Content-Type", "application/json"}},
                   nlohmann::json{{"email", "demo@personae.example"}, {"password", password}}.dump());
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token = nlohmann::json::parse(login.body)["access_token"];
  const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + token}};

  const auto personas = http_request(serve.port(), "GET", "/api/v1/personas", auth);
  ASSERT_EQ(personas.status, 200) << personas.body;
  const auto persona_list = nlohmann::json::parse(personas.body)["items"];
  ASSERT_EQ(persona_list.size(), 2U) << personas.body;
  for (const auto& persona : persona_list) {
    EXPECT_EQ(persona["status"], "active");
    EXPECT_EQ(persona["kind"], "fictional");
  }

  const auto media = http_request(serve.port(), "GET", "/api/v1/media?limit=50", auth);
  ASSERT_EQ(media.status, 200) << media.body;
  const auto items = nlohmann::json::parse(media.body)["items"];
  EXPECT_EQ(items.size(), 7U);
  for (const auto& item : items) {
    EXPECT_EQ(item["source"], "generation") << "demo pictures are AI-disclosed as generated";
    EXPECT_TRUE(item["persona_id"].is_string());
    const auto thumbnail =
        http_request(serve.port(), "GET", item["variants"][0]["url"].get<std::string>(), auth);
    EXPECT_EQ(thumbnail.status, 200);
  }

  // Caption jobs for each persona's first picture: one template-only draft each, written by the
  // workers of `serve`, and AI captions, which retry, saying that no language model is configured.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  nlohmann::json jobs;
  auto count = [&jobs](auto predicate) { return std::count_if(jobs.begin(), jobs.end(), predicate); };
  while (std::chrono::steady_clock::now() < deadline) {
    const auto listed = http_request(serve.port(), "GET", "/api/v1/jobs?kind=caption.generate", auth);
    ASSERT_EQ(listed.status, 200) << listed.body;
    jobs = nlohmann::json::parse(listed.body)["items"];
    const auto drafted = count([](const auto& job) { return job["state"] == "succeeded"; });
    const auto waiting = count([](const auto& job) { return job["retrying"] == true; });
    if (drafted == 2 && waiting + drafted == static_cast<std::ptrdiff_t>(jobs.size())) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_GE(jobs.size(), 4U) << jobs.dump();
  EXPECT_EQ(count([](const auto& job) { return job["state"] == "succeeded"; }), 2) << jobs.dump();
  for (const auto& job : jobs) {
    if (job["state"] == "succeeded") continue;
    EXPECT_THAT(job["last_error"].get<std::string>(), HasSubstr("[[llm.providers]]")) << job.dump();
  }
  const auto drafts = http_request(serve.port(), "GET", "/api/v1/captions?status=needs_review", auth);
  const auto draft_items = nlohmann::json::parse(drafts.body)["items"];
  ASSERT_EQ(draft_items.size(), 2U) << drafts.body;
  for (const auto& draft : draft_items) {
    EXPECT_TRUE(draft["template_only"].get<bool>());
    EXPECT_FALSE(draft["text"].get<std::string>().empty());
  }
  EXPECT_EQ(serve.terminate(), 0);
}

TEST_F(DemoTest, RefusesAnInstallationThatIsInUse) {
  ASSERT_EQ(personae({"tenant", "create", "--name", "Real agency"}).exit_status, 0);
  const auto demo = personae({"demo"});
  EXPECT_EQ(demo.exit_status, 1);
  EXPECT_THAT(demo.standard_error, HasSubstr("empty installation"));
  EXPECT_THAT(personae({"tenant", "list"}).standard_output, ::testing::Not(HasSubstr("Demo Agency")));
}

}  // namespace
}  // namespace personae::testing

// `personae llm status` through the binary: the configured providers in fallback order, reachable
// or why not, and their models, against the Ollama and OpenAI-compatible simulators; no provider
// and an unreachable one exit 1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/fakes/llm_simulator.hpp"
#include "tests/integration/personae_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

using ::testing::HasSubstr;

class LlmStatusTest : public ::testing::Test {
 protected:
  CommandResult status(const std::string& providers, bool json) {
    std::vector<std::string> arguments{"llm",         "status", "--data-dir", dir_.path().string(),
                                       "--log-level", "warn"};
    if (json) arguments.emplace_back("--json");
    return run_personae(arguments, {{"PERSONAE_LLM_PROVIDERS", providers}});
  }
  TempDir dir_;
};

TEST_F(LlmStatusTest, ListsEveryProviderWithItsModelsInFallbackOrder) {
  OllamaSimulator ollama;
  OpenAiSimulator openai;
  const std::string providers = R"([{name = "local", type = "ollama", url = ")" + ollama.base_url() +
                                R"(", model = "sim-chat"}, {name = "gpu", type = "openai", url = ")" +
                                openai.base_url() + R"(", model = "sim-chat"}])";
  const auto text = status(providers, false);
  ASSERT_EQ(text.exit_status, 0) << text.standard_error;
  EXPECT_THAT(text.standard_output, HasSubstr("1. local (ollama, default model sim-chat): reachable"));
  EXPECT_THAT(text.standard_output, HasSubstr("2. gpu (openai, default model sim-chat): reachable"));
  EXPECT_THAT(text.standard_output, HasSubstr("sim-chat"));

  const auto json = status(providers, true);
  ASSERT_EQ(json.exit_status, 0) << json.standard_error;
  const auto document = nlohmann::json::parse(json.standard_output);
  ASSERT_EQ(document["providers"].size(), 2U);
  EXPECT_EQ(document["providers"][0]["name"], "local");
  EXPECT_TRUE(document["providers"][0]["reachable"].get<bool>());
  EXPECT_EQ(document["providers"][0]["models"][0]["name"], "sim-chat");
  EXPECT_EQ(document["providers"][1]["type"], "openai");
}

TEST_F(LlmStatusTest, AnUnreachableProviderIsNamedAndExitsOne) {
  OllamaSimulator ollama;
  const std::string url = ollama.base_url();
  ollama.stop();  // nothing answers on that port any more
  const auto result = status(R"([{name = "down", type = "ollama", url = ")" + url + R"("}])", false);
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_THAT(result.standard_output, HasSubstr("1. down (ollama"));
  EXPECT_THAT(result.standard_output, HasSubstr("UNREACHABLE"));
  EXPECT_THAT(result.standard_error, HasSubstr("unreachable"));
}

TEST_F(LlmStatusTest, NoProviderConfiguredExitsOneSayingSo) {
  const auto text = status("[]", false);
  EXPECT_EQ(text.exit_status, 1);
  EXPECT_THAT(text.standard_output, HasSubstr("no language-model provider is configured"));
  const auto json = status("[]", true);
  EXPECT_EQ(json.exit_status, 1);
  EXPECT_EQ(nlohmann::json::parse(json.standard_output)["providers"], nlohmann::json::array());
}

}  // namespace
}  // namespace personae::testing

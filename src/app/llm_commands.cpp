// `personae llm status`: the configured language-model providers, whether each answers, and its
// models, without a database (an operator runs it while setting Ollama up).
#include <iostream>

#include "adapters/json/llm_status_json.hpp"
#include "app/commands.hpp"
#include "app/content_wiring.hpp"

namespace personae {
namespace {

std::string model_line(const llm::ModelInfo& model) {
  std::string line = "    " + model.name;
  if (!model.parameter_size.empty()) line += "  " + model.parameter_size;
  if (!model.quantization.empty()) line += " " + model.quantization;
  if (model.loaded && *model.loaded) line += "  (loaded)";
  return line;
}

}  // namespace

int llm_status_command(const Config& config, bool as_json) {
  outbound::HttpClient client;
  SteadyMonotonicClock clock;
  const auto gateway = make_llm_gateway(config.llm, make_llm_providers(config.llm, client), clock, nullptr);
  if (!gateway) {
    if (as_json) {
      std::cout << llm_status_json({}).dump(2) << "\n";
    } else {
      std::cout
          << "no language-model provider is configured ([[llm.providers]]): captions cannot be generated\n";
    }
    return kExitFailure;
  }
  const auto providers = gateway->status();
  bool all_reachable = true;
  for (const auto& provider : providers) all_reachable = all_reachable && provider.reachable;
  if (as_json) {
    std::cout << llm_status_json(providers).dump(2) << "\n";
    return all_reachable ? kExitOk : kExitFailure;
  }
  for (std::size_t i = 0; i < providers.size(); ++i) {
    const auto& provider = providers[i];
    std::cout << (i + 1) << ". " << provider.name << " (" << provider.type << ", default model "
              << provider.default_model << "): ";
    if (!provider.reachable) {
      std::cout << "UNREACHABLE: " << provider.error << "\n";
      continue;
    }
    bool has_default = false;
    for (const auto& model : provider.models)
      has_default = has_default || model.name == provider.default_model;
    std::cout << "reachable, " << provider.models.size() << " model(s)"
              << (has_default ? "" : "; the default model is NOT available (pull it first)") << "\n";
    for (const auto& model : provider.models) std::cout << model_line(model) << "\n";
  }
  if (!all_reachable) std::cerr << "personae: some language-model providers are unreachable\n";
  return all_reachable ? kExitOk : kExitFailure;
}

}  // namespace personae

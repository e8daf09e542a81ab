#include "adapters/json/llm_status_json.hpp"

namespace personae {
namespace {

nlohmann::json optional_json(const auto& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

nlohmann::json model_json(const llm::ModelInfo& model) {
  return {{"name", model.name},
          {"size_bytes", optional_json(model.size_bytes)},
          {"family", model.family},
          {"parameter_size", model.parameter_size},
          {"quantization", model.quantization},
          {"loaded", optional_json(model.loaded)}};
}

}  // namespace

nlohmann::json llm_status_json(const std::vector<llm::ProviderStatus>& providers) {
  auto list = nlohmann::json::array();
  for (const auto& status : providers) {
    auto models = nlohmann::json::array();
    for (const auto& model : status.models) models.push_back(model_json(model));
    list.push_back(
        {{"name", status.name},
         {"type", status.type},
         {"default_model", status.default_model},
         {"reachable", status.reachable},
         {"error", status.error.empty() ? nlohmann::json() : nlohmann::json(status.error)},
         {"models", std::move(models)},
         {"circuit", std::string(llm::circuit_state_name(status.circuit))},
         {"consecutive_failures", status.consecutive_failures},
         {"retry_in_ms", status.retry_in ? nlohmann::json(status.retry_in->count()) : nlohmann::json()}});
  }
  return {{"providers", std::move(list)}};
}

}  // namespace personae

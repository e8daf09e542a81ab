#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "services/llm/llm_gateway.hpp"

namespace personae {

/// The language-model providers as `GET /api/v1/llm/models` and `personae llm status --json` show
/// them: {"providers": [{name, type, default_model, reachable, error, models, circuit, ...}]}.
nlohmann::json llm_status_json(const std::vector<llm::ProviderStatus>& providers);

}  // namespace personae

#pragma once

#include <optional>
#include <string>

#include "app/config.hpp"
#include "app/signals.hpp"

namespace personae {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  ///< the command could not do its work (database down, ...)
inline constexpr int kExitUsage = 2;    ///< bad command line or configuration

/// `signals` must have been created before any thread started (the logger's flusher included).
int serve_command(const Config& config, ShutdownSignals& signals);
int worker_command(const Config& config, ShutdownSignals& signals);
int migrate_command(const Config& config, std::optional<int> target, bool status_only);
int config_check_command(const Config& config);
int tenant_create_command(const Config& config, const std::string& name);
int tenant_list_command(const Config& config);
/// Reads the password from standard input.
int user_create_command(const Config& config, const std::string& tenant, const std::string& email,
                        const std::string& role, const std::string& display_name);
int user_set_disabled_command(const Config& config, const std::string& email, bool disabled);
/// Fills an empty installation with demo data; prints the owner's one-time password.
int demo_command(const Config& config, const std::string& email);
/// Exit 1 when no provider is configured or one does not answer.
int llm_status_command(const Config& config, bool as_json);
int audit_verify_command(const Config& config, const std::optional<std::string>& tenant_id);

}  // namespace personae

// Operator commands for accounts: tenant create/list, user create/disable/enable. There is no
// default account; these (or the first-run setup link) create the first owner.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include "app/accounts_wiring.hpp"
#include "app/commands.hpp"
#include "core/error.hpp"

namespace personae {
namespace {

template <class T>
T or_throw(Result<T> result) {
  if (!result) throw AppError(result.error());
  return std::move(*result);
}

void or_throw(Result<void> result) {
  if (!result) throw AppError(result.error());
}

/// The password comes from standard input, never from the command line (it would be visible in
/// the process list and the shell history). On a terminal it is asked twice, without echo.
std::string read_password() {
  const bool terminal = isatty(STDIN_FILENO) != 0;
  auto read_line = [terminal](const char* prompt) {
    termios saved{};
    if (terminal) {
      std::cerr << prompt << std::flush;
      tcgetattr(STDIN_FILENO, &saved);
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (terminal) {
      tcsetattr(STDIN_FILENO, TCSANOW, &saved);
      std::cerr << "\n";
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  };
  std::string password = read_line("Password: ");
  if (terminal && read_line("Repeat the password: ") != password) {
    throw AppError(ErrorCode::kInvalidArgument, "the two passwords differ");
  }
  if (password.empty()) {
    throw AppError(ErrorCode::kInvalidArgument, "no password on standard input (pipe it in or type it)");
  }
  return password;
}

}  // namespace

int tenant_create_command(const Config& config, const std::string& name) {
  SystemClock clock;
  Storage storage = open_storage(config, clock);
  require_current_schema(config, storage);
  auto accounts = build_accounts(config, storage, clock, nullptr);
  const auto tenant = or_throw(accounts->setup->create_tenant(name));
  std::cout << "created tenant \"" << tenant.name << "\" (id " << tenant.id << ")\n";
  return kExitOk;
}

int tenant_list_command(const Config& config) {
  SystemClock clock;
  Storage storage = open_storage(config, clock);
  require_current_schema(config, storage);
  auto accounts = build_accounts(config, storage, clock, nullptr);
  const auto tenants = or_throw(accounts->setup->list_tenants());
  if (tenants.empty()) std::cout << "no tenant yet: personae tenant create --name NAME\n";
  for (const auto& tenant : tenants) {
    std::cout << tenant.id << "  " << tenant.name << (tenant.require_mfa ? "  (2FA required)" : "") << "\n";
  }
  return kExitOk;
}

int user_create_command(const Config& config, const std::string& tenant, const std::string& email,
                        const std::string& role_name, const std::string& display_name) {
  const auto role = parse_role(role_name);
  if (!role)
    throw ConfigError("--role: expected owner, admin, manager, chatter or viewer, got \"" + role_name + "\"");
  const std::string password = read_password();
  SystemClock clock;
  Storage storage = open_storage(config, clock);
  require_current_schema(config, storage);
  auto accounts = build_accounts(config, storage, clock, nullptr);
  const auto created = or_throw(accounts->setup->create_user(tenant, email, *role, password, display_name));
  std::cout << "user " << created.user.email << " is " << to_string(created.membership.role) << " of \""
            << created.tenant.name << "\"\n";
  return kExitOk;
}

int user_set_disabled_command(const Config& config, const std::string& email, bool disabled) {
  SystemClock clock;
  Storage storage = open_storage(config, clock);
  require_current_schema(config, storage);
  auto accounts = build_accounts(config, storage, clock, nullptr);
  or_throw(accounts->setup->set_user_disabled(email, disabled));
  std::cout << "user " << email << (disabled ? " is disabled; every session was ended\n" : " is enabled\n");
  return kExitOk;
}

}  // namespace personae

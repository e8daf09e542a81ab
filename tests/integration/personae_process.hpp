#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"

namespace personae::testing {

/// The `personae` binary under test (its path is compiled in by CMake).
std::string personae_binary();

/// Runs `personae ARGS...` to completion with `environment`, from `working_directory`, feeding it
/// `standard_input` (a password, for the user commands) when given.
CommandResult run_personae(const std::vector<std::string>& arguments,
                           const std::map<std::string, std::string>& environment = {},
                           const std::filesystem::path& working_directory = {},
                           std::optional<std::string> standard_input = std::nullopt);

/// `personae serve` on 127.0.0.1 with a port chosen by the kernel, its data under `data_dir`.
/// The constructor waits until the banner names the port and /ready answers 200 (unless
/// `wait_ready` is false); the destructor stops it with SIGKILL if a test did not stop it.
class ServeProcess {
 public:
  struct Options {
    std::filesystem::path data_dir;
    std::vector<std::string> extra_arguments;
    std::map<std::string, std::string> environment;
    bool wait_ready = true;
  };

  explicit ServeProcess(Options options);

  int port() const { return port_; }
  ChildProcess& process() { return *process_; }
  HttpResponse get(const std::string& target, const std::map<std::string, std::string>& headers = {}) const;
  /// Sends SIGTERM and returns the exit status (fails the test after 30 s).
  int terminate();

 private:
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

}  // namespace personae::testing

#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace personae::testing {

/// A child process with its standard output and error captured to files. Killed (SIGKILL) on
/// destruction if still running.
class ChildProcess {
 public:
  struct Options {
    std::vector<std::string> arguments;  ///< argv[0] is the program path
    std::map<std::string, std::string>
        environment;  ///< added to a minimal environment (PATH, HOME, TMPDIR, ASAN/UBSAN options)
    std::filesystem::path working_directory;    ///< empty: the current one
    std::optional<std::string> standard_input;  ///< written then closed; /dev/null when empty
  };

  explicit ChildProcess(Options options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int pid() const { return pid_; }
  void signal(int signal_number);
  /// Waits for exit; returns the exit status (128 + signal when killed), or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();

  std::string standard_output() const;
  std::string standard_error() const;
  /// Polls standard output until a line contains `needle`; returns that line, or nullopt on timeout
  /// or when the process exits first.
  std::optional<std::string> wait_for_output_line(const std::string& needle,
                                                  std::chrono::milliseconds timeout);

 private:
  int pid_ = -1;
  std::optional<int> exit_status_;
  std::filesystem::path output_dir_;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
};

/// Runs a command to completion and returns {exit status, stdout, stderr}.
struct CommandResult {
  int exit_status = -1;
  std::string standard_output;
  std::string standard_error;
};
CommandResult run_command(ChildProcess::Options options,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace personae::testing

#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace personae {

/// What a finished program left.
struct ProgramResult {
  int exit_status = -1;        ///< the exit code, or 128 + the signal that killed it
  std::string standard_error;  ///< at most the last 64 KiB
};

/// Runs `arguments[0]` (a path, or a name looked up in PATH) with `arguments[1..]`, no shell (so
/// nothing in an argument is ever interpreted), standard input from /dev/null, standard output
/// discarded, standard error captured, `environment` added to the current environment. Waits for
/// it; past `timeout` it is killed (SIGKILL) and kDeadlineExceeded returned. kUnavailable when it
/// cannot be started (missing program: the message names it).
Result<ProgramResult> run_program(const std::vector<std::string>& arguments,
                                  const std::map<std::string, std::string>& environment,
                                  std::chrono::milliseconds timeout);

}  // namespace personae

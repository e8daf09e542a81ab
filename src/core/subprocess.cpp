#include "core/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace personae {
namespace {

constexpr std::size_t kMaxCapturedError = 64 * 1024;

}  // namespace

Result<ProgramResult> run_program(const std::vector<std::string>& arguments,
                                  const std::map<std::string, std::string>& environment,
                                  std::chrono::milliseconds timeout) {
  if (arguments.empty()) return make_error(ErrorCode::kInvalidArgument, "no program to run");
  std::map<std::string, std::string> merged;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto equals = text.find('=');
    if (equals != std::string::npos) merged[text.substr(0, equals)] = text.substr(equals + 1);
  }
  for (const auto& [name, value] : environment) merged[name] = value;
  std::vector<std::string> env_strings;
  env_strings.reserve(merged.size());
  for (const auto& [name, value] : merged) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& text : env_strings) envp.push_back(text.data());
  envp.push_back(nullptr);
  std::vector<std::string> argument_copies(arguments);
  std::vector<char*> argv;
  for (auto& text : argument_copies) argv.push_back(text.data());
  argv.push_back(nullptr);

  std::array<int, 2> error_pipe{};
  if (::pipe2(error_pipe.data(), O_CLOEXEC) != 0) {
    return make_error(ErrorCode::kUnavailable, "cannot start " + arguments[0], std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, error_pipe[1], 2);
  pid_t pid = -1;
  const int spawned = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(error_pipe[1]);
  if (spawned != 0) {
    ::close(error_pipe[0]);
    return make_error(ErrorCode::kUnavailable,
                      "cannot start " + arguments[0] + ": " + std::strerror(spawned));
  }

  ProgramResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  std::array<char, 4096> buffer{};
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd descriptor{error_pipe[0], POLLIN, 0};
    const int ready = ::poll(&descriptor, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t got = ::read(error_pipe[0], buffer.data(), buffer.size());
    if (got <= 0) break;  // the program closed its standard error (it is exiting)
    result.standard_error.append(buffer.data(), static_cast<std::size_t>(got));
    if (result.standard_error.size() > kMaxCapturedError) {
      result.standard_error.erase(0, result.standard_error.size() - kMaxCapturedError);
    }
  }
  ::close(error_pipe[0]);
  int status = 0;
  // Standard error is closed; the program may still be running, so the deadline holds here too.
  while (!timed_out) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      timed_out = true;
      break;
    }
    ::usleep(2'000);
  }
  if (timed_out) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (timed_out) {
    return make_error(ErrorCode::kDeadlineExceeded, arguments[0] + " did not finish within " +
                                                        std::to_string(timeout.count() / 1000) + " s");
  }
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace personae

#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace personae::testing {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::filesystem::path make_output_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/personae-child-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::system_error(errno, std::generic_category(), "mkdtemp");
  return pattern;
}

std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env;
  for (const char* name :
       {"PATH", "HOME", "TMPDIR", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "LANG"}) {
    if (const char* value = std::getenv(name)) env[name] = value;
  }
  for (const auto& [name, value] : extra) env[name] = value;
  std::vector<std::string> entries;
  for (const auto& [name, value] : env) entries.push_back(name + "=" + value);
  return entries;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

ChildProcess::ChildProcess(Options options) {
  if (options.arguments.empty()) throw std::invalid_argument("ChildProcess needs a program");
  output_dir_ = make_output_dir();
  stdout_path_ = output_dir_ / "stdout";
  stderr_path_ = output_dir_ / "stderr";
  const auto env_entries = child_environment(options.environment);

  int input_pipe[2] = {-1, -1};
  if (options.standard_input && ::pipe(input_pipe) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe");
  }

  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> argv;
  for (auto& argument : options.arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage = env_entries;
  std::vector<char*> envp;
  for (auto& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const std::string out = stdout_path_.string();
  const std::string err = stderr_path_.string();
  const std::string cwd = options.working_directory.string();

  pid_ = ::fork();
  if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid_ == 0) {
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int in_fd = input_pipe[0];
    if (in_fd < 0) in_fd = ::open("/dev/null", O_RDONLY);
    if (out_fd < 0 || err_fd < 0 || in_fd < 0) ::_exit(126);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    if (input_pipe[1] >= 0) ::close(input_pipe[1]);
    // The test harness may block signals in its threads; the child starts with a clean mask.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  if (options.standard_input) {
    ::close(input_pipe[0]);
    const auto& data = *options.standard_input;
    std::size_t written = 0;
    while (written < data.size()) {
      const auto n = ::write(input_pipe[1], data.data() + written, data.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    ::close(input_pipe[1]);
  }
}

ChildProcess::~ChildProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(10));
  }
  std::error_code ignored;
  std::filesystem::remove_all(output_dir_, ignored);
}

void ChildProcess::signal(int signal_number) {
  if (!exit_status_) ::kill(pid_, signal_number);
}

bool ChildProcess::running() {
  if (exit_status_) return false;
  int status = 0;
  const int result = ::waitpid(pid_, &status, WNOHANG);
  if (result == pid_) {
    exit_status_ = decode_status(status);
    return false;
  }
  return result == 0;
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_status_;
}

std::string ChildProcess::standard_output() const {
  return read_file(stdout_path_);
}
std::string ChildProcess::standard_error() const {
  return read_file(stderr_path_);
}

std::optional<std::string> ChildProcess::wait_for_output_line(const std::string& needle,
                                                              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::stringstream lines(standard_output());
    for (std::string line; std::getline(lines, line);) {
      if (line.find(needle) != std::string::npos) return line;
    }
    if (!running()) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

CommandResult run_command(ChildProcess::Options options, std::chrono::milliseconds timeout) {
  ChildProcess child(std::move(options));
  const auto status = child.wait(timeout);
  if (!status) {
    child.signal(SIGKILL);
    child.wait(std::chrono::seconds(5));
    throw std::runtime_error("command timed out: " + child.standard_error());
  }
  return {*status, child.standard_output(), child.standard_error()};
}

}  // namespace personae::testing

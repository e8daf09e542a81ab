#include "tests/integration/personae_process.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <stdexcept>
#include <thread>

namespace personae::testing {

std::string personae_binary() {
  return PERSONAE_BINARY;
}

CommandResult run_personae(const std::vector<std::string>& arguments,
                           const std::map<std::string, std::string>& environment,
                           const std::filesystem::path& working_directory,
                           std::optional<std::string> standard_input) {
  ChildProcess::Options options;
  options.arguments.push_back(personae_binary());
  options.arguments.insert(options.arguments.end(), arguments.begin(), arguments.end());
  options.environment = environment;
  options.working_directory = working_directory;
  options.standard_input = std::move(standard_input);
  return run_command(std::move(options), std::chrono::seconds(120));
}

ServeProcess::ServeProcess(Options options) {
  ChildProcess::Options child;
  child.arguments = {personae_binary(), "serve",      "--listen",
                     "127.0.0.1:0",     "--data-dir", options.data_dir.string()};
  child.arguments.insert(child.arguments.end(), options.extra_arguments.begin(),
                         options.extra_arguments.end());
  child.environment = options.environment;
  child.working_directory = options.data_dir.parent_path();
  process_ = std::make_unique<ChildProcess>(std::move(child));

  const auto banner = process_->wait_for_output_line("listening on http://", std::chrono::seconds(60));
  if (!banner) {
    throw std::runtime_error("personae serve did not start.\nstdout:\n" + process_->standard_output() +
                             "\nstderr:\n" + process_->standard_error());
  }
  std::smatch match;
  if (!std::regex_search(*banner, match, std::regex(R"(http://127\.0\.0\.1:(\d+))"))) {
    throw std::runtime_error("no port in the banner: " + *banner);
  }
  port_ = std::stoi(match[1]);
  if (!options.wait_ready) return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (get("/ready").status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("personae serve never became ready:\n" + process_->standard_error());
}

HttpResponse ServeProcess::get(const std::string& target,
                               const std::map<std::string, std::string>& headers) const {
  return http_request(port_, "GET", target, headers);
}

int ServeProcess::terminate() {
  process_->signal(SIGTERM);
  const auto status = process_->wait(std::chrono::seconds(30));
  if (!status) {
    ADD_FAILURE() << "personae serve did not stop within 30 s of SIGTERM";
    return -1;
  }
  return *status;
}

}  // namespace personae::testing

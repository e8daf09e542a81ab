#include "tests/support/s3rver_server.hpp"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/http_client.hpp"

namespace personae::testing {
namespace {

using std::chrono::milliseconds;

std::filesystem::path find_s3rver(const std::filesystem::path& configured) {
  if (!configured.empty()) {
    if (::access(configured.c_str(), X_OK) == 0) return configured;
    throw std::runtime_error("s3rver is not installed at " + configured.string() +
                             " (run `npm ci --prefix tests/tools`; scripts/bootstrap does)");
  }
  if (const char* from_environment = std::getenv("PERSONAE_S3RVER");
      from_environment != nullptr && *from_environment != '\0') {
    return from_environment;
  }
  if (const char* path = std::getenv("PATH")) {
    std::stringstream entries(path);
    for (std::string entry; std::getline(entries, entry, ':');) {
      auto candidate = std::filesystem::path(entry) / "s3rver";
      if (!entry.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  throw std::runtime_error("s3rver not found: set PERSONAE_S3RVER or run `npm ci --prefix tests/tools`");
}

}  // namespace

S3rverServer::S3rverServer(Options options) : options_(std::move(options)) {
  options_.executable = find_s3rver(options_.executable);
  // Another process may take the port between free_tcp_port() and the server's bind: retry.
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_tcp_port();
    if (try_start()) return;
  }
  throw std::runtime_error("s3rver did not start after 5 attempts:\n" + output());
}

S3rverServer::~S3rverServer() {
  if (process_ && process_->running()) {
    process_->signal(SIGCONT);
    process_->signal(SIGKILL);
    process_->wait(std::chrono::seconds(10));
  }
}

std::string S3rverServer::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::string S3rverServer::virtual_host_endpoint() const {
  return "http://s3.localhost:" + std::to_string(port_);
}

std::string S3rverServer::output() const {
  return process_ ? process_->standard_output() + process_->standard_error() : std::string();
}

bool S3rverServer::running() {
  return process_ && process_->running();
}

bool S3rverServer::try_start() {
  ChildProcess::Options child;
  // --service-endpoint localhost: "<bucket>.s3.localhost" is read as virtual-host addressing.
  child.arguments = {options_.executable.string(),
                     "--directory",
                     folder_.path().string(),
                     "--address",
                     "127.0.0.1",
                     "--port",
                     std::to_string(port_),
                     "--service-endpoint",
                     "localhost",
                     "--configure-bucket",
                     options_.bucket};
  process_ = std::make_unique<ChildProcess>(std::move(child));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->running()) return false;
    try {
      // The bucket exists once the server answers a listing of it.
      const auto response = http_request(port_, "GET", "/" + options_.bucket + "?list-type=2&max-keys=0");
      if (response.status == 200) return true;
    } catch (const std::exception&) {
      // not listening yet
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  process_->signal(SIGKILL);
  process_->wait(std::chrono::seconds(10));
  return false;
}

void S3rverServer::stop() {
  if (!running()) return;
  process_->signal(SIGCONT);
  process_->signal(SIGTERM);
  if (!process_->wait(std::chrono::seconds(10))) {
    process_->signal(SIGKILL);
    process_->wait(std::chrono::seconds(10));
  }
}

void S3rverServer::start() {
  if (running()) return;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (try_start()) return;
    std::this_thread::sleep_for(milliseconds(200));
  }
  throw std::runtime_error("s3rver did not restart on port " + std::to_string(port_) + ":\n" + output());
}

void S3rverServer::pause() {
  if (running()) process_->signal(SIGSTOP);
}

void S3rverServer::resume() {
  if (running()) process_->signal(SIGCONT);
}

std::vector<std::string> S3rverServer::list_keys(const std::string& prefix) const {
  const auto response = http_request(port_, "GET", "/" + options_.bucket + "?list-type=2&prefix=" + prefix);
  if (response.status != 200) {
    throw std::runtime_error("s3rver listing failed: HTTP " + std::to_string(response.status) + " " +
                             response.body);
  }
  std::vector<std::string> keys;
  const std::string open = "<Key>";
  const std::string close = "</Key>";
  for (auto start = response.body.find(open); start != std::string::npos;
       start = response.body.find(open, start)) {
    start += open.size();
    const auto end = response.body.find(close, start);
    if (end == std::string::npos) break;
    keys.push_back(response.body.substr(start, end - start));
  }
  return keys;
}

std::vector<std::string> S3rverServer::open_upload_ids() const {
  std::vector<std::string> ids;
  const auto uploads = folder_.path() / options_.bucket / "._S3rver_uploads";
  std::error_code error;
  for (std::filesystem::directory_iterator it(uploads, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_directory()) ids.push_back(it->path().filename().string());
  }
  return ids;
}

}  // namespace personae::testing

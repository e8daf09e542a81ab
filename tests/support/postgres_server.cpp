#include "tests/support/postgres_server.hpp"

#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

std::string quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted.push_back(c);
    }
  }
  return quoted + "'";
}

std::filesystem::path find_bin_dir() {
  const std::filesystem::path root = "/usr/lib/postgresql";
  std::vector<std::filesystem::path> candidates;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(root, error)) {
    if (std::filesystem::exists(entry.path() / "bin" / "initdb")) candidates.push_back(entry.path() / "bin");
  }
  if (candidates.empty()) {
    throw std::runtime_error(
        "PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb "
        "(install the `postgresql` package; scripts/bootstrap does)");
  }
  // Highest major version: "15" sorts after "13", and versions have two digits.
  std::sort(candidates.begin(), candidates.end());
  return candidates.back();
}

std::string server_user() {
  for (const char* name : {"postgres", "nobody"}) {
    if (::getpwnam(name) != nullptr) return name;
  }
  throw std::runtime_error("running as root and neither the `postgres` nor the `nobody` user exists");
}

void chown_to(const std::filesystem::path& path, const std::string& user) {
  const passwd* entry = ::getpwnam(user.c_str());
  if (entry == nullptr || ::chown(path.c_str(), entry->pw_uid, entry->pw_gid) != 0) {
    throw std::system_error(errno, std::generic_category(), "chown " + path.string() + " to " + user);
  }
}

std::filesystem::path temp_base() {
  const char* base = std::getenv("TMPDIR");
  return base != nullptr && *base != '\0' ? base : "/tmp";
}

std::filesystem::path make_folder(const std::string& prefix) {
  std::string pattern = (temp_base() / (prefix + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  return pattern;
}

}  // namespace

PostgresServer::PostgresServer()
    : bin_dir_(find_bin_dir()), folder_(make_folder("personae-pg-")), data_dir_(folder_ / "data") {
  try {
    if (::geteuid() == 0) {
      run_as_ = server_user();
      chown_to(folder_, run_as_);
    }
    run(quote((bin_dir_ / "initdb").string()) + " -D " + quote(data_dir_.string()) +
            " --auth=trust -U personae --no-sync -E UTF8 --locale=C",
        true);
    // Another process may take the port between free_tcp_port() and the server's bind: retry.
    for (int attempt = 0; attempt < 5 && !running_; ++attempt) {
      port_ = free_tcp_port();
      running_ = try_start();
    }
    if (!running_) {
      std::ifstream log(folder_ / "server.log");
      std::stringstream text;
      text << log.rdbuf();
      throw std::runtime_error("PostgreSQL did not start after 5 attempts:\n" + text.str());
    }
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
    throw;
  }
}

PostgresServer::~PostgresServer() {
  try {
    stop();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "PostgresServer: %s\n", error.what());
  }
  std::error_code ignored;
  std::filesystem::remove_all(folder_, ignored);
}

std::string PostgresServer::run(const std::string& command, bool as_server_user) {
  std::string full = command;
  if (as_server_user && !run_as_.empty()) full = "runuser -u " + run_as_ + " -- " + command;
  full += " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(full.c_str(), "r"), ::pclose);
  if (pipe == nullptr) throw std::system_error(errno, std::generic_category(), "popen");
  std::string output;
  std::array<char, 4096> buffer{};
  while (const std::size_t read = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) {
    output.append(buffer.data(), read);
  }
  const int status = ::pclose(pipe.release());
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("command failed: " + full + "\n" + output);
  }
  return output;
}

bool PostgresServer::try_start() {
  const std::string options = "-p " + std::to_string(port_) + " -k " + folder_.string() +
                              " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
                              " -c synchronous_commit=off -c max_connections=200";
  try {
    run(quote((bin_dir_ / "pg_ctl").string()) + " -w -t 60 -D " + quote(data_dir_.string()) + " -l " +
            quote((folder_ / "server.log").string()) + " -o " + quote(options) + " start",
        true);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

std::string PostgresServer::url_for(const std::string& database) const {
  return "postgresql://personae@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::psql(const std::string& database, const std::string& sql) {
  return run(quote((bin_dir_ / "psql").string()) + " -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p " +
                 std::to_string(port_) + " -U personae -d " + quote(database) + " -c " + quote(sql),
             false);
}

std::string PostgresServer::create_database(const std::string& name) {
  const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!valid) throw std::invalid_argument("database name must be lowercase letters, digits and '_': " + name);
  psql("postgres", "CREATE DATABASE " + name);
  return url_for(name);
}

std::string PostgresServer::create_unique_database() {
  return create_database("test_" + std::to_string(::getpid()) + "_" + std::to_string(++next_database_));
}

std::string PostgresServer::create_application_database(const std::string& role) {
  const bool valid = !role.empty() && std::all_of(role.begin(), role.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!valid) throw std::invalid_argument("role name must be lowercase letters, digits and '_': " + role);
  const std::string name = "test_" + std::to_string(::getpid()) + "_" + std::to_string(++next_database_);
  psql("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + role +
                       "') THEN CREATE ROLE " + role + " LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$");
  psql("postgres", "CREATE DATABASE " + name + " OWNER " + role);
  return "postgresql://" + role + "@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

void PostgresServer::stop() {
  if (!running_) return;
  run(quote((bin_dir_ / "pg_ctl").string()) + " -w -D " + quote(data_dir_.string()) + " -m fast stop", true);
  running_ = false;
}

void PostgresServer::start() {
  if (running_) return;
  running_ = try_start();
  if (!running_) throw std::runtime_error("PostgreSQL did not restart on port " + std::to_string(port_));
}

void PostgresServer::restart() {
  stop();
  start();
}

PostgresServer& shared_postgres_server() {
  static PostgresServer server;
  return server;
}

}  // namespace personae::testing

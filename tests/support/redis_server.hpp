#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {

/// A throwaway Redis server for tests: `redis-server` as a child process on a free 127.0.0.1 port,
/// with no persistence (`--save "" --appendonly no`) and its working folder in a temporary
/// directory. Throws std::runtime_error, with the server's output, when `redis-server` is missing
/// or does not start: tests that need Redis fail rather than skip. Not thread-safe.
class RedisServer {
 public:
  struct Options {
    /// Passed as `--requirepass` when not empty.
    std::string password;
  };

  RedisServer() : RedisServer(Options{}) {}
  /// Starts the server and waits until it answers PING.
  explicit RedisServer(Options options);
  /// Kills the server (SIGKILL) if it still runs.
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  /// redis://[:password@]127.0.0.1:PORT
  std::string url() const;

  /// Stops the server (SIGTERM, then SIGKILL after 10 s): client connections break.
  void stop();
  /// Starts it again on the same port and waits until it answers PING (empty: nothing persisted).
  void start();
  bool running();
  /// Freezes the server (SIGSTOP): connections are still accepted by the kernel but nothing is
  /// answered, like a server stuck or a network path black-holing packets. resume() (SIGCONT)
  /// undoes it; stop() and the destructor work on a paused server.
  void pause();
  void resume();

  /// Sends one command (authenticating first when there is a password) and returns the reply: the
  /// text of a simple string, integer or bulk string; "(nil)" for a null bulk string. Throws
  /// std::runtime_error for an error reply, an array reply or no reply within 5 s.
  std::string command(const std::vector<std::string>& arguments) const;

 private:
  bool try_start();

  Options options_;
  std::string executable_;
  TempDir folder_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace personae::testing

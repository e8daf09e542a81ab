#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "adapters/queue/job_wakeups.hpp"

namespace personae {

struct PgJobListenerOptions {
  /// The database URL (postgresql://...) and the password kept out of it, as for SociDatabase.
  std::string url;
  std::optional<std::string> password;
  std::string channel = "personae_jobs";
  /// Longest wait between reconnection attempts (they start at 100 ms and double).
  std::chrono::milliseconds max_reconnect_delay{5'000};
};

/// Listens for enqueue notifications on a dedicated libpq connection (not from the pool: LISTEN
/// holds the connection for the process's life) and hands each payload, a queue name, to
/// `wakeups`. Its thread waits in poll() on the connection's socket and a self-pipe (for a prompt
/// stop), consumes input and drains PQnotifies(). A lost connection is reopened with backoff;
/// after each (re)connection it notifies "" (any queue), since notifications sent meanwhile were
/// missed. Starts in the constructor; the destructor stops and joins the thread.
class PgJobListener {
 public:
  PgJobListener(PgJobListenerOptions options, JobWakeups& wakeups);
  ~PgJobListener();
  PgJobListener(const PgJobListener&) = delete;
  PgJobListener& operator=(const PgJobListener&) = delete;

  /// Whether the connection is up and listening.
  bool listening() const { return listening_.load(); }
  /// How many notifications have arrived (for tests and logs).
  std::uint64_t received() const { return received_.load(); }

 private:
  void run();
  /// Sleeps up to `delay` unless stopped; returns false when stopped.
  bool pause(std::chrono::milliseconds delay);

  PgJobListenerOptions options_;
  std::string conninfo_;  // holds the password: never logged
  JobWakeups& wakeups_;
  std::array<int, 2> stop_pipe_{-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listening_{false};
  std::atomic<std::uint64_t> received_{0};
  std::thread thread_;
};

}  // namespace personae

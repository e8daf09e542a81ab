#pragma once

#include <csignal>

namespace personae {

/// Blocks SIGINT and SIGTERM in the calling thread, so every thread started afterwards inherits
/// the mask and only `wait()` receives them (no async-signal handler, no lost signal).
/// Construct it before starting any thread. The destructor restores the previous mask.
class ShutdownSignals {
 public:
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  /// Blocks until SIGINT or SIGTERM arrives; returns its number.
  int wait();

 private:
  sigset_t shutdown_set_{};
  sigset_t previous_mask_{};
};

const char* signal_name(int signal_number);

}  // namespace personae

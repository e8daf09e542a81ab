#include "app/signals.hpp"

#include <pthread.h>

#include <csignal>
#include <stdexcept>

namespace personae {
namespace {

sigset_t shutdown_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

ShutdownSignals::ShutdownSignals() : shutdown_set_(shutdown_set()) {
  if (pthread_sigmask(SIG_BLOCK, &shutdown_set_, &previous_mask_) != 0)
    throw std::runtime_error("pthread_sigmask failed");
}

ShutdownSignals::~ShutdownSignals() {
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

int ShutdownSignals::wait() {
  int received = 0;
  while (sigwait(&shutdown_set_, &received) != 0) {
  }
  return received;
}

const char* signal_name(int signal_number) {
  switch (signal_number) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "signal";
  }
}

}  // namespace personae

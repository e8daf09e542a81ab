#include "adapters/queue/pg_job_listener.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>
#include <system_error>

#include "adapters/db/database_url.hpp"
#include "core/error.hpp"
#include "observability/log.hpp"

namespace personae {
namespace {

struct ConnectionCloser {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
using Connection = std::unique_ptr<PGconn, ConnectionCloser>;

std::string one_line(const char* text) {
  std::string line = text != nullptr ? text : "";
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

// Channel names are ours (a fixed identifier), but quote them anyway.
std::string quote_identifier(const std::string& name) {
  std::string quoted = "\"";
  for (const char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

PgJobListener::PgJobListener(PgJobListenerOptions options, JobWakeups& wakeups)
    : options_(std::move(options)), wakeups_(wakeups) {
  const DatabaseUrl url = DatabaseUrl::parse(options_.url);
  if (url.dialect() != Dialect::kPostgresql) throw ConfigError("the job listener needs a PostgreSQL URL");
  if (options_.password.has_value()) {
    conninfo_ = url.postgres_uri({{"password", *options_.password},
                                  {"application_name", "personae-job-listener"},
                                  {"connect_timeout", "5"},
                                  {"keepalives_idle", "30"}});
  } else {
    conninfo_ = url.postgres_uri(
        {{"application_name", "personae-job-listener"}, {"connect_timeout", "5"}, {"keepalives_idle", "30"}});
  }
  if (::pipe2(stop_pipe_.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  thread_ = std::thread([this] { run(); });
}

PgJobListener::~PgJobListener() {
  stopping_ = true;
  const char byte = 1;
  [[maybe_unused]] const ssize_t written = ::write(stop_pipe_[1], &byte, 1);
  if (thread_.joinable()) thread_.join();
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

bool PgJobListener::pause(std::chrono::milliseconds delay) {
  pollfd stop{stop_pipe_[0], POLLIN, 0};
  ::poll(&stop, 1, static_cast<int>(delay.count()));
  return !stopping_;
}

void PgJobListener::run() {
  std::chrono::milliseconds delay{100};
  bool warned = false;
  while (!stopping_) {
    Connection connection(PQconnectdb(conninfo_.c_str()));
    if (connection == nullptr || PQstatus(connection.get()) != CONNECTION_OK) {
      if (!warned) {
        log::warn("job listener cannot connect; workers poll meanwhile",
                  {{"error",
                    one_line(connection != nullptr ? PQerrorMessage(connection.get()) : "out of memory")}});
        warned = true;
      }
      if (!pause(delay)) return;
      delay = std::min(delay * 2, options_.max_reconnect_delay);
      continue;
    }
    PGresult* result = PQexec(connection.get(), ("LISTEN " + quote_identifier(options_.channel)).c_str());
    const bool ok = result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    if (!ok) {
      log::warn("job listener cannot LISTEN", {{"error", one_line(PQerrorMessage(connection.get()))}});
      if (!pause(delay)) return;
      delay = std::min(delay * 2, options_.max_reconnect_delay);
      continue;
    }
    if (warned) log::info("job listener connected");
    warned = false;
    delay = std::chrono::milliseconds(100);
    listening_ = true;
    wakeups_.notify("");  // whatever was enqueued while not listening
    while (!stopping_) {
      std::array<pollfd, 2> fds{pollfd{PQsocket(connection.get()), POLLIN, 0},
                                pollfd{stop_pipe_[0], POLLIN, 0}};
      const int ready = ::poll(fds.data(), fds.size(), -1);
      if (ready < 0 && errno == EINTR) continue;
      if (stopping_) break;
      if (PQconsumeInput(connection.get()) == 0 || PQstatus(connection.get()) != CONNECTION_OK) {
        log::warn("job listener lost its connection; reconnecting",
                  {{"error", one_line(PQerrorMessage(connection.get()))}});
        break;
      }
      while (PGnotify* notification = PQnotifies(connection.get())) {
        ++received_;
        wakeups_.notify(notification->extra != nullptr ? notification->extra : "");
        PQfreemem(notification);
      }
    }
    listening_ = false;
  }
}

}  // namespace personae

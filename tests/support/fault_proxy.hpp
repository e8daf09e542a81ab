#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace personae::testing {

/// What a FaultProxy does to the requests a rule matches.
struct FaultRule {
  enum class Action {
    kRespond,         ///< answer `status` itself (the body is read and dropped; nothing goes upstream)
    kCutRequestBody,  ///< read `cut_after` bytes of the body, then abort the client's connection
    kReset,           ///< abort the client's connection as soon as the request head is read
    kDelay,           ///< wait `delay`, then forward
  };

  /// Matching: the method ("" for any) and a substring of the request target ("" for any).
  std::string method;
  std::string target_contains;
  /// How many matching requests the rule affects; -1 for all of them.
  int times = -1;

  Action action = Action::kRespond;
  int status = 503;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::uint64_t cut_after = 0;
  /// kCutRequestBody: also send the head and the bytes read so far upstream before cutting both
  /// sides (what a network failure does to a server that keeps partial uploads). Without it the
  /// upstream sees nothing, as a real S3 would keep nothing.
  bool forward_partial = false;
  std::chrono::milliseconds delay{0};
};

/// One request seen by the proxy, and what became of it.
struct ProxiedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::uint64_t body_bytes = 0;  ///< as declared by Content-Length
  std::string outcome;           ///< "forwarded", "responded 503", "cut after 65536", "reset", "no upstream"

  /// The first header named `name` (case-insensitive); "" when absent.
  std::string header(const std::string& name) const;
};

/// A fault-injecting HTTP/1.1 proxy for tests, placed between a client and a server on loopback
/// (127.0.0.1, a kernel-chosen port): answers chosen statuses (500/503/429 with Retry-After) to
/// the first K matching requests, cuts uploads after N bytes, resets connections, delays. Other
/// requests are forwarded unchanged but for `Connection: close` (one upstream connection per
/// request, so each answer ends when the upstream closes). When the upstream cannot be reached the
/// client's connection is closed without an answer, like a dead network path.
///
/// Bodies must carry Content-Length (chunked requests are refused with 501). Thread-safe: rules
/// may change while clients are connected. The destructor closes everything and joins.
class FaultProxy {
 public:
  explicit FaultProxy(int upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:PORT"
  std::string url() const;

  /// Rules are tried in the order added; the first that matches (and has times left) applies.
  void add_rule(FaultRule rule);
  void clear_rules();

  std::vector<ProxiedRequest> requests() const;
  void clear_requests();

  void stop();

 private:
  void accept_loop();
  void serve(int client);
  bool take_rule(const ProxiedRequest& request, FaultRule& rule);
  void record(ProxiedRequest request);

  int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;

  mutable std::mutex mutex_;
  std::vector<FaultRule> rules_;
  std::vector<ProxiedRequest> requests_;
  std::vector<std::thread> workers_;
  std::set<int> open_fds_;
  std::mutex wait_mutex_;
  std::condition_variable wait_signal_;
};

/// A rule answering `status` to the first `times` requests matching method and target.
FaultRule respond_rule(std::string method, std::string target_contains, int status, int times = -1,
                       std::vector<std::pair<std::string, std::string>> headers = {});
/// A rule cutting the body of matching requests after `after_bytes`.
FaultRule cut_rule(std::string method, std::string target_contains, std::uint64_t after_bytes, int times = -1,
                   bool forward_partial = false);

}  // namespace personae::testing

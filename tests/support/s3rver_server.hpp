#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {

/// A throwaway S3-protocol server for tests: s3rver 3.7 (npm, pinned in tests/tools) as a child
/// process on a free 127.0.0.1 port, its data in a temporary folder, one bucket created at start.
/// Credentials: access key "S3RVER" (s3rver knows no other); any secret is accepted, since s3rver
/// does not verify SigV4 signatures. Virtual-host style works through
/// virtual_host_endpoint() ("http://s3.localhost:PORT": curl resolves *.localhost to loopback).
///
/// Known gaps of s3rver 3.7.1, which tests must not mistake for bugs of ours: no
/// AbortMultipartUpload (405) and no ListMultipartUploads (501); an interrupted PUT leaves the
/// bytes received so far as the object (real S3 discards it).
///
/// Throws std::runtime_error, with the server's output, when s3rver is missing (run
/// `npm ci --prefix tests/tools`, which scripts/bootstrap does) or does not start: tests that need
/// it fail rather than skip. Not thread-safe.
class S3rverServer {
 public:
  struct Options {
    /// The s3rver script; empty: $PERSONAE_S3RVER, then `s3rver` on PATH.
    std::filesystem::path executable;
    std::string bucket = "personae-test";
  };

  explicit S3rverServer(Options options);
  /// Kills the server (SIGKILL) if it still runs and removes its data.
  ~S3rverServer();
  S3rverServer(const S3rverServer&) = delete;
  S3rverServer& operator=(const S3rverServer&) = delete;

  int port() const { return port_; }
  const std::string& bucket() const { return options_.bucket; }
  /// "http://127.0.0.1:PORT" (path-style addressing).
  std::string endpoint() const;
  /// "http://s3.localhost:PORT" (virtual-host addressing: "<bucket>.s3.localhost").
  std::string virtual_host_endpoint() const;
  const std::filesystem::path& data_folder() const { return folder_.path(); }

  /// Stops the server (SIGTERM, then SIGKILL after 10 s). Its data stays.
  void stop();
  /// Starts it again on the same port with the same data, and waits until it answers.
  void start();
  bool running();
  /// SIGSTOP: connections are accepted by the kernel but nothing is answered. resume() undoes it.
  void pause();
  void resume();

  /// The object names in the bucket under `prefix` (an unauthenticated ListObjectsV2, which s3rver
  /// allows), straight from the server rather than through the store under test.
  std::vector<std::string> list_keys(const std::string& prefix = "") const;
  /// The multipart uploads s3rver still holds (read from its data folder: it has no
  /// ListMultipartUploads).
  std::vector<std::string> open_upload_ids() const;

  /// The server's output so far (for failure messages).
  std::string output() const;

 private:
  bool try_start();

  Options options_;
  TempDir folder_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace personae::testing

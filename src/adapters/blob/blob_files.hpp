#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"

/// File helpers shared by the blob stores: owner-only temporary files that are renamed into place
/// (atomic writes) or removed, and folder syncs so that a rename survives a crash.
namespace personae::blob_files {

/// The message every storage failure shows to clients.
inline constexpr std::string_view kUnavailableMessage = "The media storage is unavailable.";

/// Throws AppError(code) whose detail names the operation, the path and the errno text.
[[noreturn]] void throw_io(ErrorCode code, std::string_view operation, const std::filesystem::path& path,
                           int error);

/// Creates the folder and any missing parents with mode 0700; each folder created is synced into
/// its parent. Throws AppError(kUnavailable).
void make_private_directories(const std::filesystem::path& folder);

/// fsync on a folder, so that entries created or renamed in it are durable.
void sync_directory(const std::filesystem::path& folder);

/// A new file (mode 0600, O_EXCL, random name) that is removed on destruction unless it was
/// renamed into place with commit_to(). Not thread-safe.
class TempFile {
 public:
  /// Creates "<folder>/<prefix><32 random hex><suffix>". Throws AppError(kUnavailable).
  TempFile(const std::filesystem::path& folder, std::string_view prefix, std::string_view suffix);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  int fd() const { return fd_; }

  /// Throws AppError(kUnavailable) on a short write (disk full, I/O error).
  void write(std::string_view bytes);
  /// Empties the file and rewinds (for a retried download).
  void truncate();
  /// fsync, then close.
  void sync_and_close();
  /// Renames the (closed) file to `destination`, replacing it atomically, and syncs the folder.
  void commit_to(const std::filesystem::path& destination);
  /// Removes the file now (also done by the destructor).
  void discard();

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool done_ = false;
};

}  // namespace personae::blob_files

#include "adapters/blob/blob_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <vector>

#include "core/crypto.hpp"

namespace personae::blob_files {

void throw_io(ErrorCode code, std::string_view operation, const std::filesystem::path& path, int error) {
  throw AppError(
      code, std::string(kUnavailableMessage),
      std::string(operation) + " " + path.string() + ": " + std::generic_category().message(error));
}

void sync_directory(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_io(ErrorCode::kUnavailable, "open folder", folder, errno);
  const int result = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (result != 0) throw_io(ErrorCode::kUnavailable, "fsync folder", folder, error);
}

void make_private_directories(const std::filesystem::path& folder) {
  // Walk up to the first existing ancestor, then create downwards.
  std::vector<std::filesystem::path> missing;
  for (auto current = folder; !current.empty(); current = current.parent_path()) {
    struct stat info {};
    if (::stat(current.c_str(), &info) == 0) {
      if (!S_ISDIR(info.st_mode)) throw_io(ErrorCode::kUnavailable, "not a folder:", current, ENOTDIR);
      break;
    }
    if (errno != ENOENT) throw_io(ErrorCode::kUnavailable, "stat", current, errno);
    missing.push_back(current);
    if (current == current.parent_path()) break;
  }
  std::reverse(missing.begin(), missing.end());
  for (const auto& created : missing) {
    if (::mkdir(created.c_str(), 0700) != 0 && errno != EEXIST)
      throw_io(ErrorCode::kUnavailable, "mkdir", created, errno);
    const auto parent = created.parent_path();
    sync_directory(parent.empty() ? std::filesystem::path(".") : parent);
  }
}

TempFile::TempFile(const std::filesystem::path& folder, std::string_view prefix, std::string_view suffix) {
  for (int attempt = 0; attempt < 3 && fd_ < 0; ++attempt) {
    path_ = folder / (std::string(prefix) + random_hex(16) + std::string(suffix));
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0 && errno != EEXIST) throw_io(ErrorCode::kUnavailable, "create", path_, errno);
  }
  if (fd_ < 0) throw_io(ErrorCode::kUnavailable, "create", path_, EEXIST);
}

TempFile::~TempFile() {
  discard();
}

void TempFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_io(ErrorCode::kUnavailable, "write", path_, n < 0 ? errno : EIO);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void TempFile::truncate() {
  if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0) {
    throw_io(ErrorCode::kUnavailable, "truncate", path_, errno);
  }
}

void TempFile::sync_and_close() {
  if (fd_ < 0) return;
  if (::fsync(fd_) != 0) throw_io(ErrorCode::kUnavailable, "fsync", path_, errno);
  const int result = ::close(fd_);
  fd_ = -1;
  if (result != 0) throw_io(ErrorCode::kUnavailable, "close", path_, errno);
}

void TempFile::commit_to(const std::filesystem::path& destination) {
  sync_and_close();
  if (::rename(path_.c_str(), destination.c_str()) != 0) {
    throw_io(ErrorCode::kUnavailable, "rename to " + destination.string() + " from", path_, errno);
  }
  done_ = true;
  const auto parent = destination.parent_path();
  sync_directory(parent.empty() ? std::filesystem::path(".") : parent);
}

void TempFile::discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!done_) {
    ::unlink(path_.c_str());
    done_ = true;
  }
}

}  // namespace personae::blob_files

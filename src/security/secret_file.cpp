#include "security/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

namespace personae::security {

Result<void> write_secret_file(const std::filesystem::path& path, std::string_view contents) {
  const auto parent = path.parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    if (std::filesystem::create_directories(parent, ec)) {
      std::filesystem::permissions(parent, std::filesystem::perms::owner_all, ec);
    }
    if (ec) {
      return make_error(ErrorCode::kInternal, "cannot create the key folder",
                        parent.string() + ": " + ec.message());
    }
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    const int error = errno;
    return make_error(error == EEXIST ? ErrorCode::kConflict : ErrorCode::kInternal,
                      "cannot create the key file", path.string() + ": " + std::strerror(error));
  }
  std::size_t written = 0;
  while (written < contents.size()) {
    const auto n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return make_error(ErrorCode::kInternal, "cannot write the key file",
                        path.string() + ": " + std::strerror(error));
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed) {
    ::unlink(path.c_str());
    return make_error(ErrorCode::kInternal, "cannot write the key file",
                      path.string() + ": fsync/close failed");
  }
  return {};
}

Result<std::string> read_secret_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return make_error(ErrorCode::kNotFound, "the key file does not exist", path.string());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kInternal, "cannot read the key file", path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return make_error(ErrorCode::kInternal, "cannot read the key file", path.string());
  return buffer.str();
}

Result<void> require_owner_only(const std::filesystem::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    return make_error(ErrorCode::kInternal, "cannot read the key file",
                      path.string() + ": " + std::strerror(errno));
  }
  if (!S_ISREG(status.st_mode)) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "the key file " + path.string() + " is not a regular file");
  }
  const auto mode = status.st_mode & 07777;
  if ((mode & (S_IRWXG | S_IRWXO)) != 0) {
    std::array<char, 8> octal{};
    std::snprintf(octal.data(), octal.size(), "%04o", static_cast<unsigned>(mode));
    return make_error(ErrorCode::kFailedPrecondition, "the key file " + path.string() + " has mode " + octal.data() +
                                                          ": other users may read it; run `chmod 600 " +
                                                          path.string() + "`");
  }
  return {};
}

}  // namespace personae::security

#include "http/spooled_body.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "core/crypto.hpp"

namespace personae::http {

std::shared_ptr<SpooledBody> SpooledBody::create(const std::filesystem::path& directory) {
  std::error_code ec;
  if (std::filesystem::create_directories(directory, ec)) {
    std::filesystem::permissions(directory, std::filesystem::perms::owner_all, ec);
  }
  if (ec) throw std::system_error(ec, "cannot create the upload folder " + directory.string());
  for (int attempt = 0;; ++attempt) {
    const auto path = directory / (std::string(kFilePrefix) + random_hex(16));
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd >= 0) {
      ::close(fd);
      return std::shared_ptr<SpooledBody>(new SpooledBody(path));
    }
    if (errno != EEXIST || attempt >= 3) {
      throw std::system_error(errno, std::generic_category(),
                              "cannot create an upload file in " + directory.string());
    }
  }
}

std::size_t SpooledBody::remove_stale(const std::filesystem::path& directory) {
  std::error_code ec;
  std::size_t removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    if (entry.path().filename().string().starts_with(kFilePrefix) &&
        std::filesystem::remove(entry.path(), ec)) {
      ++removed;
    }
  }
  return removed;
}

SpooledBody::~SpooledBody() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

std::uint64_t SpooledBody::size() const {
  struct stat status {};
  return ::stat(path_.c_str(), &status) == 0 ? static_cast<std::uint64_t>(status.st_size) : 0;
}

}  // namespace personae::http

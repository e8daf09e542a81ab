#include "app/instance_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "app/config.hpp"
#include "core/error.hpp"

namespace personae {

std::optional<InstanceLock> InstanceLock::try_acquire(const std::filesystem::path& data_dir, Mode mode) {
  std::error_code ignored;
  std::filesystem::create_directories(data_dir, ignored);
  auto path = data_dir / "personae.lock";
  const int descriptor = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (descriptor < 0) {
    throw AppError(ErrorCode::kUnavailable, "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  if (::flock(descriptor, (mode == Mode::kExclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    ::close(descriptor);
    return std::nullopt;
  }
  return InstanceLock(descriptor, std::move(path));
}

InstanceLock::InstanceLock(InstanceLock&& other) noexcept
    : descriptor_(std::exchange(other.descriptor_, -1)), path_(std::move(other.path_)) {}

InstanceLock::~InstanceLock() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

InstanceLock hold_instance_lock(const Config& config) {
  auto lock = InstanceLock::try_acquire(config.data_dir, InstanceLock::Mode::kShared);
  if (!lock) {
    throw AppError(ErrorCode::kFailedPrecondition,
                   "a restore is running on this data folder (it holds " +
                       (std::filesystem::path(config.data_dir) / "personae.lock").string() +
                       "); start again when it ends");
  }
  return std::move(*lock);
}

}  // namespace personae

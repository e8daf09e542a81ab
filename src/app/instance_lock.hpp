#pragma once

#include <filesystem>
#include <optional>

namespace personae {

/// An advisory lock on `<data_dir>/personae.lock` (flock): `serve` and `worker` hold it shared
/// while they run; `restore` needs it exclusive, so that a database or blob folder is never
/// replaced under a running instance on this machine. Released on destruction or process exit
/// (even a crash). PostgreSQL deployments with instances on other machines are checked through
/// the database as well (see restore).
class InstanceLock {
 public:
  enum class Mode { kShared, kExclusive };

  /// The lock, or nullopt when another process holds it in a conflicting mode. Creates the folder
  /// and the file when missing. Throws AppError(kUnavailable) when the file cannot be opened.
  static std::optional<InstanceLock> try_acquire(const std::filesystem::path& data_dir, Mode mode);

  InstanceLock(InstanceLock&& other) noexcept;
  InstanceLock& operator=(InstanceLock&&) = delete;
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;
  ~InstanceLock();

  const std::filesystem::path& path() const { return path_; }

 private:
  InstanceLock(int descriptor, std::filesystem::path path)
      : descriptor_(descriptor), path_(std::move(path)) {}
  int descriptor_ = -1;
  std::filesystem::path path_;
};

struct Config;

/// The shared lock `serve` and `worker` hold for their lifetime; throws AppError(kFailedPrecondition)
/// when a restore holds it.
InstanceLock hold_instance_lock(const Config& config);

}  // namespace personae

#include "adapters/blob/local_blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <system_error>
#include <utility>

#include "adapters/blob/blob_files.hpp"
#include "adapters/blob/blob_key_checks.hpp"
#include "core/crypto.hpp"
#include "observability/log.hpp"

namespace personae {
namespace {

using blob_files::TempFile;
using blob_files::throw_io;

/// Closes a descriptor on every path out.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

/// Reads up to buffer.size() bytes; throws AppError(code) on a read error.
std::size_t read_some(int fd, std::string& buffer, const std::filesystem::path& path, ErrorCode code) {
  while (true) {
    const auto n = ::read(fd, buffer.data(), buffer.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw_io(code, "read", path, errno);
  }
}

[[noreturn]] void throw_corrupt(const BlobKey& key, const std::string& actual) {
  throw AppError(ErrorCode::kInternal, "The stored object is damaged.",
                 "local blob store: " + key.to_string() + " holds bytes hashing to " + actual);
}

/// Renames the finished temporary file into place, unless an intact copy is already there.
BlobInfo commit(const LocalBlobStore& store, TempFile& temp, const std::string& tenant_id, std::string sha256,
                std::uint64_t size) {
  BlobKey key{tenant_id, std::move(sha256)};
  const auto destination = store.path_of(key);
  blob_files::make_private_directories(destination.parent_path());
  struct stat existing {};
  if (::stat(destination.c_str(), &existing) == 0 && S_ISREG(existing.st_mode) &&
      static_cast<std::uint64_t>(existing.st_size) == size) {
    temp.discard();
    return BlobInfo{std::move(key), size};
  }
  // Absent, or damaged (another size): the rename replaces it atomically.
  temp.commit_to(destination);
  return BlobInfo{std::move(key), size};
}

}  // namespace

LocalBlobStore::LocalBlobStore(LocalBlobStoreOptions options) : options_(std::move(options)) {
  if (options_.root.empty()) throw ConfigError("blob.local.path: must not be empty");
  if (options_.buffer_size == 0) options_.buffer_size = std::size_t{64} * 1024;
  try {
    blob_files::make_private_directories(temp_folder());
  } catch (const AppError& error) {
    throw ConfigError("blob.local.path: cannot use " + options_.root.string() + " (" + error.error().detail +
                      ")");
  }
  remove_stale_temp_files();
}

std::filesystem::path LocalBlobStore::path_of(const BlobKey& key) const {
  blob_checks::require_valid(key);
  return options_.root / key.tenant_id / key.sha256.substr(0, 2) / key.sha256.substr(2, 2) / key.sha256;
}

std::size_t LocalBlobStore::remove_stale_temp_files() const {
  std::size_t removed = 0;
  std::error_code error;
  const auto now = std::time(nullptr);
  for (std::filesystem::directory_iterator it(temp_folder(), error), end; !error && it != end;
       it.increment(error)) {
    struct stat info {};
    if (::lstat(it->path().c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
    if (now - info.st_mtime < options_.stale_temp_age.count()) continue;
    if (::unlink(it->path().c_str()) == 0) ++removed;
  }
  if (removed > 0) {
    log::info("removed stale temporary blob files", {{"count", removed}, {"folder", temp_folder().string()}});
  }
  return removed;
}

BlobInfo LocalBlobStore::put_file(const std::string& tenant_id, const std::filesystem::path& source) {
  blob_checks::require_valid_tenant(tenant_id);
  const Descriptor input(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (input.get() < 0) throw_io(ErrorCode::kInternal, "open source", source, errno);
  struct stat info {};
  if (::fstat(input.get(), &info) != 0) throw_io(ErrorCode::kInternal, "stat source", source, errno);
  if (!S_ISREG(info.st_mode)) throw_io(ErrorCode::kInternal, "source is not a regular file:", source, EINVAL);

  TempFile temp(temp_folder(), "", ".tmp");
  Sha256Stream hash;
  std::string buffer(options_.buffer_size, '\0');
  std::uint64_t size = 0;
  while (const std::size_t n = read_some(input.get(), buffer, source, ErrorCode::kInternal)) {
    const std::string_view chunk(buffer.data(), n);
    hash.update(chunk);
    temp.write(chunk);
    size += n;
  }
  return commit(*this, temp, tenant_id, hash.finish_hex(), size);
}

BlobInfo LocalBlobStore::put_bytes(const std::string& tenant_id, std::string_view bytes) {
  blob_checks::require_valid_tenant(tenant_id);
  TempFile temp(temp_folder(), "", ".tmp");
  temp.write(bytes);
  Sha256Stream hash;
  hash.update(bytes);
  return commit(*this, temp, tenant_id, hash.finish_hex(), bytes.size());
}

std::string LocalBlobStore::get(const BlobKey& key) {
  const auto path = path_of(key);
  const Descriptor input(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (input.get() < 0) {
    if (errno == ENOENT) blob_checks::throw_not_found(key, "local blob store");
    throw_io(ErrorCode::kUnavailable, "open", path, errno);
  }
  std::string content;
  std::string buffer(options_.buffer_size, '\0');
  while (const std::size_t n = read_some(input.get(), buffer, path, ErrorCode::kUnavailable)) {
    content.append(buffer.data(), n);
  }
  Sha256Stream hash;
  hash.update(content);
  if (const auto actual = hash.finish_hex(); actual != key.sha256) throw_corrupt(key, actual);
  return content;
}

void LocalBlobStore::get_to_file(const BlobKey& key, const std::filesystem::path& destination) {
  const auto path = path_of(key);
  try {
    const Descriptor input(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (input.get() < 0) {
      if (errno == ENOENT) blob_checks::throw_not_found(key, "local blob store");
      throw_io(ErrorCode::kUnavailable, "open", path, errno);
    }
    const auto folder = destination.parent_path();
    TempFile temp(folder.empty() ? std::filesystem::path(".") : folder, ".personae-", ".part");
    Sha256Stream hash;
    std::string buffer(options_.buffer_size, '\0');
    while (const std::size_t n = read_some(input.get(), buffer, path, ErrorCode::kUnavailable)) {
      const std::string_view chunk(buffer.data(), n);
      hash.update(chunk);
      temp.write(chunk);
    }
    if (const auto actual = hash.finish_hex(); actual != key.sha256) throw_corrupt(key, actual);
    temp.commit_to(destination);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(destination, ignored);
    throw;
  }
}

std::optional<BlobInfo> LocalBlobStore::stat(const BlobKey& key) {
  const auto path = path_of(key);
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw_io(ErrorCode::kUnavailable, "stat", path, errno);
  }
  if (!S_ISREG(info.st_mode)) throw_io(ErrorCode::kInternal, "not a regular file:", path, EINVAL);
  return BlobInfo{key, static_cast<std::uint64_t>(info.st_size)};
}

void LocalBlobStore::remove(const BlobKey& key) {
  const auto path = path_of(key);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return;
    throw_io(ErrorCode::kUnavailable, "unlink", path, errno);
  }
  blob_files::sync_directory(path.parent_path());
}

void LocalBlobStore::check() {
  TempFile probe(temp_folder(), "check-", ".tmp");
  probe.write("personae");
  probe.sync_and_close();
  probe.discard();
}

}  // namespace personae

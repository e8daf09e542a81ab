#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

namespace personae::http {

/// A request body that the server wrote to a temporary file as it arrived, for routes that take
/// large uploads (BodyPolicy::spool_to_file): the body is never held in memory. The file is
/// created owner-only with a random name (nothing in it comes from the request) and removed when
/// the last reference goes, so an upload that fails, is refused or is cut off mid-way leaves
/// nothing behind; a consumer that wants to keep the bytes copies or links them elsewhere.
class SpooledBody {
 public:
  /// The file names this class creates start with this prefix; remove_stale() removes them.
  static constexpr std::string_view kFilePrefix = "spool-";

  /// Creates an empty file in `directory` (created with mode 0700 when missing). Throws
  /// std::system_error naming the folder when that fails.
  static std::shared_ptr<SpooledBody> create(const std::filesystem::path& directory);

  /// Removes the spool files a previous process left behind (a crash mid-upload); returns how many.
  static std::size_t remove_stale(const std::filesystem::path& directory);

  ~SpooledBody();
  SpooledBody(const SpooledBody&) = delete;
  SpooledBody& operator=(const SpooledBody&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// The file's current size in bytes.
  std::uint64_t size() const;

 private:
  explicit SpooledBody(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace personae::http

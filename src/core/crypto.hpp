#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace personae {

/// SHA-256 of `data` as 64 lowercase hex characters.
std::string sha256_hex(std::string_view data);

/// SHA-256 over data that arrives in pieces (files read in chunks, downloads). Not thread-safe;
/// one object per stream.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void update(std::string_view data);
  /// 64 lowercase hex digits. The stream starts over afterwards.
  std::string finish_hex();

 private:
  struct Deleter {
    void operator()(evp_md_ctx_st* context) const;
  };
  std::unique_ptr<evp_md_ctx_st, Deleter> context_;
};

/// SHA-256 of a file's bytes (read in chunks), or nullopt when it cannot be read.
std::optional<std::string> sha256_file_hex(const std::filesystem::path& file);

/// `byte_count` bytes from the operating system's CSPRNG, as lowercase hex.
std::string random_hex(std::size_t byte_count);

/// Compares two strings in time that depends only on their lengths (for secrets and tokens).
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace personae

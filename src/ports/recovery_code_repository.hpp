#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ports/database.hpp"

namespace personae {

/// Storage of TOTP recovery codes (migration 0002), hashed, per user. Blocking; throws AppError
/// like Database.
class RecoveryCodeRepository {
 public:
  virtual ~RecoveryCodeRepository() = default;

  /// Replaces all of the user's codes (used ones included) with `code_hashes`; kConflict for a
  /// hash listed twice or a missing user.
  virtual void replace_all(Transaction& tx, const std::string& user_id,
                           const std::vector<std::string>& code_hashes, std::int64_t now_unix_ms) = 0;

  /// Marks the code used if it belongs to the user and is unused, in one atomic statement: true
  /// for the one caller that consumed it, false for a wrong, used or concurrently used code.
  virtual bool consume(Transaction& tx, const std::string& user_id, const std::string& code_hash,
                       std::int64_t now_unix_ms) = 0;

  /// How many of the user's codes are unused.
  virtual std::int64_t count_remaining(Transaction& tx, const std::string& user_id) = 0;
};

}  // namespace personae

#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/accounts/setup_token.hpp"
#include "ports/database.hpp"

namespace personae {

/// Storage of first-run setup tokens (migration 0002). Blocking; throws AppError like Database.
class SetupTokenRepository {
 public:
  virtual ~SetupTokenRepository() = default;

  /// kConflict when the hash is already stored.
  virtual void insert(Transaction& tx, const SetupToken& token) = 0;

  /// The token with this hash if it is valid (SetupToken::valid_at) at `now_unix_ms`.
  virtual std::optional<SetupToken> find_valid(Transaction& tx, const std::string& token_hash,
                                               std::int64_t now_unix_ms) = 0;

  /// Marks the token used if it is still valid, in one atomic statement: true for the one caller
  /// that redeemed it.
  virtual bool mark_used(Transaction& tx, const std::string& token_hash, std::int64_t now_unix_ms) = 0;
};

}  // namespace personae

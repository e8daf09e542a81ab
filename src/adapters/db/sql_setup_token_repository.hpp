#pragma once

#include "ports/setup_token_repository.hpp"

namespace personae {

/// SetupTokenRepository over the `setup_tokens` table (migration 0002), for transactions opened by
/// SociDatabase. Stateless and thread-safe.
class SqlSetupTokenRepository final : public SetupTokenRepository {
 public:
  void insert(Transaction& tx, const SetupToken& token) override;
  std::optional<SetupToken> find_valid(Transaction& tx, const std::string& token_hash,
                                       std::int64_t now_unix_ms) override;
  bool mark_used(Transaction& tx, const std::string& token_hash, std::int64_t now_unix_ms) override;
};

}  // namespace personae

#pragma once

#include "ports/recovery_code_repository.hpp"

namespace personae {

/// RecoveryCodeRepository over the `recovery_codes` table (migration 0002), for transactions
/// opened by SociDatabase. Stateless and thread-safe.
class SqlRecoveryCodeRepository final : public RecoveryCodeRepository {
 public:
  void replace_all(Transaction& tx, const std::string& user_id, const std::vector<std::string>& code_hashes,
                   std::int64_t now_unix_ms) override;
  bool consume(Transaction& tx, const std::string& user_id, const std::string& code_hash,
               std::int64_t now_unix_ms) override;
  std::int64_t count_remaining(Transaction& tx, const std::string& user_id) override;
};

}  // namespace personae

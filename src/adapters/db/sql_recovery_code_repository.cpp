#include "adapters/db/sql_recovery_code_repository.hpp"

#include <soci/soci.h>

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_account_rows.hpp"

namespace personae {

void SqlRecoveryCodeRepository::replace_all(Transaction& tx, const std::string& user_id,
                                            const std::vector<std::string>& code_hashes,
                                            std::int64_t now_unix_ms) {
  soci::session& sql = soci_session(tx);
  sql << "DELETE FROM recovery_codes WHERE user_id = :user_id", soci::use(user_id, "user_id");
  if (code_hashes.empty()) return;
  std::string code_hash;
  const long long created_at = now_unix_ms;
  soci::statement insert =
      (sql.prepare << "INSERT INTO recovery_codes (user_id, code_hash, used_at, created_at) "
                      "VALUES (:user_id, :code_hash, NULL, :created_at)",
       soci::use(user_id, "user_id"), soci::use(code_hash, "code_hash"), soci::use(created_at, "created_at"));
  for (const std::string& hash : code_hashes) {
    code_hash = hash;
    insert.execute(true);
  }
}

bool SqlRecoveryCodeRepository::consume(Transaction& tx, const std::string& user_id,
                                        const std::string& code_hash, std::int64_t now_unix_ms) {
  const long long now = now_unix_ms;
  return sql_rows::execute_counting(soci_session(tx),
                                    "UPDATE recovery_codes SET used_at = :now WHERE user_id = :user_id "
                                    "AND code_hash = :code_hash AND used_at IS NULL",
                                    [&](auto& prepared) {
                                      prepared, soci::use(now, "now"), soci::use(user_id, "user_id"),
                                          soci::use(code_hash, "code_hash");
                                    }) == 1;
}

std::int64_t SqlRecoveryCodeRepository::count_remaining(Transaction& tx, const std::string& user_id) {
  long long remaining = 0;
  soci_session(tx) << "SELECT COUNT(*) FROM recovery_codes WHERE user_id = :user_id AND used_at IS NULL",
      soci::use(user_id, "user_id"), soci::into(remaining);
  return remaining;
}

}  // namespace personae

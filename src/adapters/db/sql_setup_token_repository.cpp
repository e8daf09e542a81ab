#include "adapters/db/sql_setup_token_repository.hpp"

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_account_rows.hpp"

namespace personae {
namespace {

struct SetupTokenColumns {
  std::string token_hash;
  long long created_at = 0;
  long long expires_at = 0;
  sql_rows::NullableInt64 used_at;

  void bind(soci::details::prepare_temp_type& prepared) {
    prepared, soci::into(token_hash), soci::into(created_at), soci::into(expires_at),
        soci::into(used_at.value, used_at.indicator);
  }
  SetupToken value() const { return SetupToken{token_hash, created_at, expires_at, used_at.get()}; }
};

}  // namespace

void SqlSetupTokenRepository::insert(Transaction& tx, const SetupToken& token) {
  const long long created_at = token.created_at_unix_ms;
  const long long expires_at = token.expires_at_unix_ms;
  sql_rows::NullableInt64 used_at(token.used_at_unix_ms);
  soci_session(tx) << "INSERT INTO setup_tokens (token_hash, created_at, expires_at, used_at) "
                      "VALUES (:token_hash, :created_at, :expires_at, :used_at)",
      soci::use(token.token_hash, "token_hash"), soci::use(created_at, "created_at"),
      soci::use(expires_at, "expires_at"), soci::use(used_at.value, used_at.indicator, "used_at");
}

std::optional<SetupToken> SqlSetupTokenRepository::find_valid(Transaction& tx, const std::string& token_hash,
                                                              std::int64_t now_unix_ms) {
  const long long now = now_unix_ms;
  return sql_rows::fetch_one<SetupTokenColumns>(
      soci_session(tx),
      "SELECT token_hash, created_at, expires_at, used_at FROM setup_tokens "
      "WHERE token_hash = :hash AND used_at IS NULL AND expires_at > :now",
      [&](auto& prepared) { prepared, soci::use(token_hash, "hash"), soci::use(now, "now"); });
}

bool SqlSetupTokenRepository::mark_used(Transaction& tx, const std::string& token_hash,
                                        std::int64_t now_unix_ms) {
  const long long now = now_unix_ms;
  const long long expiry_now = now_unix_ms;
  return sql_rows::execute_counting(soci_session(tx),
                                    "UPDATE setup_tokens SET used_at = :now WHERE token_hash = :hash "
                                    "AND used_at IS NULL AND expires_at > :expiry_now",
                                    [&](auto& prepared) {
                                      prepared, soci::use(now, "now"), soci::use(token_hash, "hash"),
                                          soci::use(expiry_now, "expiry_now");
                                    }) == 1;
}

}  // namespace personae

#include "adapters/db/sql_user_repository.hpp"

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_account_rows.hpp"

namespace personae {
namespace {

using sql_rows::execute_counting;
using sql_rows::fetch_one;
using sql_rows::require_found;

constexpr const char* kSelectUser =
    "SELECT id, email, display_name, password_hash, disabled, tokens_valid_after, totp_secret_sealed, "
    "totp_enabled, totp_last_step, created_at FROM users ";
constexpr const char* kNoSuchUser = "no such user";

struct UserColumns {
  std::string id;
  std::string email;
  std::string display_name;
  std::string password_hash;
  int disabled = 0;
  long long tokens_valid_after = 0;
  sql_rows::NullableText totp_secret_sealed;
  int totp_enabled = 0;
  long long totp_last_step = 0;
  long long created_at = 0;

  void bind(soci::details::prepare_temp_type& prepared) {
    prepared, soci::into(id), soci::into(email), soci::into(display_name), soci::into(password_hash),
        soci::into(disabled), soci::into(tokens_valid_after),
        soci::into(totp_secret_sealed.value, totp_secret_sealed.indicator), soci::into(totp_enabled),
        soci::into(totp_last_step), soci::into(created_at);
  }
  User value() const {
    User user;
    user.id = id;
    user.email = email;
    user.display_name = display_name;
    user.password_hash = password_hash;
    user.disabled = disabled != 0;
    user.tokens_valid_after_unix_ms = tokens_valid_after;
    user.totp_secret_sealed = totp_secret_sealed.get();
    user.totp_enabled = totp_enabled != 0;
    user.totp_last_step = totp_last_step;
    user.created_at_unix_ms = created_at;
    return user;
  }
};

}  // namespace

void SqlUserRepository::create(Transaction& tx, const User& user) {
  const int disabled = user.disabled ? 1 : 0;
  const long long tokens_valid_after = user.tokens_valid_after_unix_ms;
  sql_rows::NullableText secret(user.totp_secret_sealed);
  const int totp_enabled = user.totp_enabled ? 1 : 0;
  const long long totp_last_step = user.totp_last_step;
  const long long created_at = user.created_at_unix_ms;
  soci_session(tx)
      << "INSERT INTO users (id, email, display_name, password_hash, disabled, tokens_valid_after, "
         "totp_secret_sealed, totp_enabled, totp_last_step, created_at) VALUES (:id, :email, "
         ":display_name, :password_hash, :disabled, :tokens_valid_after, :totp_secret_sealed, "
         ":totp_enabled, :totp_last_step, :created_at)",
      soci::use(user.id, "id"), soci::use(user.email, "email"), soci::use(user.display_name, "display_name"),
      soci::use(user.password_hash, "password_hash"), soci::use(disabled, "disabled"),
      soci::use(tokens_valid_after, "tokens_valid_after"),
      soci::use(secret.value, secret.indicator, "totp_secret_sealed"),
      soci::use(totp_enabled, "totp_enabled"), soci::use(totp_last_step, "totp_last_step"),
      soci::use(created_at, "created_at");
}

std::optional<User> SqlUserRepository::find_by_id(Transaction& tx, const std::string& user_id) {
  return fetch_one<UserColumns>(soci_session(tx), std::string(kSelectUser) + "WHERE id = :id",
                                [&](auto& prepared) { prepared, soci::use(user_id, "id"); });
}

std::optional<User> SqlUserRepository::find_by_email(Transaction& tx, const std::string& email) {
  return fetch_one<UserColumns>(soci_session(tx), std::string(kSelectUser) + "WHERE email = :email",
                                [&](auto& prepared) { prepared, soci::use(email, "email"); });
}

void SqlUserRepository::update_password(Transaction& tx, const std::string& user_id,
                                        const std::string& password_hash,
                                        std::int64_t tokens_valid_after_unix_ms) {
  const long long valid_after = tokens_valid_after_unix_ms;
  require_found(execute_counting(soci_session(tx),
                                 "UPDATE users SET password_hash = :password_hash, tokens_valid_after = "
                                 ":tokens_valid_after WHERE id = :id",
                                 [&](auto& prepared) {
                                   prepared, soci::use(password_hash, "password_hash"),
                                       soci::use(valid_after, "tokens_valid_after"), soci::use(user_id, "id");
                                 }),
                kNoSuchUser);
}

void SqlUserRepository::set_disabled(Transaction& tx, const std::string& user_id, bool disabled,
                                     std::int64_t tokens_valid_after_unix_ms) {
  const int value = disabled ? 1 : 0;
  const long long valid_after = tokens_valid_after_unix_ms;
  require_found(
      execute_counting(soci_session(tx),
                       "UPDATE users SET disabled = :disabled, tokens_valid_after = :tokens_valid_after "
                       "WHERE id = :id",
                       [&](auto& prepared) {
                         prepared, soci::use(value, "disabled"), soci::use(valid_after, "tokens_valid_after"),
                             soci::use(user_id, "id");
                       }),
      kNoSuchUser);
}

void SqlUserRepository::set_totp(Transaction& tx, const std::string& user_id,
                                 const std::string& secret_sealed, bool enabled) {
  const int value = enabled ? 1 : 0;
  require_found(execute_counting(soci_session(tx),
                                 "UPDATE users SET totp_secret_sealed = :secret, totp_enabled = :enabled "
                                 "WHERE id = :id",
                                 [&](auto& prepared) {
                                   prepared, soci::use(secret_sealed, "secret"), soci::use(value, "enabled"),
                                       soci::use(user_id, "id");
                                 }),
                kNoSuchUser);
}

void SqlUserRepository::clear_totp(Transaction& tx, const std::string& user_id) {
  require_found(execute_counting(soci_session(tx),
                                 "UPDATE users SET totp_secret_sealed = NULL, totp_enabled = 0, "
                                 "totp_last_step = 0 WHERE id = :id",
                                 [&](auto& prepared) { prepared, soci::use(user_id, "id"); }),
                kNoSuchUser);
}

bool SqlUserRepository::advance_totp_step(Transaction& tx, const std::string& user_id, std::int64_t step) {
  // One statement compares and sets: concurrent callers with the same step queue on the row lock,
  // and the later one re-checks the condition against the committed value.
  const long long new_step = step;
  const long long bound = step;
  return execute_counting(
             soci_session(tx),
             "UPDATE users SET totp_last_step = :new_step WHERE id = :id AND totp_last_step < :bound",
             [&](auto& prepared) {
               prepared, soci::use(new_step, "new_step"), soci::use(user_id, "id"), soci::use(bound, "bound");
             }) == 1;
}

std::int64_t SqlUserRepository::count(Transaction& tx) {
  long long users = 0;
  soci_session(tx) << "SELECT COUNT(*) FROM users", soci::into(users);
  return users;
}

}  // namespace personae

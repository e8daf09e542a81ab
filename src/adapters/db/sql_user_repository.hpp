#pragma once

#include "ports/user_repository.hpp"

namespace personae {

/// UserRepository over the `users` table (migration 0002), for transactions opened by
/// SociDatabase. Stateless and thread-safe.
class SqlUserRepository final : public UserRepository {
 public:
  void create(Transaction& tx, const User& user) override;
  std::optional<User> find_by_id(Transaction& tx, const std::string& user_id) override;
  std::optional<User> find_by_email(Transaction& tx, const std::string& email) override;
  void update_password(Transaction& tx, const std::string& user_id, const std::string& password_hash,
                       std::int64_t tokens_valid_after_unix_ms) override;
  void set_disabled(Transaction& tx, const std::string& user_id, bool disabled,
                    std::int64_t tokens_valid_after_unix_ms) override;
  void set_totp(Transaction& tx, const std::string& user_id, const std::string& secret_sealed,
                bool enabled) override;
  void clear_totp(Transaction& tx, const std::string& user_id) override;
  bool advance_totp_step(Transaction& tx, const std::string& user_id, std::int64_t step) override;
  std::int64_t count(Transaction& tx) override;
};

}  // namespace personae

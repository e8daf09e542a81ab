#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/accounts/user.hpp"
#include "ports/database.hpp"

namespace personae {

/// Storage of users (migration 0002). Users are global (not tenant-owned). E-mail addresses are
/// passed already normalised (parse_email). Methods that target one user throw kNotFound when it
/// does not exist. Blocking; throws AppError like Database.
class UserRepository {
 public:
  virtual ~UserRepository() = default;

  /// Stores a new user; kConflict when the id or the e-mail address is taken.
  virtual void create(Transaction& tx, const User& user) = 0;

  virtual std::optional<User> find_by_id(Transaction& tx, const std::string& user_id) = 0;
  virtual std::optional<User> find_by_email(Transaction& tx, const std::string& email) = 0;

  /// Replaces the password hash and moves tokens_valid_after (ends access tokens issued before).
  virtual void update_password(Transaction& tx, const std::string& user_id, const std::string& password_hash,
                               std::int64_t tokens_valid_after_unix_ms) = 0;

  /// Disables or enables the user and moves tokens_valid_after.
  virtual void set_disabled(Transaction& tx, const std::string& user_id, bool disabled,
                            std::int64_t tokens_valid_after_unix_ms) = 0;

  /// Stores a sealed TOTP secret (enabled = false while enrolment awaits its first code, true once
  /// confirmed). The last accepted step is kept: a new secret cannot replay an old step anyway.
  virtual void set_totp(Transaction& tx, const std::string& user_id, const std::string& secret_sealed,
                        bool enabled) = 0;

  /// Removes the TOTP secret, disables TOTP and resets the last accepted step to 0.
  virtual void clear_totp(Transaction& tx, const std::string& user_id) = 0;

  /// Records `step` as the last accepted TOTP step if, and only if, it is greater than the stored
  /// one, in one atomic statement: returns false for a replayed (or older) step, so that of two
  /// concurrent logins with the same code exactly one gets true.
  virtual bool advance_totp_step(Transaction& tx, const std::string& user_id, std::int64_t step) = 0;

  /// How many users exist (0 means the first-run setup is still to do).
  virtual std::int64_t count(Transaction& tx) = 0;
};

}  // namespace personae

#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace personae {

/// A person who can sign in. Users are global: one user may be a member of several tenants.
struct User {
  std::string id;
  std::string email;  ///< normalised (parse_email); unique
  std::string display_name;
  std::string password_hash;  ///< an Argon2id string; never the password
  bool disabled = false;
  /// Access tokens issued before this instant (unix ms) are rejected: bumped on password change,
  /// disabling and "log out everywhere".
  std::int64_t tokens_valid_after_unix_ms = 0;
  /// The TOTP secret sealed by the secret box: storage only ever sees ciphertext.
  std::optional<std::string> totp_secret_sealed;
  bool totp_enabled = false;  ///< enrolment confirmed with a valid code
  /// The last accepted TOTP time step: a code of this step or an earlier one is a replay.
  std::int64_t totp_last_step = 0;
  std::int64_t created_at_unix_ms = 0;

  bool operator==(const User&) const = default;
};

}  // namespace personae

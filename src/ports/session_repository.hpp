#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/accounts/session.hpp"
#include "ports/database.hpp"

namespace personae {

/// Storage of refresh tokens (sessions, migration 0002), tenant-owned. Methods that name a tenant
/// run under its row-level security scope on PostgreSQL; the others are system operations across
/// tenants (documented on each). Blocking; throws AppError like Database.
class SessionRepository {
 public:
  virtual ~SessionRepository() = default;

  /// kConflict when the id or token hash is taken, or the user is not a member of the tenant.
  virtual void insert(Transaction& tx, const Session& session) = 0;

  /// The session holding this refresh-token hash, used or not (system operation: the tenant is not
  /// known before the token is).
  virtual std::optional<Session> find_by_token_hash(Transaction& tx, const std::string& token_hash) = 0;

  /// Marks the token used if nobody has yet, in one atomic statement (`... WHERE used_at IS NULL`):
  /// true for the one caller that rotated it, false for everyone else (the refresh race, or reuse).
  virtual bool mark_used(Transaction& tx, const std::string& tenant_id, const std::string& session_id,
                         std::int64_t now_unix_ms) = 0;

  /// Revokes every not-yet-revoked token of the family; returns how many.
  virtual std::int64_t revoke_family(Transaction& tx, const std::string& tenant_id,
                                     const std::string& family_id, std::int64_t now_unix_ms,
                                     const std::string& reason) = 0;

  /// Revokes every not-yet-revoked token of the user in every tenant, except those of
  /// `except_family_id` when given (the caller's own session, on password change); returns how
  /// many (system operation across tenants: the user's credentials are global).
  virtual std::int64_t revoke_all_for_user(Transaction& tx, const std::string& user_id,
                                           std::int64_t now_unix_ms, const std::string& reason,
                                           const std::optional<std::string>& except_family_id) = 0;

  /// The user's active tokens (Session::active_at) in every tenant, newest first: one per live
  /// family, for the "sessions" page (system operation across tenants: they are all the user's).
  virtual std::vector<Session> list_active_for_user(Transaction& tx, const std::string& user_id,
                                                    std::int64_t now_unix_ms) = 0;

  /// Retention: deletes every family that can no longer be used at `now_unix_ms` (past its
  /// absolute expiry, or without an active token left), all of its rows at once, so that reuse
  /// detection keeps working for live families. Returns the rows deleted (system operation).
  virtual std::int64_t delete_expired(Transaction& tx, std::int64_t now_unix_ms) = 0;
};

}  // namespace personae

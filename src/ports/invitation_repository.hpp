#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/accounts/invitation.hpp"
#include "ports/database.hpp"

namespace personae {

/// Storage of invitations (migration 0002), tenant-owned. Blocking; throws AppError like Database.
class InvitationRepository {
 public:
  virtual ~InvitationRepository() = default;

  /// kConflict when the id or token hash is taken, or the tenant or inviter is missing.
  virtual void insert(Transaction& tx, const Invitation& invitation) = 0;

  /// The invitation holding this token hash, in whatever state (system operation: the invitee does
  /// not know the tenant yet).
  virtual std::optional<Invitation> find_by_token_hash(Transaction& tx, const std::string& token_hash) = 0;

  /// Marks the invitation accepted if it is still pending at `now_unix_ms`, in one atomic
  /// statement: true for the one caller that redeemed it, false otherwise (already accepted,
  /// revoked, expired, or missing).
  virtual bool mark_accepted(Transaction& tx, const std::string& tenant_id, const std::string& invitation_id,
                             std::int64_t now_unix_ms) = 0;

  /// The tenant's invitations pending at `now_unix_ms`, newest first.
  virtual std::vector<Invitation> list_pending(Transaction& tx, const std::string& tenant_id,
                                               std::int64_t now_unix_ms) = 0;

  /// Revokes an invitation not yet accepted (a second revocation keeps the first instant);
  /// kNotFound when the tenant has no such unaccepted invitation.
  virtual void revoke(Transaction& tx, const std::string& tenant_id, const std::string& invitation_id,
                      std::int64_t now_unix_ms) = 0;
};

}  // namespace personae

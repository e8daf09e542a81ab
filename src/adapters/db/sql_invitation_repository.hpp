#pragma once

#include "ports/invitation_repository.hpp"

namespace personae {

/// InvitationRepository over the `invitations` table (migration 0002), for transactions opened by
/// SociDatabase. Tenant-named methods call scope_to_tenant first; find_by_token_hash runs under
/// bypass_tenant_scope. Stateless and thread-safe.
class SqlInvitationRepository final : public InvitationRepository {
 public:
  void insert(Transaction& tx, const Invitation& invitation) override;
  std::optional<Invitation> find_by_token_hash(Transaction& tx, const std::string& token_hash) override;
  bool mark_accepted(Transaction& tx, const std::string& tenant_id, const std::string& invitation_id,
                     std::int64_t now_unix_ms) override;
  std::vector<Invitation> list_pending(Transaction& tx, const std::string& tenant_id,
                                       std::int64_t now_unix_ms) override;
  void revoke(Transaction& tx, const std::string& tenant_id, const std::string& invitation_id,
              std::int64_t now_unix_ms) override;
};

}  // namespace personae

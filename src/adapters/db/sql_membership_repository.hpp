#pragma once

#include "ports/membership_repository.hpp"

namespace personae {

/// MembershipRepository over the `memberships` table (migration 0002), for transactions opened by
/// SociDatabase. Tenant-named methods call scope_to_tenant first; list_by_user runs under
/// bypass_tenant_scope. Stateless and thread-safe.
class SqlMembershipRepository final : public MembershipRepository {
 public:
  void add(Transaction& tx, const Membership& membership) override;
  std::optional<Membership> find(Transaction& tx, const std::string& tenant_id,
                                 const std::string& user_id) override;
  std::vector<Membership> list_by_tenant(Transaction& tx, const std::string& tenant_id) override;
  std::vector<Membership> list_by_user(Transaction& tx, const std::string& user_id) override;
  void update(Transaction& tx, const std::string& tenant_id, const std::string& user_id, Role role,
              const std::vector<ResourceScope>& scopes) override;
  void remove(Transaction& tx, const std::string& tenant_id, const std::string& user_id) override;
  std::int64_t count_owners(Transaction& tx, const std::string& tenant_id) override;
};

}  // namespace personae

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/accounts/membership.hpp"
#include "ports/database.hpp"

namespace personae {

/// Storage of memberships (migration 0002), tenant-owned: every method but list_by_user names the
/// tenant, and on PostgreSQL runs under that tenant's row-level security scope. Methods that
/// target one membership throw kNotFound when it does not exist in that tenant. Blocking; throws
/// AppError like Database.
class MembershipRepository {
 public:
  virtual ~MembershipRepository() = default;

  /// kConflict when the user is already a member of the tenant, or the tenant or user is missing.
  virtual void add(Transaction& tx, const Membership& membership) = 0;

  virtual std::optional<Membership> find(Transaction& tx, const std::string& tenant_id,
                                         const std::string& user_id) = 0;

  /// The tenant's members, oldest first.
  virtual std::vector<Membership> list_by_tenant(Transaction& tx, const std::string& tenant_id) = 0;

  /// The user's memberships in every tenant, oldest first (system operation across tenants: login
  /// and the tenant switcher).
  virtual std::vector<Membership> list_by_user(Transaction& tx, const std::string& user_id) = 0;

  /// Replaces the role and the scopes.
  virtual void update(Transaction& tx, const std::string& tenant_id, const std::string& user_id, Role role,
                      const std::vector<ResourceScope>& scopes) = 0;

  /// Removes the membership; the user's refresh tokens in that tenant go with it (cascade).
  virtual void remove(Transaction& tx, const std::string& tenant_id, const std::string& user_id) = 0;

  /// How many owners the tenant has: the last one may be neither demoted nor removed, so the
  /// service calls this in the kWrite transaction that makes the change. Requires a kWrite
  /// transaction: the owners are locked until it ends (PostgreSQL `FOR UPDATE`; SQLite's write
  /// lock), so that two concurrent demotions of different owners cannot both succeed.
  virtual std::int64_t count_owners(Transaction& tx, const std::string& tenant_id) = 0;
};

}  // namespace personae

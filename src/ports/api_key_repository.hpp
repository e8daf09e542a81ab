#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/accounts/api_key.hpp"
#include "ports/database.hpp"

namespace personae {

/// Storage of API keys (migration 0002), tenant-owned. Methods that target one key throw
/// kNotFound when it does not exist in that tenant. Blocking; throws AppError like Database.
class ApiKeyRepository {
 public:
  virtual ~ApiKeyRepository() = default;

  /// kConflict when the id or the prefix is taken, or the tenant or creator is missing.
  virtual void insert(Transaction& tx, const ApiKey& key) = 0;

  /// The key with this public prefix, revoked or not (system operation: authenticating a bearer
  /// key, before its tenant is known).
  virtual std::optional<ApiKey> find_by_prefix(Transaction& tx, const std::string& prefix) = 0;

  /// The tenant's keys, revoked ones included, newest first.
  virtual std::vector<ApiKey> list_by_tenant(Transaction& tx, const std::string& tenant_id) = 0;

  /// Revokes the key (a second revocation keeps the first instant).
  virtual void revoke(Transaction& tx, const std::string& tenant_id, const std::string& key_id,
                      std::int64_t now_unix_ms) = 0;

  /// Records a use of the key.
  virtual void touch_last_used(Transaction& tx, const std::string& tenant_id, const std::string& key_id,
                               std::int64_t now_unix_ms) = 0;
};

}  // namespace personae

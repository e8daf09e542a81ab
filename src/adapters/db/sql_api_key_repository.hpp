#pragma once

#include "ports/api_key_repository.hpp"

namespace personae {

/// ApiKeyRepository over the `api_keys` table (migration 0002), for transactions opened by
/// SociDatabase. Tenant-named methods call scope_to_tenant first; find_by_prefix runs under
/// bypass_tenant_scope. Stateless and thread-safe.
class SqlApiKeyRepository final : public ApiKeyRepository {
 public:
  void insert(Transaction& tx, const ApiKey& key) override;
  std::optional<ApiKey> find_by_prefix(Transaction& tx, const std::string& prefix) override;
  std::vector<ApiKey> list_by_tenant(Transaction& tx, const std::string& tenant_id) override;
  void revoke(Transaction& tx, const std::string& tenant_id, const std::string& key_id,
              std::int64_t now_unix_ms) override;
  void touch_last_used(Transaction& tx, const std::string& tenant_id, const std::string& key_id,
                       std::int64_t now_unix_ms) override;
};

}  // namespace personae

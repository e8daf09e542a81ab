#pragma once

#include "ports/session_repository.hpp"

namespace personae {

/// SessionRepository over the `sessions` table (migration 0002), for transactions opened by
/// SociDatabase. Tenant-named methods call scope_to_tenant first; find_by_token_hash,
/// revoke_all_for_user, list_active_for_user and delete_expired run under bypass_tenant_scope.
/// Stateless and thread-safe.
class SqlSessionRepository final : public SessionRepository {
 public:
  void insert(Transaction& tx, const Session& session) override;
  std::optional<Session> find_by_token_hash(Transaction& tx, const std::string& token_hash) override;
  bool mark_used(Transaction& tx, const std::string& tenant_id, const std::string& session_id,
                 std::int64_t now_unix_ms) override;
  std::int64_t revoke_family(Transaction& tx, const std::string& tenant_id, const std::string& family_id,
                             std::int64_t now_unix_ms, const std::string& reason) override;
  std::int64_t revoke_all_for_user(Transaction& tx, const std::string& user_id, std::int64_t now_unix_ms,
                                   const std::string& reason,
                                   const std::optional<std::string>& except_family_id) override;
  std::vector<Session> list_active_for_user(Transaction& tx, const std::string& user_id,
                                            std::int64_t now_unix_ms) override;
  std::int64_t delete_expired(Transaction& tx, std::int64_t now_unix_ms) override;
};

}  // namespace personae

#include "adapters/db/sql_api_key_repository.hpp"

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_account_rows.hpp"
#include "adapters/db/tenant_scope.hpp"

namespace personae {
namespace {

using sql_rows::execute_counting;
using sql_rows::fetch_one;
using sql_rows::fetch_rows;
using sql_rows::require_found;

constexpr const char* kSelectApiKey =
    "SELECT id, tenant_id, created_by, name, prefix, secret_hash, scopes, expires_at, revoked_at, "
    "last_used_at, "
    "created_at FROM api_keys ";
constexpr const char* kNoSuchKey = "no such API key";

struct ApiKeyColumns {
  std::string id;
  std::string tenant_id;
  std::string created_by;
  std::string name;
  std::string prefix;
  std::string secret_hash;
  std::string scopes;
  sql_rows::NullableInt64 expires_at;
  sql_rows::NullableInt64 revoked_at;
  sql_rows::NullableInt64 last_used_at;
  long long created_at = 0;

  void bind(soci::details::prepare_temp_type& prepared) {
    prepared, soci::into(id), soci::into(tenant_id), soci::into(created_by), soci::into(name),
        soci::into(prefix), soci::into(secret_hash), soci::into(scopes),
        soci::into(expires_at.value, expires_at.indicator),
        soci::into(revoked_at.value, revoked_at.indicator),
        soci::into(last_used_at.value, last_used_at.indicator), soci::into(created_at);
  }
  ApiKey value() const {
    ApiKey key;
    key.id = id;
    key.tenant_id = tenant_id;
    key.created_by = created_by;
    key.name = name;
    key.prefix = prefix;
    key.secret_hash = secret_hash;
    key.scopes = sql_rows::decode_names(scopes);
    key.expires_at_unix_ms = expires_at.get();
    key.revoked_at_unix_ms = revoked_at.get();
    key.last_used_at_unix_ms = last_used_at.get();
    key.created_at_unix_ms = created_at;
    return key;
  }
};

}  // namespace

void SqlApiKeyRepository::insert(Transaction& tx, const ApiKey& key) {
  scope_to_tenant(tx, key.tenant_id);
  const std::string scopes = sql_rows::encode_names(key.scopes);
  sql_rows::NullableInt64 expires_at(key.expires_at_unix_ms);
  sql_rows::NullableInt64 revoked_at(key.revoked_at_unix_ms);
  sql_rows::NullableInt64 last_used_at(key.last_used_at_unix_ms);
  const long long created_at = key.created_at_unix_ms;
  soci_session(tx)
      << "INSERT INTO api_keys (id, tenant_id, created_by, name, prefix, secret_hash, scopes, "
         "expires_at, revoked_at, last_used_at, created_at) VALUES (:id, :tenant_id, :created_by, "
         ":name, :prefix, :secret_hash, :scopes, :expires_at, :revoked_at, :last_used_at, "
         ":created_at)",
      soci::use(key.id, "id"), soci::use(key.tenant_id, "tenant_id"), soci::use(key.created_by, "created_by"),
      soci::use(key.name, "name"), soci::use(key.prefix, "prefix"), soci::use(key.secret_hash, "secret_hash"),
      soci::use(scopes, "scopes"), soci::use(expires_at.value, expires_at.indicator, "expires_at"),
      soci::use(revoked_at.value, revoked_at.indicator, "revoked_at"),
      soci::use(last_used_at.value, last_used_at.indicator, "last_used_at"),
      soci::use(created_at, "created_at");
}

std::optional<ApiKey> SqlApiKeyRepository::find_by_prefix(Transaction& tx, const std::string& prefix) {
  // The presented key is all the caller has: its tenant is learnt from the row.
  return bypass_tenant_scope(tx, [&] {
    return fetch_one<ApiKeyColumns>(soci_session(tx), std::string(kSelectApiKey) + "WHERE prefix = :prefix",
                                    [&](auto& prepared) { prepared, soci::use(prefix, "prefix"); });
  });
}

std::vector<ApiKey> SqlApiKeyRepository::list_by_tenant(Transaction& tx, const std::string& tenant_id) {
  scope_to_tenant(tx, tenant_id);
  return fetch_rows<ApiKeyColumns>(
      soci_session(tx),
      std::string(kSelectApiKey) + "WHERE tenant_id = :tenant_id ORDER BY created_at DESC, id",
      [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"); });
}

void SqlApiKeyRepository::revoke(Transaction& tx, const std::string& tenant_id, const std::string& key_id,
                                 std::int64_t now_unix_ms) {
  scope_to_tenant(tx, tenant_id);
  const long long now = now_unix_ms;
  require_found(execute_counting(soci_session(tx),
                                 "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, :now) "
                                 "WHERE tenant_id = :tenant_id AND id = :id",
                                 [&](auto& prepared) {
                                   prepared, soci::use(now, "now"), soci::use(tenant_id, "tenant_id"),
                                       soci::use(key_id, "id");
                                 }),
                kNoSuchKey);
}

void SqlApiKeyRepository::touch_last_used(Transaction& tx, const std::string& tenant_id,
                                          const std::string& key_id, std::int64_t now_unix_ms) {
  scope_to_tenant(tx, tenant_id);
  const long long now = now_unix_ms;
  require_found(
      execute_counting(soci_session(tx),
                       "UPDATE api_keys SET last_used_at = :now WHERE tenant_id = :tenant_id AND id = :id",
                       [&](auto& prepared) {
                         prepared, soci::use(now, "now"), soci::use(tenant_id, "tenant_id"),
                             soci::use(key_id, "id");
                       }),
      kNoSuchKey);
}

}  // namespace personae

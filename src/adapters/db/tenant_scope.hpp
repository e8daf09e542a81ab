#pragma once

#include <string>
#include <type_traits>
#include <utility>

#include "ports/database.hpp"

namespace personae {

// Row-level security scoping for tenant-owned tables (migration 0002's PostgreSQL policies).
//
// On PostgreSQL, a tenant-owned row (memberships, sessions, api_keys, invitations) is visible and
// writable only when the transaction has set `app.tenant_id` to its tenant, or has set
// `app.rls_bypass` to 'on'. Both settings are transaction-local (`set_config(..., true)`), so they
// never leak into the next transaction on a pooled connection. Repositories still filter by
// tenant in every query: the policies are the second line, for a query that forgets to.
// On SQLite (no row-level security) these helpers change nothing.

/// Makes `tenant_id` the transaction's tenant, until the transaction ends or another call changes
/// it. Every repository method that names a tenant calls this before its queries.
void scope_to_tenant(Transaction& tx, const std::string& tenant_id);

namespace detail {
/// Sets `app.rls_bypass` to 'on' or 'off' for the rest of the transaction (PostgreSQL only).
void set_tenant_scope_bypass(Transaction& tx, bool bypass);
}  // namespace detail

/// The explicit, reviewable exception to tenant scoping: runs `work()` while the transaction sees
/// the tenant-owned rows of every tenant, then turns the bypass off again, and returns what `work`
/// returns. Only system operations that cannot know the tenant (finding a refresh token or an API
/// key by its hash, a user's memberships at login, revoking all of a user's sessions, retention)
/// use it. Do not nest.
///
/// The bypass is switched off by a statement rather than a destructor so that a failure to switch
/// it off fails the operation (PostgreSQL would otherwise silently roll the transaction back at
/// commit). When `work` throws, switching off is attempted and its own failure ignored: the
/// exception propagates and the transaction is rolled back.
template <class Work>
decltype(auto) bypass_tenant_scope(Transaction& tx, Work&& work) {
  detail::set_tenant_scope_bypass(tx, true);
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<Work&>>) {
      work();
      detail::set_tenant_scope_bypass(tx, false);
    } else {
      auto result = work();
      detail::set_tenant_scope_bypass(tx, false);
      return result;
    }
  } catch (...) {
    try {
      detail::set_tenant_scope_bypass(tx, false);
    } catch (...) {
      // The transaction is failing anyway (PostgreSQL aborts it on the first error).
    }
    throw;
  }
}

}  // namespace personae

#pragma once

#include <string>
#include <string_view>

#include "ports/blob_store.hpp"

/// The checks every store makes before a key or tenant id reaches a path or an object name.
namespace personae::blob_checks {

/// Throws AppError(kInvalidArgument) unless `key` is valid. The detail does not echo the key (it
/// may be hostile), only which part is wrong.
void require_valid(const BlobKey& key);

/// The same for a tenant id about to become part of a key.
void require_valid_tenant(const std::string& tenant_id);

/// Throws AppError(kNotFound) for `key`; `store` names the store in the detail.
[[noreturn]] void throw_not_found(const BlobKey& key, std::string_view store);

}  // namespace personae::blob_checks

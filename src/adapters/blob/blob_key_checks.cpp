#include "adapters/blob/blob_key_checks.hpp"

#include "core/error.hpp"

namespace personae::blob_checks {
namespace {

// Any valid hash, to check a tenant id alone with BlobKey::valid().
std::string any_hash() {
  std::string hash(64, '0');
  return hash;
}

}  // namespace

void require_valid(const BlobKey& key) {
  if (key.valid()) return;
  const bool tenant_ok = BlobKey{key.tenant_id, any_hash()}.valid();
  throw AppError(ErrorCode::kInvalidArgument, "The object key is invalid.",
                 tenant_ok ? "blob key: the hash is not 64 lowercase hex digits"
                           : "blob key: the tenant id is not 1-64 characters of [A-Za-z0-9_-]");
}

void require_valid_tenant(const std::string& tenant_id) {
  require_valid(BlobKey{tenant_id, any_hash()});
}

void throw_not_found(const BlobKey& key, std::string_view store) {
  throw AppError(ErrorCode::kNotFound, "The object does not exist.",
                 std::string(store) + ": no object " + key.to_string());
}

}  // namespace personae::blob_checks

// BlobKey (ports/blob_store.hpp) is a value type every layer uses: it lives in core, not in an adapter.
#include <algorithm>

#include "ports/blob_store.hpp"

namespace personae {
namespace {

bool valid_tenant_id(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool valid_sha256(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string BlobKey::to_string() const {
  return tenant_id + "/" + sha256;
}

std::optional<BlobKey> BlobKey::parse(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  BlobKey key{std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))};
  if (!key.valid()) return std::nullopt;
  return key;
}

bool BlobKey::valid() const {
  return valid_tenant_id(tenant_id) && valid_sha256(sha256);
}

}  // namespace personae

#include "services/media/vault_categories.hpp"

namespace personae {

std::vector<MediaCategory> seeded_categories(Transaction& tx, MediaRepository& media,
                                             const std::string& tenant_id, std::int64_t now_unix_ms) {
  if (!media.categories_seeded(tx, tenant_id)) {
    media.seed_categories(tx, tenant_id, default_media_categories(), now_unix_ms);
  }
  return media.categories(tx, tenant_id);
}

}  // namespace personae

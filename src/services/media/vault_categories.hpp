#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/media/media_item.hpp"
#include "ports/media_repository.hpp"

namespace personae {

/// The tenant's vault categories, seeding the defaults the first time (`tx` must be a kWrite
/// transaction for that first time; later calls only read).
std::vector<MediaCategory> seeded_categories(Transaction& tx, MediaRepository& media,
                                             const std::string& tenant_id, std::int64_t now_unix_ms);

}  // namespace personae

#pragma once

#include "ports/media_repository.hpp"

namespace personae {

/// MediaRepository in SQL (SQLite and PostgreSQL).
class SqlMediaRepository final : public MediaRepository {
 public:
  void insert(Transaction& tx, const MediaItem& item) override;
  std::optional<MediaItem> find(Transaction& tx, const std::string& tenant_id,
                                const std::string& id) override;
  MediaPage list(Transaction& tx, const std::string& tenant_id, const MediaFilter& filter) override;
  void update_metadata(Transaction& tx, const MediaItem& item) override;
  void remove(Transaction& tx, const std::string& tenant_id, const std::string& id) override;
  std::int64_t count_blob_references(Transaction& tx, const std::string& tenant_id,
                                     const std::string& blob_key) override;
  std::vector<MediaFingerprint> fingerprints(Transaction& tx, const std::string& tenant_id) override;
  std::int64_t count_for_persona(Transaction& tx, const std::string& tenant_id,
                                 const std::string& persona_id) override;
  std::int64_t count_in_category(Transaction& tx, const std::string& tenant_id,
                                 const std::string& category) override;
  std::vector<MediaFolder> folders(Transaction& tx, const std::string& tenant_id) override;
  std::vector<MediaCategory> categories(Transaction& tx, const std::string& tenant_id) override;
  void seed_categories(Transaction& tx, const std::string& tenant_id,
                       const std::vector<MediaCategory>& defaults, std::int64_t now_unix_ms) override;
  bool categories_seeded(Transaction& tx, const std::string& tenant_id) override;
  void add_category(Transaction& tx, const std::string& tenant_id, const MediaCategory& category,
                    std::int64_t now_unix_ms) override;
  void remove_category(Transaction& tx, const std::string& tenant_id, const std::string& name) override;
};

}  // namespace personae

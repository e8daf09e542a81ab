#pragma once

#include "ports/caption_repository.hpp"

namespace personae {

/// CaptionRepository over SOCI (SQLite and PostgreSQL).
class SqlCaptionRepository final : public CaptionRepository {
 public:
  void insert(Transaction& tx, const captions::Caption& caption) override;
  std::optional<captions::Caption> find(Transaction& tx, const std::string& tenant_id,
                                        const std::string& id) override;
  std::vector<captions::Caption> list(Transaction& tx, const CaptionFilter& filter) override;
  bool update(Transaction& tx, const captions::Caption& caption, std::int64_t expected_revision) override;
};

/// ContentSettingsRepository over SOCI (SQLite and PostgreSQL).
class SqlContentSettingsRepository final : public ContentSettingsRepository {
 public:
  captions::ContentSettings get(Transaction& tx, const std::string& tenant_id) override;
  bool put(Transaction& tx, const std::string& tenant_id, const captions::ContentSettings& settings,
           std::int64_t expected_revision) override;
};

}  // namespace personae

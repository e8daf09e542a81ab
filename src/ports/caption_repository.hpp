#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/captions/caption.hpp"
#include "ports/database.hpp"

namespace personae {

/// Which captions a list returns, newest first. The cursor is the last item of the previous page.
struct CaptionFilter {
  std::string tenant_id;
  /// nullopt: every persona; otherwise only these (a member limited to some personas).
  std::optional<std::vector<std::string>> persona_ids;
  std::optional<std::string> persona_id;
  std::optional<std::string> media_id;
  std::optional<captions::CaptionStatus> status;
  std::optional<Platform> platform;
  /// The cursor: (created_at, id) of the last item seen.
  std::optional<std::pair<std::int64_t, std::string>> before;
  int limit = 50;  ///< 1..200
};

/// Storage of captions (migration 0005), tenant-owned: every method names the tenant and runs
/// under its row-level security scope on PostgreSQL. Blocking; throws AppError like Database.
class CaptionRepository {
 public:
  virtual ~CaptionRepository() = default;

  /// kConflict when the id is taken.
  virtual void insert(Transaction& tx, const captions::Caption& caption) = 0;
  virtual std::optional<captions::Caption> find(Transaction& tx, const std::string& tenant_id,
                                                const std::string& id) = 0;
  /// One page; one more row than `limit` is read to know whether another page follows.
  virtual std::vector<captions::Caption> list(Transaction& tx, const CaptionFilter& filter) = 0;
  /// Replaces the stored caption if its revision is still `expected_revision`: false when another
  /// change came first. kNotFound when it does not exist.
  virtual bool update(Transaction& tx, const captions::Caption& caption, std::int64_t expected_revision) = 0;
};

/// Storage of a tenant's content settings (migration 0005). A tenant that never saved any has the
/// defaults (revision 0).
class ContentSettingsRepository {
 public:
  virtual ~ContentSettingsRepository() = default;

  virtual captions::ContentSettings get(Transaction& tx, const std::string& tenant_id) = 0;
  /// Stores `settings` (whose revision is expected_revision + 1) if the stored revision is still
  /// `expected_revision` (0: none stored yet): false when another change came first.
  virtual bool put(Transaction& tx, const std::string& tenant_id, const captions::ContentSettings& settings,
                   std::int64_t expected_revision) = 0;
};

}  // namespace personae

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/media/media_item.hpp"
#include "ports/database.hpp"

namespace personae {

/// Where a page of a listing starts: after the item with this creation time and id (items are
/// listed newest first).
struct MediaCursor {
  std::int64_t created_at_unix_ms = 0;
  std::string id;
};

/// What to list. Every set field narrows the result.
struct MediaFilter {
  std::optional<std::string> persona_id;
  bool unassigned_only = false;  ///< items of no persona
  std::optional<std::string> category;
  std::optional<Rating> rating;
  std::optional<std::string> tag;
  std::optional<MediaKind> kind;
  /// Only items of these personas (a member limited to some personas); items of no persona are
  /// then hidden too. nullopt: no limit.
  std::optional<std::vector<std::string>> reachable_personas;
  std::optional<MediaCursor> after;
  std::size_t limit = 50;
};

struct MediaPage {
  std::vector<MediaItem> items;
  std::optional<MediaCursor> next;  ///< set when more items follow
};

/// One folder of the vault's view: a persona (or none) and a category (or none), with its count.
struct MediaFolder {
  std::optional<std::string> persona_id;
  std::optional<std::string> category;
  std::int64_t count = 0;
};

/// An image's fingerprint, for near-duplicate detection.
struct MediaFingerprint {
  std::string id;
  std::string sha256;
  std::uint64_t perceptual_hash = 0;
};

/// Storage of the media vault's rows (migration 0003), tenant-owned: every method names the tenant
/// and runs under its row-level security scope on PostgreSQL. The bytes are in the blob store.
/// Blocking; throws AppError like Database.
class MediaRepository {
 public:
  virtual ~MediaRepository() = default;

  /// The item with its tags and variants; kConflict when the id is taken.
  virtual void insert(Transaction& tx, const MediaItem& item) = 0;
  virtual std::optional<MediaItem> find(Transaction& tx, const std::string& tenant_id,
                                        const std::string& id) = 0;
  virtual MediaPage list(Transaction& tx, const std::string& tenant_id, const MediaFilter& filter) = 0;
  /// Replaces the persona, category, rating, description, tags and updated_at; kNotFound when
  /// the item does not exist.
  virtual void update_metadata(Transaction& tx, const MediaItem& item) = 0;
  /// Deletes the item (its tags and variants with it); kNotFound when it does not exist.
  virtual void remove(Transaction& tx, const std::string& tenant_id, const std::string& id) = 0;
  /// How many variants of the tenant's items still name `blob_key` (0: the blob may be deleted).
  virtual std::int64_t count_blob_references(Transaction& tx, const std::string& tenant_id,
                                             const std::string& blob_key) = 0;
  /// Every image of the tenant that has a perceptual hash.
  virtual std::vector<MediaFingerprint> fingerprints(Transaction& tx, const std::string& tenant_id) = 0;
  /// How many items belong to the persona.
  virtual std::int64_t count_for_persona(Transaction& tx, const std::string& tenant_id,
                                         const std::string& persona_id) = 0;
  /// How many items are in the category.
  virtual std::int64_t count_in_category(Transaction& tx, const std::string& tenant_id,
                                         const std::string& category) = 0;
  /// Item counts by persona and category (the vault's folders).
  virtual std::vector<MediaFolder> folders(Transaction& tx, const std::string& tenant_id) = 0;

  /// The tenant's categories, by name.
  virtual std::vector<MediaCategory> categories(Transaction& tx, const std::string& tenant_id) = 0;
  /// Adds the default categories once per tenant (a no-op afterwards, even if some were deleted);
  /// needs a kWrite transaction.
  virtual void seed_categories(Transaction& tx, const std::string& tenant_id,
                               const std::vector<MediaCategory>& defaults, std::int64_t now_unix_ms) = 0;
  /// Whether the tenant's categories were seeded.
  virtual bool categories_seeded(Transaction& tx, const std::string& tenant_id) = 0;
  /// kConflict when the name exists.
  virtual void add_category(Transaction& tx, const std::string& tenant_id, const MediaCategory& category,
                            std::int64_t now_unix_ms) = 0;
  /// kNotFound when it does not exist.
  virtual void remove_category(Transaction& tx, const std::string& tenant_id, const std::string& name) = 0;
};

}  // namespace personae

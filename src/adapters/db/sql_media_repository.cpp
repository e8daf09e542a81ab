#include "adapters/db/sql_media_repository.hpp"

#include <bit>
#include <map>

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_account_rows.hpp"
#include "adapters/db/tenant_scope.hpp"

namespace personae {
namespace {

using sql_rows::execute_counting;
using sql_rows::fetch_one;
using sql_rows::fetch_rows;
using sql_rows::NullableInt64;
using sql_rows::NullableText;
using sql_rows::require_found;

constexpr const char* kItemColumns =
    "m.id, m.tenant_id, m.persona_id, m.kind, m.mime_type, m.original_name, m.size_bytes, m.width, m.height, "
    "m.sha256, m.category, m.rating, m.description, m.phash, m.source, m.generator, m.created_by, "
    "m.created_at, m.updated_at";

// The perceptual hash is an unsigned 64-bit value kept in a signed BIGINT, bit for bit.
long long to_column(std::uint64_t hash) {
  return std::bit_cast<long long>(hash);
}
std::uint64_t from_column(long long value) {
  return std::bit_cast<std::uint64_t>(value);
}

struct ItemColumns {
  std::string id;
  std::string tenant_id;
  NullableText persona_id;
  std::string kind;
  std::string mime_type;
  std::string original_name;
  long long size_bytes = 0;
  int width = 0;
  int height = 0;
  std::string sha256;
  NullableText category;
  std::string rating;
  std::string description;
  NullableInt64 phash;
  std::string source;
  std::string generator;
  std::string created_by;
  long long created_at = 0;
  long long updated_at = 0;

  void bind(soci::details::prepare_temp_type& prepared) {
    prepared, soci::into(id), soci::into(tenant_id), soci::into(persona_id.value, persona_id.indicator),
        soci::into(kind), soci::into(mime_type), soci::into(original_name), soci::into(size_bytes),
        soci::into(width), soci::into(height), soci::into(sha256),
        soci::into(category.value, category.indicator), soci::into(rating), soci::into(description),
        soci::into(phash.value, phash.indicator), soci::into(source), soci::into(generator),
        soci::into(created_by), soci::into(created_at), soci::into(updated_at);
  }
  MediaItem value() const {
    MediaItem item;
    item.id = id;
    item.tenant_id = tenant_id;
    item.persona_id = persona_id.get();
    item.kind = parse_media_kind(kind).value_or(MediaKind::kImage);
    item.mime_type = mime_type;
    item.original_name = original_name;
    item.size_bytes = size_bytes;
    item.width = width;
    item.height = height;
    item.sha256 = sha256;
    item.category = category.get();
    item.rating = parse_rating(rating).value_or(Rating::kExplicit);  // unknown: the strictest
    item.description = description;
    if (const auto hash = phash.get()) item.perceptual_hash = from_column(*hash);
    item.source = parse_media_source(source).value_or(MediaSource::kUpload);
    item.generator = generator;
    item.created_by = created_by;
    item.created_at_unix_ms = created_at;
    item.updated_at_unix_ms = updated_at;
    return item;
  }
};

struct VariantColumns {
  std::string media_id;
  std::string name;
  std::string blob_key;
  std::string mime_type;
  int width = 0;
  int height = 0;
  long long size_bytes = 0;

  void bind(soci::details::prepare_temp_type& prepared) {
    prepared, soci::into(media_id), soci::into(name), soci::into(blob_key), soci::into(mime_type),
        soci::into(width), soci::into(height), soci::into(size_bytes);
  }
  std::pair<std::string, MediaVariant> value() const {
    return {media_id, MediaVariant{name, blob_key, mime_type, width, height, size_bytes}};
  }
};

struct TagColumns {
  std::string media_id;
  std::string tag;

  void bind(soci::details::prepare_temp_type& prepared) { prepared, soci::into(media_id), soci::into(tag); }
  std::pair<std::string, std::string> value() const { return {media_id, tag}; }
};

// Loads tags and variants for `items` with two queries (not two per item).
void attach_children(soci::session& sql, const std::string& tenant_id, std::vector<MediaItem>& items) {
  if (items.empty()) return;
  std::string in;
  for (std::size_t i = 0; i < items.size(); ++i) in += (i == 0 ? ":m" : ", :m") + std::to_string(i);
  const auto bind_ids = [&](auto& prepared) {
    prepared, soci::use(tenant_id, "tenant_id");
    for (std::size_t i = 0; i < items.size(); ++i) prepared, soci::use(items[i].id, "m" + std::to_string(i));
  };
  std::map<std::string, MediaItem*> by_id;
  for (auto& item : items) by_id[item.id] = &item;
  for (const auto& [media_id, tag] : fetch_rows<TagColumns>(
           sql,
           "SELECT media_id, tag FROM media_tags WHERE tenant_id = :tenant_id AND media_id IN (" + in +
               ") ORDER BY tag",
           bind_ids)) {
    by_id[media_id]->tags.push_back(tag);
  }
  for (auto& [media_id, variant] : fetch_rows<VariantColumns>(
           sql,
           "SELECT media_id, name, blob_key, mime_type, width, height, size_bytes FROM media_variants "
           "WHERE tenant_id = :tenant_id AND media_id IN (" +
               in + ") ORDER BY name",
           bind_ids)) {
    by_id[media_id]->variants.push_back(std::move(variant));
  }
}

void insert_tags(soci::session& sql, const MediaItem& item) {
  for (const auto& tag : item.tags) {
    sql << "INSERT INTO media_tags (tenant_id, media_id, tag) VALUES (:tenant_id, :media_id, :tag)",
        soci::use(item.tenant_id, "tenant_id"), soci::use(item.id, "media_id"), soci::use(tag, "tag");
  }
}

struct FolderColumns {
  NullableText persona_id;
  NullableText category;
  long long count = 0;

  void bind(soci::details::prepare_temp_type& prepared) {
    prepared, soci::into(persona_id.value, persona_id.indicator),
        soci::into(category.value, category.indicator), soci::into(count);
  }
  MediaFolder value() const { return MediaFolder{persona_id.get(), category.get(), count}; }
};

struct FingerprintColumns {
  std::string id;
  std::string sha256;
  long long phash = 0;

  void bind(soci::details::prepare_temp_type& prepared) {
    prepared, soci::into(id), soci::into(sha256), soci::into(phash);
  }
  MediaFingerprint value() const { return MediaFingerprint{id, sha256, from_column(phash)}; }
};

struct CategoryColumns {
  std::string name;
  std::string label;

  void bind(soci::details::prepare_temp_type& prepared) { prepared, soci::into(name), soci::into(label); }
  MediaCategory value() const { return MediaCategory{name, label}; }
};

}  // namespace

void SqlMediaRepository::insert(Transaction& tx, const MediaItem& item) {
  scope_to_tenant(tx, item.tenant_id);
  soci::session& sql = soci_session(tx);
  NullableText persona_id(item.persona_id);
  NullableText category(item.category);
  NullableInt64 phash(item.perceptual_hash ? std::optional<std::int64_t>(to_column(*item.perceptual_hash))
                                           : std::nullopt);
  const std::string kind(to_string(item.kind));
  const std::string rating(to_string(item.rating));
  const std::string source(to_string(item.source));
  const long long size_bytes = item.size_bytes;
  const long long created_at = item.created_at_unix_ms;
  const long long updated_at = item.updated_at_unix_ms;
  sql << "INSERT INTO media_items (id, tenant_id, persona_id, kind, mime_type, original_name, size_bytes, "
         "width, "
         "height, sha256, category, rating, description, phash, source, generator, created_by, created_at, "
         "updated_at) VALUES (:id, :tenant_id, :persona_id, :kind, :mime_type, :original_name, :size_bytes, "
         ":width, :height, :sha256, :category, :rating, :description, :phash, :source, :generator, "
         ":created_by, "
         ":created_at, :updated_at)",
      soci::use(item.id, "id"), soci::use(item.tenant_id, "tenant_id"),
      soci::use(persona_id.value, persona_id.indicator, "persona_id"), soci::use(kind, "kind"),
      soci::use(item.mime_type, "mime_type"), soci::use(item.original_name, "original_name"),
      soci::use(size_bytes, "size_bytes"), soci::use(item.width, "width"), soci::use(item.height, "height"),
      soci::use(item.sha256, "sha256"), soci::use(category.value, category.indicator, "category"),
      soci::use(rating, "rating"), soci::use(item.description, "description"),
      soci::use(phash.value, phash.indicator, "phash"), soci::use(source, "source"),
      soci::use(item.generator, "generator"), soci::use(item.created_by, "created_by"),
      soci::use(created_at, "created_at"), soci::use(updated_at, "updated_at");
  insert_tags(sql, item);
  for (const auto& variant : item.variants) {
    const long long variant_size = variant.size_bytes;
    sql << "INSERT INTO media_variants (tenant_id, media_id, name, blob_key, mime_type, width, height, "
           "size_bytes) "
           "VALUES (:tenant_id, :media_id, :name, :blob_key, :mime_type, :width, :height, :size_bytes)",
        soci::use(item.tenant_id, "tenant_id"), soci::use(item.id, "media_id"),
        soci::use(variant.name, "name"), soci::use(variant.blob_key, "blob_key"),
        soci::use(variant.mime_type, "mime_type"), soci::use(variant.width, "width"),
        soci::use(variant.height, "height"), soci::use(variant_size, "size_bytes");
  }
}

std::optional<MediaItem> SqlMediaRepository::find(Transaction& tx, const std::string& tenant_id,
                                                  const std::string& id) {
  scope_to_tenant(tx, tenant_id);
  soci::session& sql = soci_session(tx);
  auto item = fetch_one<ItemColumns>(
      sql,
      std::string("SELECT ") + kItemColumns +
          " FROM media_items m WHERE m.tenant_id = :tenant_id AND m.id = :id",
      [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"), soci::use(id, "id"); });
  if (!item) return std::nullopt;
  std::vector<MediaItem> items{std::move(*item)};
  attach_children(sql, tenant_id, items);
  return std::move(items.front());
}

MediaPage SqlMediaRepository::list(Transaction& tx, const std::string& tenant_id, const MediaFilter& filter) {
  scope_to_tenant(tx, tenant_id);
  soci::session& sql = soci_session(tx);
  if (filter.reachable_personas && filter.reachable_personas->empty()) return {};
  std::string query = std::string("SELECT ") + kItemColumns + " FROM media_items m";
  if (filter.tag) query += " JOIN media_tags t ON t.media_id = m.id AND t.tag = :tag";
  query += " WHERE m.tenant_id = :tenant_id";
  if (filter.persona_id) query += " AND m.persona_id = :persona_id";
  if (filter.unassigned_only) query += " AND m.persona_id IS NULL";
  if (filter.category) query += " AND m.category = :category";
  if (filter.rating) query += " AND m.rating = :rating";
  if (filter.kind) query += " AND m.kind = :kind";
  if (filter.reachable_personas)
    query += sql_rows::in_list_clause("m.persona_id", filter.reachable_personas->size());
  if (filter.after) {
    query += " AND (m.created_at < :after_at OR (m.created_at = :after_at2 AND m.id < :after_id))";
  }
  query += " ORDER BY m.created_at DESC, m.id DESC LIMIT :limit";
  const std::string rating = filter.rating ? std::string(to_string(*filter.rating)) : "";
  const std::string kind = filter.kind ? std::string(to_string(*filter.kind)) : "";
  const long long after_at = filter.after ? filter.after->created_at_unix_ms : 0;
  const long long limit = static_cast<long long>(filter.limit) + 1;  // one more tells whether a page follows
  auto items = fetch_rows<ItemColumns>(sql, query, [&](auto& prepared) {
    prepared, soci::use(tenant_id, "tenant_id");
    if (filter.tag) prepared, soci::use(*filter.tag, "tag");
    if (filter.persona_id) prepared, soci::use(*filter.persona_id, "persona_id");
    if (filter.category) prepared, soci::use(*filter.category, "category");
    if (filter.rating) prepared, soci::use(rating, "rating");
    if (filter.kind) prepared, soci::use(kind, "kind");
    if (filter.reachable_personas) sql_rows::bind_in_list(prepared, *filter.reachable_personas);
    if (filter.after) {
      prepared, soci::use(after_at, "after_at"), soci::use(after_at, "after_at2"),
          soci::use(filter.after->id, "after_id");
    }
    prepared, soci::use(limit, "limit");
  });
  MediaPage page;
  if (items.size() > filter.limit) {
    items.resize(filter.limit);
    page.next = MediaCursor{items.back().created_at_unix_ms, items.back().id};
  }
  attach_children(sql, tenant_id, items);
  page.items = std::move(items);
  return page;
}

void SqlMediaRepository::update_metadata(Transaction& tx, const MediaItem& item) {
  scope_to_tenant(tx, item.tenant_id);
  soci::session& sql = soci_session(tx);
  NullableText persona_id(item.persona_id);
  NullableText category(item.category);
  const std::string rating(to_string(item.rating));
  const long long updated_at = item.updated_at_unix_ms;
  require_found(execute_counting(sql,
                                 "UPDATE media_items SET persona_id = :persona_id, category = :category, "
                                 "rating = :rating, description = :description, updated_at = :updated_at "
                                 "WHERE tenant_id = :tenant_id AND id = :id",
                                 [&](auto& prepared) {
                                   prepared, soci::use(persona_id.value, persona_id.indicator, "persona_id"),
                                       soci::use(category.value, category.indicator, "category"),
                                       soci::use(rating, "rating"),
                                       soci::use(item.description, "description"),
                                       soci::use(updated_at, "updated_at"),
                                       soci::use(item.tenant_id, "tenant_id"), soci::use(item.id, "id");
                                 }),
                "no such media item");
  sql << "DELETE FROM media_tags WHERE tenant_id = :tenant_id AND media_id = :media_id",
      soci::use(item.tenant_id, "tenant_id"), soci::use(item.id, "media_id");
  insert_tags(sql, item);
}

void SqlMediaRepository::remove(Transaction& tx, const std::string& tenant_id, const std::string& id) {
  scope_to_tenant(tx, tenant_id);
  soci::session& sql = soci_session(tx);
  // Children first: PostgreSQL's row-level security applies to cascades as well, and the explicit
  // deletes keep SQLite independent of its foreign-key pragma.
  sql << "DELETE FROM media_tags WHERE tenant_id = :tenant_id AND media_id = :id",
      soci::use(tenant_id, "tenant_id"), soci::use(id, "id");
  sql << "DELETE FROM media_variants WHERE tenant_id = :tenant_id AND media_id = :id",
      soci::use(tenant_id, "tenant_id"), soci::use(id, "id");
  require_found(execute_counting(sql, "DELETE FROM media_items WHERE tenant_id = :tenant_id AND id = :id",
                                 [&](auto& prepared) {
                                   prepared, soci::use(tenant_id, "tenant_id"), soci::use(id, "id");
                                 }),
                "no such media item");
}

std::int64_t SqlMediaRepository::count_blob_references(Transaction& tx, const std::string& tenant_id,
                                                       const std::string& blob_key) {
  scope_to_tenant(tx, tenant_id);
  long long total = 0;
  soci_session(tx)
      << "SELECT COUNT(*) FROM media_variants WHERE tenant_id = :tenant_id AND blob_key = :blob_key",
      soci::use(tenant_id, "tenant_id"), soci::use(blob_key, "blob_key"), soci::into(total);
  return total;
}

std::vector<MediaFingerprint> SqlMediaRepository::fingerprints(Transaction& tx,
                                                               const std::string& tenant_id) {
  scope_to_tenant(tx, tenant_id);
  return fetch_rows<FingerprintColumns>(
      soci_session(tx),
      "SELECT id, sha256, phash FROM media_items WHERE tenant_id = :tenant_id AND phash IS NOT NULL",
      [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"); });
}

std::int64_t SqlMediaRepository::count_for_persona(Transaction& tx, const std::string& tenant_id,
                                                   const std::string& persona_id) {
  scope_to_tenant(tx, tenant_id);
  long long total = 0;
  soci_session(tx)
      << "SELECT COUNT(*) FROM media_items WHERE tenant_id = :tenant_id AND persona_id = :persona_id",
      soci::use(tenant_id, "tenant_id"), soci::use(persona_id, "persona_id"), soci::into(total);
  return total;
}

std::int64_t SqlMediaRepository::count_in_category(Transaction& tx, const std::string& tenant_id,
                                                   const std::string& category) {
  scope_to_tenant(tx, tenant_id);
  long long total = 0;
  soci_session(tx)
      << "SELECT COUNT(*) FROM media_items WHERE tenant_id = :tenant_id AND category = :category",
      soci::use(tenant_id, "tenant_id"), soci::use(category, "category"), soci::into(total);
  return total;
}

std::vector<MediaFolder> SqlMediaRepository::folders(Transaction& tx, const std::string& tenant_id) {
  scope_to_tenant(tx, tenant_id);
  return fetch_rows<FolderColumns>(
      soci_session(tx),
      "SELECT persona_id, category, COUNT(*) FROM media_items WHERE tenant_id = :tenant_id "
      "GROUP BY persona_id, category ORDER BY persona_id, category",
      [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"); });
}

std::vector<MediaCategory> SqlMediaRepository::categories(Transaction& tx, const std::string& tenant_id) {
  scope_to_tenant(tx, tenant_id);
  return fetch_rows<CategoryColumns>(
      soci_session(tx), "SELECT name, label FROM media_categories WHERE tenant_id = :tenant_id ORDER BY name",
      [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"); });
}

bool SqlMediaRepository::categories_seeded(Transaction& tx, const std::string& tenant_id) {
  scope_to_tenant(tx, tenant_id);
  long long seeded = 0;
  soci_session(tx) << "SELECT COUNT(*) FROM media_category_seeds WHERE tenant_id = :tenant_id",
      soci::use(tenant_id, "tenant_id"), soci::into(seeded);
  return seeded > 0;
}

void SqlMediaRepository::seed_categories(Transaction& tx, const std::string& tenant_id,
                                         const std::vector<MediaCategory>& defaults,
                                         std::int64_t now_unix_ms) {
  if (categories_seeded(tx, tenant_id)) return;
  const long long now = now_unix_ms;
  soci_session(tx) << "INSERT INTO media_category_seeds (tenant_id, seeded_at) VALUES (:tenant_id, :now)",
      soci::use(tenant_id, "tenant_id"), soci::use(now, "now");
  const auto existing = categories(tx, tenant_id);
  for (const auto& category : defaults) {
    const bool present = std::any_of(existing.begin(), existing.end(),
                                     [&](const MediaCategory& c) { return c.name == category.name; });
    if (!present) add_category(tx, tenant_id, category, now_unix_ms);
  }
}

void SqlMediaRepository::add_category(Transaction& tx, const std::string& tenant_id,
                                      const MediaCategory& category, std::int64_t now_unix_ms) {
  scope_to_tenant(tx, tenant_id);
  const long long now = now_unix_ms;
  soci_session(tx) << "INSERT INTO media_categories (tenant_id, name, label, created_at) "
                      "VALUES (:tenant_id, :name, :label, :now)",
      soci::use(tenant_id, "tenant_id"), soci::use(category.name, "name"), soci::use(category.label, "label"),
      soci::use(now, "now");
}

void SqlMediaRepository::remove_category(Transaction& tx, const std::string& tenant_id,
                                         const std::string& name) {
  scope_to_tenant(tx, tenant_id);
  require_found(
      execute_counting(
          soci_session(tx), "DELETE FROM media_categories WHERE tenant_id = :tenant_id AND name = :name",
          [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"), soci::use(name, "name"); }),
      "no such category");
}

}  // namespace personae

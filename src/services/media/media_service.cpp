#include "services/media/media_service.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>

#include "core/crypto.hpp"
#include "core/text_encoding.hpp"
#include "observability/log.hpp"
#include "security/tokens.hpp"
#include "services/media/vault_categories.hpp"

namespace personae {
namespace {

using service_support::audit_entry;
using service_support::fail;
using service_support::guarded;
using service_support::principal_actor;
using service_support::require;

constexpr std::string_view kNoSuchItem = "media item not found";

// The persona ids a member is limited to, or nullopt for the whole tenant.
std::optional<std::vector<std::string>> persona_limit(const Principal& principal) {
  return principal.limited_ids(kPersonaResource);
}

bool reaches_item(const Principal& principal, const MediaItem& item) {
  if (!persona_limit(principal)) return true;
  return item.persona_id && principal.reaches(kPersonaResource, *item.persona_id);
}

std::vector<std::string> normalized_tags(const std::vector<std::string>& raw,
                                         std::vector<FieldError>& errors) {
  std::vector<std::string> tags;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto tag = normalize_tag(raw[i]);
    if (!tag) {
      errors.push_back({"tags[" + std::to_string(i) + "]", tag.error().message});
      continue;
    }
    if (std::find(tags.begin(), tags.end(), *tag) == tags.end()) tags.push_back(std::move(*tag));
  }
  if (tags.size() > kMaxTagsPerItem) errors.push_back({"tags", "at most 30 tags per item"});
  std::sort(tags.begin(), tags.end());
  return tags;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// A scratch file removed when it goes out of scope.
class ScratchFile {
 public:
  explicit ScratchFile(const std::filesystem::path& folder)
      : path_(folder / ("personae-" + random_hex(12))) {}
  ~ScratchFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

std::string media_link_message(std::string_view tenant_id, std::string_view id, std::string_view variant,
                               std::int64_t expires_at_unix_s) {
  return "media-link-v1\n" + std::string(tenant_id) + "\n" + std::string(id) + "\n" + std::string(variant) +
         "\n" + std::to_string(expires_at_unix_s);
}

MediaService::MediaService(Database& database, MediaRepository& media, PersonaRepository& personas,
                           BlobStore& blobs, ImageProcessor& images, AuditLogService& audit,
                           const Clock& clock, const security::UrlSigner& link_signer,
                           MediaServiceOptions options)
    : database_(database),
      media_(media),
      personas_(personas),
      blobs_(blobs),
      images_(images),
      audit_(audit),
      clock_(clock),
      link_signer_(link_signer),
      options_(std::move(options)) {}

std::optional<MediaItem> MediaService::find_reachable(Transaction& tx, const Principal& principal,
                                                      const std::string& id) {
  auto item = media_.find(tx, principal.tenant_id, id);
  if (!item || !reaches_item(principal, *item)) return std::nullopt;
  return item;
}

std::vector<FieldError> MediaService::check_metadata(Transaction& tx, const Principal& principal,
                                                     const MediaItem& item) {
  std::vector<FieldError> errors;
  if (item.persona_id) {
    if (!principal.reaches(kPersonaResource, *item.persona_id) ||
        !personas_.find(tx, principal.tenant_id, *item.persona_id)) {
      errors.push_back({"persona_id", "is not a persona of this tenant"});
    }
  } else if (persona_limit(principal)) {
    errors.push_back({"persona_id", "is required for a member limited to some personas"});
  }
  if (item.category) {
    const auto categories = seeded_categories(tx, media_, principal.tenant_id, clock_.now_unix_ms());
    if (std::none_of(categories.begin(), categories.end(),
                     [&](const MediaCategory& c) { return c.name == *item.category; })) {
      errors.push_back({"category", "is not a category of this vault"});
    }
  }
  const auto characters = utf8_code_points(item.description);
  if (!characters || *characters > options_.max_description_characters) {
    errors.push_back({"description", "must be valid UTF-8 of at most " +
                                         std::to_string(options_.max_description_characters) +
                                         " characters"});
  }
  return errors;
}

std::vector<NearDuplicate> MediaService::near_duplicates(Transaction& tx, const MediaItem& item) {
  std::vector<NearDuplicate> found;
  if (!item.perceptual_hash) return found;
  for (const auto& other : media_.fingerprints(tx, item.tenant_id)) {
    if (other.id == item.id) continue;
    const int distance = perceptual_distance(*item.perceptual_hash, other.perceptual_hash);
    const bool identical = other.sha256 == item.sha256;
    if (identical || distance <= options_.duplicate_distance)
      found.push_back({other.id, distance, identical});
  }
  std::sort(found.begin(), found.end(),
            [](const NearDuplicate& a, const NearDuplicate& b) { return a.distance < b.distance; });
  if (found.size() > 20) found.resize(20);
  return found;
}

void MediaService::delete_unreferenced_blobs(const std::string& tenant_id,
                                             const std::vector<std::string>& blob_keys) {
  for (const auto& text : std::set<std::string>(blob_keys.begin(), blob_keys.end())) {
    try {
      const auto references =
          database_.read([&](Transaction& tx) { return media_.count_blob_references(tx, tenant_id, text); });
      const auto key = BlobKey::parse(text);
      if (references == 0 && key) blobs_.remove(*key);
    } catch (const AppError& error) {
      // The row is gone either way; an orphaned blob only costs space (no row names it).
      log::warn("media_blob_not_deleted",
                {{"blob", text}, {"error", error.error().message}, {"detail", error.error().detail}});
    }
  }
}

Result<MediaItemView> MediaService::add(const Principal& principal, const NewMedia& media,
                                        const ClientInfo& client) {
  return guarded([&]() -> Result<MediaItemView> {
    if (auto allowed = require(principal, Action::kMediaManage); !allowed)
      return tl::unexpected(allowed.error());
    const std::int64_t now = clock_.now_unix_ms();
    MediaItem item;
    item.id = security::generate_id();
    item.tenant_id = principal.tenant_id;
    item.persona_id = media.persona_id;
    item.category = media.category;
    item.rating = media.rating;
    item.description = media.description;
    item.source = media.source;
    item.generator = media.generator;
    item.created_by = principal.user_id;
    item.created_at_unix_ms = now;
    item.updated_at_unix_ms = now;
    // The name is only shown; keep it short and on one line.
    item.original_name = media.original_name.substr(0, 200);
    std::erase_if(item.original_name,
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });

    std::vector<FieldError> errors;
    item.tags = normalized_tags(media.tags, errors);
    std::string persona_name;
    database_.write([&](Transaction& tx) {
      auto metadata_errors = check_metadata(tx, principal, item);
      errors.insert(errors.end(), metadata_errors.begin(), metadata_errors.end());
      if (item.persona_id) {
        if (const auto persona = personas_.find(tx, principal.tenant_id, *item.persona_id)) {
          persona_name = persona->display_name;
        }
      }
    });
    if (!errors.empty()) return tl::unexpected(invalid_fields(std::move(errors)));

    auto probe = images_.inspect(media.file, options_.limits, media.declared_mime);
    if (!probe) return tl::unexpected(probe.error());
    const auto sha256 = sha256_file_hex(media.file);
    if (!sha256) return make_error(ErrorCode::kInternal, "cannot read the upload", media.file.string());
    item.sha256 = *sha256;
    item.size_bytes = static_cast<std::int64_t>(std::filesystem::file_size(media.file));
    item.mime_type = std::string(mime_type(probe->type));
    item.width = probe->width;
    item.height = probe->height;
    item.kind = is_image(probe->type) ? MediaKind::kImage : MediaKind::kDocument;

    std::vector<RenderedImage> renditions;
    if (item.kind == MediaKind::kImage) {
      Provenance provenance;
      provenance.persona = persona_name;
      provenance.generator = item.generator.empty() ? "uploaded" : item.generator;
      provenance.credit = "AI-generated image";
      auto original = images_.sanitize_original(media.file, provenance);
      if (!original) return tl::unexpected(original.error());
      original->name = "original";
      std::optional<Watermark> watermark = options_.watermark;
      if (watermark) watermark->text = replace_all(watermark->text, "{persona}", persona_name);
      auto variants =
          images_.render(media.file, options_.presets, watermark, provenance, options_.thumbnail_size);
      if (!variants) return tl::unexpected(variants.error());
      auto hash = images_.perceptual_hash(media.file);
      if (!hash) return tl::unexpected(hash.error());
      item.perceptual_hash = *hash;
      renditions.push_back(std::move(*original));
      for (auto& variant : *variants) renditions.push_back(std::move(variant));
    }

    // Blobs first: a committed row never names a missing blob.
    std::vector<std::string> written;
    if (item.kind == MediaKind::kImage) {
      for (const auto& rendition : renditions) {
        const BlobInfo stored = blobs_.put_bytes(item.tenant_id, rendition.bytes);
        written.push_back(stored.key.to_string());
        item.variants.push_back(MediaVariant{rendition.name, stored.key.to_string(),
                                             std::string(mime_type(rendition.format)), rendition.width,
                                             rendition.height, static_cast<std::int64_t>(stored.size)});
      }
    } else {
      const BlobInfo stored = blobs_.put_file(item.tenant_id, media.file);
      written.push_back(stored.key.to_string());
      item.variants.push_back(MediaVariant{"original", stored.key.to_string(), item.mime_type, 0, 0,
                                           static_cast<std::int64_t>(stored.size)});
    }
    std::sort(item.variants.begin(), item.variants.end(),
              [](const MediaVariant& a, const MediaVariant& b) { return a.name < b.name; });
    try {
      database_.write([&](Transaction& tx) {
        media_.insert(tx, item);
        audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "media.added",
                                      "media:" + item.id, client,
                                      {{"sha256", item.sha256},
                                       {"mime_type", item.mime_type},
                                       {"source", to_string(item.source)}}));
      });
    } catch (...) {
      delete_unreferenced_blobs(item.tenant_id, written);
      throw;
    }
    MediaItemView view{item, {}};
    database_.read([&](Transaction& tx) { view.near_duplicates = near_duplicates(tx, item); });
    return view;
  });
}

Result<MediaPage> MediaService::list(const Principal& principal, MediaFilter filter) {
  return guarded([&]() -> Result<MediaPage> {
    if (auto allowed = require(principal, Action::kMediaRead); !allowed)
      return tl::unexpected(allowed.error());
    filter.limit = std::clamp<std::size_t>(filter.limit, 1, options_.max_page_size);
    filter.reachable_personas = persona_limit(principal);
    if (filter.persona_id && !principal.reaches(kPersonaResource, *filter.persona_id)) return MediaPage{};
    return database_.read([&](Transaction& tx) { return media_.list(tx, principal.tenant_id, filter); });
  });
}

Result<MediaItemView> MediaService::get(const Principal& principal, const std::string& id) {
  return guarded([&]() -> Result<MediaItemView> {
    if (auto allowed = require(principal, Action::kMediaRead); !allowed)
      return tl::unexpected(allowed.error());
    return database_.read([&](Transaction& tx) -> MediaItemView {
      auto item = find_reachable(tx, principal, id);
      if (!item) fail(ErrorCode::kNotFound, std::string(kNoSuchItem));
      auto duplicates = near_duplicates(tx, *item);
      return MediaItemView{std::move(*item), std::move(duplicates)};
    });
  });
}

Result<MediaItemView> MediaService::update(const Principal& principal, const std::string& id,
                                           const MediaEdit& edit, const ClientInfo& client) {
  return guarded([&]() -> Result<MediaItemView> {
    if (auto allowed = require(principal, Action::kMediaManage); !allowed)
      return tl::unexpected(allowed.error());
    return database_.write([&](Transaction& tx) -> MediaItemView {
      auto current = find_reachable(tx, principal, id);
      if (!current) fail(ErrorCode::kNotFound, std::string(kNoSuchItem));
      MediaItem changed = *current;
      std::vector<FieldError> errors;
      if (edit.persona_id) changed.persona_id = *edit.persona_id;
      if (edit.category) changed.category = *edit.category;
      if (edit.rating) changed.rating = *edit.rating;
      if (edit.description) changed.description = *edit.description;
      if (edit.tags) changed.tags = normalized_tags(*edit.tags, errors);
      auto metadata_errors = check_metadata(tx, principal, changed);
      errors.insert(errors.end(), metadata_errors.begin(), metadata_errors.end());
      if (!errors.empty()) throw AppError(invalid_fields(std::move(errors)));
      if (changed == *current) return MediaItemView{changed, near_duplicates(tx, changed)};
      changed.updated_at_unix_ms = clock_.now_unix_ms();
      media_.update_metadata(tx, changed);
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "media.updated",
                                    "media:" + id, client, {{"rating", to_string(changed.rating)}}));
      return MediaItemView{changed, near_duplicates(tx, changed)};
    });
  });
}

Result<void> MediaService::remove(const Principal& principal, const std::string& id,
                                  const ClientInfo& client) {
  return guarded([&]() -> Result<void> {
    if (auto allowed = require(principal, Action::kMediaManage); !allowed)
      return tl::unexpected(allowed.error());
    std::vector<std::string> blob_keys;
    database_.write([&](Transaction& tx) {
      const auto item = find_reachable(tx, principal, id);
      if (!item) fail(ErrorCode::kNotFound, std::string(kNoSuchItem));
      for (const auto& persona : personas_.list(tx, principal.tenant_id)) {
        const auto& references = persona.visual.reference_media_ids;
        const bool reference = std::find(references.begin(), references.end(), id) != references.end();
        const bool consent = persona.consent && persona.consent->document_media_id == id;
        if (reference || consent) {
          fail(ErrorCode::kFailedPrecondition,
               "the persona \"" + persona.display_name + "\" uses this item as " +
                   (consent ? "its consent document" : "a reference image") + "; change the persona first");
        }
      }
      for (const auto& variant : item->variants) blob_keys.push_back(variant.blob_key);
      media_.remove(tx, principal.tenant_id, id);
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "media.deleted",
                                    "media:" + id, client, {{"sha256", item->sha256}}));
    });
    delete_unreferenced_blobs(principal.tenant_id, blob_keys);
    return {};
  });
}

Result<std::vector<MediaFolder>> MediaService::folders(const Principal& principal) {
  return guarded([&]() -> Result<std::vector<MediaFolder>> {
    if (auto allowed = require(principal, Action::kMediaRead); !allowed)
      return tl::unexpected(allowed.error());
    auto folders = database_.read([&](Transaction& tx) { return media_.folders(tx, principal.tenant_id); });
    if (persona_limit(principal)) {
      std::erase_if(folders, [&](const MediaFolder& folder) {
        return !folder.persona_id || !principal.reaches(kPersonaResource, *folder.persona_id);
      });
    }
    return folders;
  });
}

Result<std::vector<MediaCategory>> MediaService::categories(const Principal& principal) {
  return guarded([&]() -> Result<std::vector<MediaCategory>> {
    if (auto allowed = require(principal, Action::kMediaRead); !allowed)
      return tl::unexpected(allowed.error());
    const auto seeded =
        database_.read([&](Transaction& tx) { return media_.categories_seeded(tx, principal.tenant_id); });
    if (seeded)
      return database_.read([&](Transaction& tx) { return media_.categories(tx, principal.tenant_id); });
    return database_.write([&](Transaction& tx) {
      return seeded_categories(tx, media_, principal.tenant_id, clock_.now_unix_ms());
    });
  });
}

Result<MediaCategory> MediaService::add_category(const Principal& principal, const std::string& name,
                                                 const std::string& label, const ClientInfo& client) {
  return guarded([&]() -> Result<MediaCategory> {
    if (auto allowed = require(principal, Action::kMediaManage); !allowed)
      return tl::unexpected(allowed.error());
    auto category = make_media_category(name, label);
    if (!category) return tl::unexpected(category.error());
    database_.write([&](Transaction& tx) {
      const auto existing = seeded_categories(tx, media_, principal.tenant_id, clock_.now_unix_ms());
      if (std::any_of(existing.begin(), existing.end(),
                      [&](const MediaCategory& c) { return c.name == name; })) {
        fail(ErrorCode::kConflict, "the category \"" + name + "\" exists already");
      }
      media_.add_category(tx, principal.tenant_id, *category, clock_.now_unix_ms());
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "media.category_added",
                                    "category:" + name, client));
    });
    return category;
  });
}

Result<void> MediaService::remove_category(const Principal& principal, const std::string& name,
                                           const ClientInfo& client) {
  return guarded([&]() -> Result<void> {
    if (auto allowed = require(principal, Action::kMediaManage); !allowed)
      return tl::unexpected(allowed.error());
    database_.write([&](Transaction& tx) {
      seeded_categories(tx, media_, principal.tenant_id, clock_.now_unix_ms());
      if (const auto items = media_.count_in_category(tx, principal.tenant_id, name); items > 0) {
        fail(ErrorCode::kFailedPrecondition, "the category still holds " + std::to_string(items) +
                                                 " item(s); move them to another category first");
      }
      for (const auto& persona : personas_.list(tx, principal.tenant_id)) {
        for (const auto& boundary : persona.boundaries) {
          const auto& allowed = boundary.allowed_categories;
          if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) {
            fail(ErrorCode::kFailedPrecondition,
                 "the persona \"" + persona.display_name +
                     "\" allows this category in its boundaries; change it first");
          }
        }
      }
      media_.remove_category(tx, principal.tenant_id, name);
      audit_.append(tx, audit_entry(principal.tenant_id, principal_actor(principal), "media.category_removed",
                                    "category:" + name, client));
    });
    return {};
  });
}

Result<VariantContent> MediaService::read_variant(const MediaItem& item, const std::string& variant) {
  const MediaVariant* found = item.variant(variant);
  if (found == nullptr) return make_error(ErrorCode::kNotFound, "no such variant");
  const auto key = BlobKey::parse(found->blob_key);
  if (!key) return make_error(ErrorCode::kInternal, "a stored blob key is malformed", found->blob_key);
  return VariantContent{blobs_.get(*key), found->mime_type, key->sha256};
}

Result<VariantContent> MediaService::content(const Principal& principal, const std::string& id,
                                             const std::string& variant) {
  return guarded([&]() -> Result<VariantContent> {
    if (auto allowed = require(principal, Action::kMediaRead); !allowed)
      return tl::unexpected(allowed.error());
    const auto item = database_.read([&](Transaction& tx) { return find_reachable(tx, principal, id); });
    if (!item) return make_error(ErrorCode::kNotFound, std::string(kNoSuchItem));
    return read_variant(*item, variant);
  });
}

Result<SignedLink> MediaService::sign_link(const Principal& principal, const std::string& id,
                                           const std::string& variant,
                                           std::optional<std::chrono::seconds> ttl,
                                           const ClientInfo& client) {
  return guarded([&]() -> Result<SignedLink> {
    if (auto allowed = require(principal, Action::kMediaRead); !allowed)
      return tl::unexpected(allowed.error());
    const auto lifetime = ttl.value_or(options_.default_link_ttl);
    if (lifetime.count() < 1 || lifetime > options_.max_link_ttl) {
      return tl::unexpected(invalid_fields(
          {{"ttl_seconds", "must be between 1 and " + std::to_string(options_.max_link_ttl.count())}}));
    }
    const auto item = database_.read([&](Transaction& tx) { return find_reachable(tx, principal, id); });
    if (!item) return make_error(ErrorCode::kNotFound, std::string(kNoSuchItem));
    if (item->variant(variant) == nullptr) return make_error(ErrorCode::kNotFound, "no such variant");
    const std::int64_t expires = clock_.now_unix_ms() / 1000 + lifetime.count();
    const std::string signature =
        link_signer_.sign(media_link_message(principal.tenant_id, id, variant, expires));
    audit_.append(audit_entry(principal.tenant_id, principal_actor(principal), "media.link_created",
                              "media:" + id, client,
                              {{"variant", variant}, {"expires", std::to_string(expires)}}));
    return SignedLink{"/api/v1/media/files/" + principal.tenant_id + "/" + id + "/" + variant +
                          "?expires=" + std::to_string(expires) + "&signature=" + signature,
                      expires};
  });
}

Result<std::string> MediaService::card_portrait(const Principal& principal, const Persona& persona) {
  return guarded([&]() -> Result<std::string> {
    if (auto allowed = require(principal, Action::kMediaRead); !allowed)
      return tl::unexpected(allowed.error());
    for (const auto& id : persona.visual.reference_media_ids) {
      const auto item = database_.read([&](Transaction& tx) { return find_reachable(tx, principal, id); });
      if (!item || item->kind != MediaKind::kImage) continue;
      const auto original = read_variant(*item, "original");
      if (!original) continue;
      const ScratchFile source(options_.scratch_directory);
      std::ofstream(source.path(), std::ios::binary) << original->bytes;
      const VariantPreset card{"card", 512, 768, VariantFit::kCover, MediaType::kPng, 90, false};
      Provenance provenance;
      provenance.persona = persona.display_name;
      provenance.generator = item->generator.empty() ? "uploaded" : item->generator;
      provenance.credit = "AI-generated image";
      auto rendered =
          images_.render(source.path(), {card}, std::nullopt, provenance, options_.thumbnail_size);
      if (!rendered) return tl::unexpected(rendered.error());
      for (auto& image : *rendered) {
        if (image.name == "card") return std::move(image.bytes);
      }
    }
    if (options_.default_card_portrait_png.empty()) {
      return make_error(ErrorCode::kInternal, "no default card portrait configured");
    }
    return options_.default_card_portrait_png;
  });
}

Result<VariantContent> MediaService::content_by_link(const std::string& tenant_id, const std::string& id,
                                                     const std::string& variant, std::string_view expires,
                                                     std::string_view signature) {
  return guarded([&]() -> Result<VariantContent> {
    const auto invalid = [] {
      return make_error(ErrorCode::kNotFound, "this link is not valid (it may have expired)");
    };
    std::int64_t expires_at = 0;
    const auto parsed = std::from_chars(expires.data(), expires.data() + expires.size(), expires_at);
    if (parsed.ec != std::errc() || parsed.ptr != expires.data() + expires.size()) return invalid();
    if (clock_.now_unix_ms() / 1000 > expires_at) return invalid();
    if (!link_signer_.verify(media_link_message(tenant_id, id, variant, expires_at), signature))
      return invalid();
    const auto item = database_.read([&](Transaction& tx) { return media_.find(tx, tenant_id, id); });
    if (!item) return invalid();
    auto content = read_variant(*item, variant);
    if (!content && content.error().code == ErrorCode::kNotFound) return invalid();
    return content;
  });
}

}  // namespace personae

#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/authorization/authorization.hpp"
#include "domain/media/media_item.hpp"
#include "ports/blob_store.hpp"
#include "ports/clock.hpp"
#include "ports/database.hpp"
#include "ports/image_processor.hpp"
#include "ports/media_repository.hpp"
#include "ports/persona_repository.hpp"
#include "security/url_signer.hpp"
#include "services/audit_log_service.hpp"
#include "services/service_support.hpp"

namespace personae {

/// A file to add to the vault, already on local disk (an upload's part, or a generated image).
struct NewMedia {
  std::filesystem::path file;
  std::string original_name;  ///< for display only
  std::string declared_mime;  ///< what the client said (checked against the bytes), or ""
  std::optional<std::string> persona_id;
  std::optional<std::string> category;
  Rating rating = Rating::kSfw;
  std::vector<std::string> tags;
  std::string description;
  MediaSource source = MediaSource::kUpload;
  std::string generator;  ///< the model or backend, when known
};

/// A change to an item's metadata (the HTTP layer builds it from a JSON body).
struct MediaEdit {
  std::optional<std::optional<std::string>> persona_id;  ///< set: move (nullopt inside: no persona)
  std::optional<std::optional<std::string>> category;
  std::optional<Rating> rating;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::string> description;
};

/// Another image of the vault that looks the same.
struct NearDuplicate {
  std::string media_id;
  int distance = 0;        ///< perceptual-hash bits that differ (0-64)
  bool identical = false;  ///< the very same bytes were uploaded before
};

struct MediaItemView {
  MediaItem item;
  std::vector<NearDuplicate> near_duplicates;
};

/// Bytes to send for a variant.
struct VariantContent {
  std::string bytes;
  std::string mime_type;
  std::string etag;  ///< the blob's content hash
};

/// A capability link to a variant: anyone holding it can download the file until it expires.
struct SignedLink {
  std::string path;  ///< "/api/v1/media/files/{tenant}/{id}/{variant}?expires=...&signature=..."
  std::int64_t expires_at_unix_s = 0;
};

struct MediaServiceOptions {
  ImageLimits limits;
  std::vector<VariantPreset> presets;
  /// Applied to the presets that ask for it; "{persona}" in the text becomes the persona's name.
  std::optional<Watermark> watermark;
  int thumbnail_size = 400;
  int duplicate_distance = 8;
  std::chrono::seconds default_link_ttl{900};
  std::chrono::seconds max_link_ttl{7 * 86'400};
  std::size_t max_page_size = 200;
  std::size_t max_description_characters = 2'000;
  /// The PNG a character card carries when its persona has no reference image.
  std::string default_card_portrait_png;
  /// Where temporary files go (a variant copied out of the blob store for re-rendering).
  std::filesystem::path scratch_directory = std::filesystem::temp_directory_path();
};

/// The media vault: adds files (sniffed, validated, processed into variants with provenance,
/// fingerprinted), lists and edits them, removes them with their blobs, and serves their bytes to
/// members or to holders of a signed link. Every operation checks the principal's action and, for
/// a member limited to some personas, that the item belongs to one of them (others answer
/// kNotFound); items of no persona are hidden from such members.
///
/// Storage order (so that no row ever names a missing blob): blobs first, then the row in one
/// transaction; when the transaction fails, blobs it wrote that nothing references are deleted.
/// Deleting an item deletes, after its row, every blob no other item references.
/// Blocking (disk, network, image work); thread-safe; holds references that must outlive it.
class MediaService {
 public:
  MediaService(Database& database, MediaRepository& media, PersonaRepository& personas, BlobStore& blobs,
               ImageProcessor& images, AuditLogService& audit, const Clock& clock,
               const security::UrlSigner& link_signer, MediaServiceOptions options);

  Result<MediaItemView> add(const Principal& principal, const NewMedia& media, const ClientInfo& client);
  Result<MediaPage> list(const Principal& principal, MediaFilter filter);
  Result<MediaItemView> get(const Principal& principal, const std::string& id);
  Result<MediaItemView> update(const Principal& principal, const std::string& id, const MediaEdit& edit,
                               const ClientInfo& client);
  /// kFailedPrecondition when a persona uses the item (reference image, consent document).
  Result<void> remove(const Principal& principal, const std::string& id, const ClientInfo& client);

  Result<std::vector<MediaFolder>> folders(const Principal& principal);
  Result<std::vector<MediaCategory>> categories(const Principal& principal);
  Result<MediaCategory> add_category(const Principal& principal, const std::string& name,
                                     const std::string& label, const ClientInfo& client);
  /// kFailedPrecondition while items are in it.
  Result<void> remove_category(const Principal& principal, const std::string& name, const ClientInfo& client);

  /// The bytes of a variant for a member (kNotFound for an unknown variant).
  Result<VariantContent> content(const Principal& principal, const std::string& id,
                                 const std::string& variant);

  /// A link to a variant valid for `ttl` (the default when unset; at most max_link_ttl).
  Result<SignedLink> sign_link(const Principal& principal, const std::string& id, const std::string& variant,
                               std::optional<std::chrono::seconds> ttl, const ClientInfo& client);

  /// The image a character card of `persona` carries: its first reference image the principal
  /// reaches, rendered as a 512x768 PNG (cropped to its most interesting part), or the default
  /// portrait when it has none.
  Result<std::string> card_portrait(const Principal& principal, const Persona& persona);

  /// The bytes behind a signed link; kNotFound for any link that is not valid now (expired,
  /// tampered, or naming something that does not exist), with no hint of which.
  Result<VariantContent> content_by_link(const std::string& tenant_id, const std::string& id,
                                         const std::string& variant, std::string_view expires,
                                         std::string_view signature);

 private:
  std::optional<MediaItem> find_reachable(Transaction& tx, const Principal& principal, const std::string& id);
  std::vector<NearDuplicate> near_duplicates(Transaction& tx, const MediaItem& item);
  Result<VariantContent> read_variant(const MediaItem& item, const std::string& variant);
  void delete_unreferenced_blobs(const std::string& tenant_id, const std::vector<std::string>& blob_keys);
  std::vector<FieldError> check_metadata(Transaction& tx, const Principal& principal, const MediaItem& item);

  Database& database_;
  MediaRepository& media_;
  PersonaRepository& personas_;
  BlobStore& blobs_;
  ImageProcessor& images_;
  AuditLogService& audit_;
  const Clock& clock_;
  const security::UrlSigner& link_signer_;
  MediaServiceOptions options_;
};

/// The message a media link signs: tenant, item, variant and expiry (unix seconds).
std::string media_link_message(std::string_view tenant_id, std::string_view id, std::string_view variant,
                               std::int64_t expires_at_unix_s);

}  // namespace personae

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/personas/persona.hpp"

namespace personae {

/// What a vault item is: an image (variants, perceptual hash, publishable) or a document (a PDF
/// such as a signed consent form: stored as uploaded, never published).
enum class MediaKind { kImage, kDocument };
std::string_view to_string(MediaKind kind);
std::optional<MediaKind> parse_media_kind(std::string_view text);

/// Where an item came from.
enum class MediaSource { kUpload, kGeneration };
std::string_view to_string(MediaSource source);
std::optional<MediaSource> parse_media_source(std::string_view text);

/// One stored rendition of an item: "original" (metadata stripped, provenance written),
/// "thumbnail", or a platform preset's name.
struct MediaVariant {
  std::string name;
  std::string blob_key;  ///< "<tenant>/<sha256>" (BlobKey::to_string)
  std::string mime_type;
  int width = 0;
  int height = 0;
  std::int64_t size_bytes = 0;

  bool operator==(const MediaVariant&) const = default;
};

/// An item of a tenant's media vault.
struct MediaItem {
  std::string id;
  std::string tenant_id;
  std::optional<std::string> persona_id;
  MediaKind kind = MediaKind::kImage;
  std::string mime_type;
  std::string original_name;    ///< the uploaded file's name, for display only (never a path)
  std::int64_t size_bytes = 0;  ///< of the upload
  int width = 0;
  int height = 0;
  std::string sha256;  ///< of the uploaded bytes
  std::optional<std::string> category;
  Rating rating = Rating::kSfw;
  std::string description;
  std::optional<std::uint64_t> perceptual_hash;
  MediaSource source = MediaSource::kUpload;
  std::string generator;  ///< the model or backend that made it, or "" for an upload of unknown origin
  std::vector<std::string> tags;
  std::vector<MediaVariant> variants;
  std::string created_by;
  std::int64_t created_at_unix_ms = 0;
  std::int64_t updated_at_unix_ms = 0;

  const MediaVariant* variant(std::string_view name) const;
  bool operator==(const MediaItem&) const = default;
};

/// A vault category of a tenant: a slug and a label.
struct MediaCategory {
  std::string name;   ///< [a-z0-9_]{1,40}
  std::string label;  ///< 1-60 characters, shown in the dashboard

  bool operator==(const MediaCategory&) const = default;
};

/// The categories a tenant starts with: the roadmap's (lingerie, feet, artistic nude) and the
/// usual others of the field.
std::vector<MediaCategory> default_media_categories();

/// A normalised tag: trimmed, ASCII letters lowercased, 1-40 characters of letters, digits, '_' or
/// '-' (Unicode letters allowed). kInvalidArgument naming the rule otherwise.
Result<std::string> normalize_tag(std::string_view raw);
inline constexpr std::size_t kMaxTagsPerItem = 30;

/// Checks a category slug and label.
Result<MediaCategory> make_media_category(std::string_view name, std::string_view label);

}  // namespace personae

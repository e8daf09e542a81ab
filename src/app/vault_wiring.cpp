#include "app/vault_wiring.hpp"

#include <filesystem>
#include <span>
#include <stdexcept>

#include "adapters/blob/local_blob_store.hpp"
#include "adapters/blob/s3_blob_store.hpp"
#include "adapters/media/vips_image_processor.hpp"
#include "core/embedded_file.hpp"
#include "security/secret_box.hpp"

namespace personae {

std::span<const EmbeddedFile> asset_files();  // generated from assets/ by personae_embed_files

namespace {

std::string embedded_asset(std::string_view name) {
  for (const auto& file : asset_files()) {
    if (file.name == name) return std::string(file.contents);
  }
  throw std::logic_error("asset " + std::string(name) + " is not compiled in");
}

VariantPreset preset_from(const MediaPresetConfig& config) {
  VariantPreset preset;
  preset.name = config.name;
  preset.width = config.width;
  preset.height = config.height;
  preset.fit = config.fit == "contain" ? VariantFit::kContain : VariantFit::kCover;
  preset.format = config.format == "png"    ? MediaType::kPng
                  : config.format == "webp" ? MediaType::kWebp
                                            : MediaType::kJpeg;
  preset.quality = config.quality;
  preset.watermark = config.watermark;
  return preset;
}

WatermarkPosition position_from(const std::string& name) {
  if (name == "top_left") return WatermarkPosition::kTopLeft;
  if (name == "top_right") return WatermarkPosition::kTopRight;
  if (name == "bottom_left") return WatermarkPosition::kBottomLeft;
  if (name == "center") return WatermarkPosition::kCenter;
  return WatermarkPosition::kBottomRight;
}

std::optional<Watermark> watermark_from(const MediaConfig& media) {
  if (media.watermark_text.empty() && media.watermark_logo_file.empty()) return std::nullopt;
  Watermark watermark;
  watermark.text = media.watermark_text;
  if (!media.watermark_logo_file.empty()) {
    if (!std::filesystem::is_regular_file(media.watermark_logo_file)) {
      throw ConfigError("media.watermark_logo_file: \"" + media.watermark_logo_file +
                        "\" is not a readable file");
    }
    watermark.logo = media.watermark_logo_file;
  }
  watermark.position = position_from(media.watermark_position);
  watermark.opacity = media.watermark_opacity;
  return watermark;
}

}  // namespace

std::unique_ptr<BlobStore> make_blob_store(const Config& config) {
  const BlobConfig& blob = config.blob;
  if (blob.type == "s3") {
    S3BlobStoreOptions options;
    options.endpoint = blob.s3_endpoint;
    options.bucket = blob.s3_bucket;
    options.region = blob.s3_region;
    options.access_key = blob.s3_access_key.reveal();
    options.secret_key = blob.s3_secret_key.reveal();
    options.path_style = blob.s3_path_style;
    options.prefix = blob.s3_prefix;
    options.part_size = blob.s3_part_size;
    options.multipart_threshold = blob.s3_multipart_threshold;
    options.timeout = blob.s3_timeout;
    options.max_attempts = blob.s3_max_attempts;
    options.max_get_bytes = std::max<std::uint64_t>(options.max_get_bytes, config.media.max_upload_bytes);
    return std::make_unique<S3BlobStore>(std::move(options));
  }
  LocalBlobStoreOptions options;
  options.root = blob.local_path;
  return std::make_unique<LocalBlobStore>(std::move(options));
}

std::unique_ptr<Vault> build_vault(const Config& config, Storage& storage, const Clock& clock) {
  auto vault = std::make_unique<Vault>();
  Vault& v = *vault;
  v.blobs = make_blob_store(config);

  media::VipsImageProcessorOptions processing;
  processing.limits.max_pixels = config.media.max_pixels;
  processing.limits.max_dimension = config.media.max_dimension;
  processing.max_file_bytes = config.media.max_upload_bytes;
  processing.max_concurrent = static_cast<std::size_t>(config.media.max_concurrent_processing);
  v.images = std::make_unique<media::VipsImageProcessor>(processing);

  auto master_key = security::load_or_create_master_key(config.secrets.master_key_file);
  if (!master_key) throw ConfigError("secrets.master_key_file: " + master_key.error().message);
  const std::string key_material(reinterpret_cast<const char*>(master_key->data()), master_key->size());
  v.link_signer =
      std::make_unique<security::UrlSigner>(security::UrlSigner::derive_key(key_material, "media-link-v1"));

  MediaServiceOptions media_options;
  media_options.limits.max_pixels = config.media.max_pixels;
  media_options.limits.max_dimension = config.media.max_dimension;
  for (const auto& preset : config.media.presets) media_options.presets.push_back(preset_from(preset));
  media_options.watermark = watermark_from(config.media);
  media_options.thumbnail_size = config.media.thumbnail_size;
  media_options.duplicate_distance = config.media.duplicate_distance;
  media_options.default_link_ttl = std::chrono::duration_cast<std::chrono::seconds>(config.media.link_ttl);
  media_options.default_card_portrait_png = embedded_asset("card_portrait.png");
  media_options.scratch_directory = std::filesystem::path(config.data_dir) / "tmp";
  std::filesystem::create_directories(media_options.scratch_directory);
  media_options.max_link_ttl = std::chrono::duration_cast<std::chrono::seconds>(config.media.max_link_ttl);

  Database& db = *storage.database;
  v.personas =
      std::make_unique<PersonaService>(db, v.persona_repository, v.media_repository, *storage.audit, clock);
  v.media = std::make_unique<MediaService>(db, v.media_repository, v.persona_repository, *v.blobs, *v.images,
                                           *storage.audit, clock, *v.link_signer, std::move(media_options));
  return vault;
}

}  // namespace personae

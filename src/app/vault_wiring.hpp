#pragma once

#include <memory>

#include "adapters/db/sql_media_repository.hpp"
#include "adapters/db/sql_persona_repository.hpp"
#include "app/config.hpp"
#include "app/storage.hpp"
#include "ports/blob_store.hpp"
#include "ports/image_processor.hpp"
#include "security/url_signer.hpp"
#include "services/media/media_service.hpp"
#include "services/personas/persona_service.hpp"

namespace personae {

/// Personas and the media vault, built once from the configuration: the repositories, the blob
/// store chosen by `blob.type`, the image processor, the link signer, and the two services.
/// Owned by the command; the storage it was built on must outlive it.
struct Vault {
  SqlPersonaRepository persona_repository;
  SqlMediaRepository media_repository;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<ImageProcessor> images;
  std::unique_ptr<security::UrlSigner> link_signer;
  std::unique_ptr<PersonaService> personas;
  std::unique_ptr<MediaService> media;
};

/// The blob store `blob.type` names: "local" (a folder) or "s3". Throws ConfigError for settings
/// it cannot use (naming the key).
std::unique_ptr<BlobStore> make_blob_store(const Config& config);

/// Builds the vault. Throws ConfigError for unusable settings (blob store, watermark logo, master
/// key) and AppError for I/O failures.
std::unique_ptr<Vault> build_vault(const Config& config, Storage& storage, const Clock& clock);

}  // namespace personae

#pragma once

#include "http/auth/request_authenticator.hpp"
#include "http/router.hpp"

namespace personae {
class MediaService;
}  // namespace personae

/// Handlers for /api/v1/media: the vault. Uploads arrive as multipart/form-data spooled to disk
/// (register the route with BodyPolicy::spool_to_file); files are served with an ETag
/// (If-None-Match answers 304). `..._as` handlers are PrincipalHandlers (auth::guard()); the
/// signed-link download is public, its signature being the credential. All are blocking.
namespace personae::http::handlers {

/// POST /api/v1/media (media.manage): parts `file` (required), `persona_id`, `category`,
/// `rating`, `tags` (comma-separated, may repeat), `description`, `generator`.
auth::PrincipalHandler upload_media_as(MediaService& media);
/// GET /api/v1/media (media.read): filters `persona_id`, `unassigned`, `category`, `rating`,
/// `tag`, `kind`; paging `limit`, `cursor`.
auth::PrincipalHandler list_media_as(MediaService& media);
/// GET /api/v1/media/{id} (media.read), with near-duplicates.
auth::PrincipalHandler get_media_as(MediaService& media);
/// PATCH /api/v1/media/{id} (media.manage): persona_id, category (null clears), rating, tags, description.
auth::PrincipalHandler update_media_as(MediaService& media);
/// DELETE /api/v1/media/{id} (media.manage).
auth::PrincipalHandler delete_media_as(MediaService& media);
/// GET /api/v1/media/folders (media.read): counts by persona and category.
auth::PrincipalHandler media_folders_as(MediaService& media);
/// GET /api/v1/media/categories (media.read).
auth::PrincipalHandler list_media_categories_as(MediaService& media);
/// POST /api/v1/media/categories (media.manage).
auth::PrincipalHandler add_media_category_as(MediaService& media);
/// DELETE /api/v1/media/categories/{name} (media.manage).
auth::PrincipalHandler remove_media_category_as(MediaService& media);
/// GET /api/v1/media/{id}/variants/{variant} (media.read): the file.
auth::PrincipalHandler media_variant_as(MediaService& media);
/// POST /api/v1/media/{id}/links (media.read): `{variant, ttl_seconds?}` -> a signed URL.
auth::PrincipalHandler create_media_link_as(MediaService& media);
/// GET /api/v1/media/files/{tenant_id}/{id}/{variant}?expires=&signature= (public).
Handler media_file_by_link(MediaService& media);

}  // namespace personae::http::handlers

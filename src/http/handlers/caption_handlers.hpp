#pragma once

#include "http/auth/request_authenticator.hpp"
#include "http/router.hpp"

namespace personae {
class CaptionService;
}  // namespace personae

/// Handlers for /api/v1/captions and /api/v1/content-settings. Captions carry their revision as
/// ETag; PATCH honours If-Match. All are PrincipalHandlers (register them through auth::guard())
/// and blocking.
namespace personae::http::handlers {

/// POST /api/v1/captions (captions.write): `{"persona_id", "platform", "media_id"?, "brief"?,
/// "template_only"?}` -> 202 with the caption (status queued), its job and Location.
auth::PrincipalHandler order_caption_as(CaptionService& captions);
/// GET /api/v1/captions?persona_id&media_id&status&platform&limit&cursor (captions.read).
auth::PrincipalHandler list_captions_as(CaptionService& captions);
/// GET /api/v1/captions/{id} (captions.read): with `job_state`.
auth::PrincipalHandler get_caption_as(CaptionService& captions);
/// PATCH /api/v1/captions/{id} (captions.write): text, title, call_to_action, hashtags.
auth::PrincipalHandler edit_caption_as(CaptionService& captions);
/// POST /api/v1/captions/{id}/approve (captions.approve).
auth::PrincipalHandler approve_caption_as(CaptionService& captions);
/// GET /api/v1/content-settings (content_settings.read).
auth::PrincipalHandler get_content_settings_as(CaptionService& captions);
/// PUT /api/v1/content-settings (content_settings.manage): If-Match honoured.
auth::PrincipalHandler put_content_settings_as(CaptionService& captions);

}  // namespace personae::http::handlers

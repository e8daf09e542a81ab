#include "http/handlers/caption_handlers.hpp"

#include <nlohmann/json.hpp>

#include "adapters/json/caption_json.hpp"
#include "http/handlers/handler_support.hpp"
#include "http/json_body.hpp"
#include "services/captions/caption_service.hpp"

namespace personae::http::handlers {
namespace {

using auth::PrincipalHandler;

Response caption_response(int status, const captions::Caption& caption,
                          std::optional<JobState> job_state = std::nullopt) {
  auto json = json::caption_to_json(caption);
  json["job_state"] = job_state ? nlohmann::json(to_string(*job_state)) : nlohmann::json();
  auto response = Response::json(status, json);
  response.headers.set("ETag", revision_etag(caption.revision));
  if (status == 202 || status == 201) response.headers.set("Location", "/api/v1/captions/" + caption.id);
  return response;
}

Platform platform_or_throw(std::string_view field, std::string_view text) {
  const auto platform = parse_platform(text);
  if (!platform) {
    throw AppError(
        invalid_fields({{std::string(field), "must be x, instagram, reddit, fanvue or onlyfans"}}));
  }
  return *platform;
}

}  // namespace

PrincipalHandler order_caption_as(CaptionService& captions) {
  return [&captions](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    CaptionOrder order;
    order.persona_id = body.required<std::string>("persona_id");
    const auto platform = body.required<std::string>("platform");
    order.media_id = body.optional<std::string>("media_id");
    order.brief = body.optional<std::string>("brief").value_or("");
    order.template_only = body.optional<bool>("template_only").value_or(false);
    body.finish();
    order.platform = platform_or_throw("platform", platform);
    const auto caption = value_or_fail(captions.order(principal, order, client_of(request)));
    return caption_response(202, caption, JobState::kQueued);
  };
}

PrincipalHandler list_captions_as(CaptionService& captions) {
  return [&captions](const Request& request, const Principal& principal) {
    CaptionListQuery query;
    query.persona_id = request.query_param("persona_id");
    query.media_id = request.query_param("media_id");
    if (const auto status = request.query_param("status")) {
      query.status = captions::parse_caption_status(*status);
      if (!query.status) {
        throw AppError(
            invalid_fields({{"status", "must be queued, ready, needs_review, blocked or failed"}}));
      }
    }
    if (const auto platform = request.query_param("platform"))
      query.platform = platform_or_throw("platform", *platform);
    if (const auto limit = limit_param(request, 200)) query.limit = *limit;
    if (const auto cursor = request.query_param("cursor")) {
      auto decoded = decode_cursor(*cursor);
      query.before = std::make_pair(decoded.created_at_unix_ms, std::move(decoded.id));
    }
    const auto page = value_or_fail(captions.list(principal, query));
    auto items = nlohmann::json::array();
    for (const auto& caption : page.items) items.push_back(json::caption_to_json(caption));
    return Response::json(
        200, {{"items", items},
              {"next_cursor", page.next ? nlohmann::json(encode_cursor({page.next->first, page.next->second}))
                                        : nlohmann::json()}});
  };
}

PrincipalHandler get_caption_as(CaptionService& captions) {
  return [&captions](const Request& request, const Principal& principal) {
    const auto view = value_or_fail(captions.get(principal, std::string(request.path_param("id"))));
    return caption_response(200, view.caption, view.job_state);
  };
}

PrincipalHandler edit_caption_as(CaptionService& captions) {
  return [&captions](const Request& request, const Principal& principal) {
    const auto revision = if_match_revision(request, "caption");
    const auto json = parse_json_body(request);
    JsonReader body(json);
    CaptionEdit edit;
    edit.text = body.optional<std::string>("text");
    edit.title = body.optional<std::string>("title");
    edit.call_to_action = body.optional<std::string>("call_to_action");
    edit.hashtags = body.optional<std::vector<std::string>>("hashtags");
    body.finish();
    const auto caption =
        captions.edit(principal, std::string(request.path_param("id")), edit, revision, client_of(request));
    if (!caption && revision && caption.error().code == ErrorCode::kConflict) {
      throw HttpError(412, "Precondition Failed", caption.error().message);
    }
    return caption_response(200, value_or_fail(caption));
  };
}

PrincipalHandler approve_caption_as(CaptionService& captions) {
  return [&captions](const Request& request, const Principal& principal) {
    return caption_response(200, value_or_fail(captions.approve(
                                     principal, std::string(request.path_param("id")), client_of(request))));
  };
}

PrincipalHandler get_content_settings_as(CaptionService& captions) {
  return [&captions](const Request&, const Principal& principal) {
    const auto settings = value_or_fail(captions.settings(principal));
    auto response = Response::json(200, json::content_settings_to_json(settings));
    response.headers.set("ETag", revision_etag(settings.revision));
    return response;
  };
}

PrincipalHandler put_content_settings_as(CaptionService& captions) {
  return [&captions](const Request& request, const Principal& principal) {
    // The first save has no revision to match: If-Match "0" stands for "nothing saved yet".
    const auto revision = if_match_revision(request, "settings", 0);
    const auto json = parse_json_body(request);
    JsonReader body(json);
    captions::ContentSettings settings;
    json::apply_content_settings(body, settings);
    body.finish();
    const auto saved = captions.put_settings(principal, std::move(settings), revision, client_of(request));
    if (!saved && revision && saved.error().code == ErrorCode::kConflict) {
      throw HttpError(412, "Precondition Failed", saved.error().message);
    }
    auto response = Response::json(200, json::content_settings_to_json(value_or_fail(saved)));
    response.headers.set("ETag", revision_etag(saved->revision));
    return response;
  };
}

}  // namespace personae::http::handlers

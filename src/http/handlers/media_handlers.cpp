#include "http/handlers/media_handlers.hpp"

#include <charconv>
#include <set>

#include <nlohmann/json.hpp>

#include "http/handlers/handler_support.hpp"
#include "http/json_body.hpp"
#include "http/multipart.hpp"
#include "http/spooled_body.hpp"
#include "security/encoding.hpp"
#include "services/media/media_service.hpp"

namespace personae::http::handlers {
namespace {

using auth::PrincipalHandler;

constexpr std::size_t kMaxFieldBytes = std::size_t{64} * 1024;

std::string hex64(std::uint64_t value) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = kDigits[value & 0xf];
  return out;
}

nlohmann::json item_json(const MediaItem& item) {
  auto variants = nlohmann::json::array();
  for (const auto& variant : item.variants) {
    variants.push_back({{"name", variant.name},
                        {"mime_type", variant.mime_type},
                        {"width", variant.width},
                        {"height", variant.height},
                        {"size_bytes", variant.size_bytes},
                        {"url", "/api/v1/media/" + item.id + "/variants/" + variant.name}});
  }
  return {{"id", item.id},
          {"persona_id", item.persona_id ? nlohmann::json(*item.persona_id) : nlohmann::json()},
          {"kind", std::string(to_string(item.kind))},
          {"mime_type", item.mime_type},
          {"original_name", item.original_name},
          {"size_bytes", item.size_bytes},
          {"width", item.width},
          {"height", item.height},
          {"sha256", item.sha256},
          {"category", item.category ? nlohmann::json(*item.category) : nlohmann::json()},
          {"rating", std::string(to_string(item.rating))},
          {"description", item.description},
          {"tags", item.tags},
          {"source", std::string(to_string(item.source))},
          {"generator", item.generator},
          {"perceptual_hash",
           item.perceptual_hash ? nlohmann::json(hex64(*item.perceptual_hash)) : nlohmann::json()},
          {"variants", variants},
          {"created_by", item.created_by},
          {"created_at_unix_ms", item.created_at_unix_ms},
          {"updated_at_unix_ms", item.updated_at_unix_ms}};
}

nlohmann::json view_json(const MediaItemView& view) {
  auto out = item_json(view.item);
  auto duplicates = nlohmann::json::array();
  for (const auto& duplicate : view.near_duplicates) {
    duplicates.push_back({{"media_id", duplicate.media_id},
                          {"distance", duplicate.distance},
                          {"identical", duplicate.identical}});
  }
  out["near_duplicates"] = duplicates;
  return out;
}

Rating rating_or_throw(std::string_view field, std::string_view text) {
  const auto rating = parse_rating(text);
  if (!rating) throw AppError(invalid_fields({{std::string(field), "must be sfw, suggestive or explicit"}}));
  return *rating;
}

// "created_at:id", base64url: opaque to clients.
std::vector<std::string> split_tags(std::string_view text) {
  std::vector<std::string> tags;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string_view tag =
        text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!tag.empty()) tags.emplace_back(tag);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return tags;
}

Response content_response(const Request& request, const VariantContent& content,
                          const std::string& cache_control) {
  const std::string etag = "\"" + content.etag + "\"";
  if (const auto match = request.headers.get("If-None-Match"); match && *match == etag) {
    Response not_modified = Response::no_content(304);
    not_modified.headers.set("ETag", etag);
    not_modified.headers.set("Cache-Control", cache_control);
    return not_modified;
  }
  Response response = Response::text(200, content.bytes, content.mime_type);
  response.headers.set("ETag", etag);
  response.headers.set("Cache-Control", cache_control);
  response.headers.set("Content-Disposition", "inline");
  return response;
}

}  // namespace

PrincipalHandler upload_media_as(MediaService& media) {
  return [&media](const Request& request, const Principal& principal) {
    if (!request.spooled_body || request.spooled_body->size() == 0) {
      throw HttpError(400, "Bad Request", "send the file as multipart/form-data in a part named \"file\"");
    }
    const auto boundary = multipart_boundary(request.headers.get("Content-Type").value_or(""));
    if (!boundary) throw HttpError(415, "Unsupported Media Type", boundary.error().message);
    const auto& spooled = request.spooled_body->path();
    const auto parts = value_or_fail(parse_multipart_file(spooled, *boundary));

    NewMedia upload;
    const MultipartPart* file = nullptr;
    std::vector<FieldError> errors;
    std::set<std::string> seen;
    for (const auto& part : parts) {
      if (part.name == "file") {
        if (file != nullptr) errors.push_back({"file", "send one file per upload"});
        file = &part;
        continue;
      }
      if (part.length > kMaxFieldBytes) {
        errors.push_back({part.name, "is longer than 64 KiB"});
        continue;
      }
      const auto value = value_or_fail(read_part(spooled, part));
      if (part.name != "tags" && !seen.insert(part.name).second) {
        errors.push_back({part.name, "is sent twice"});
      } else if (part.name == "persona_id") {
        if (!value.empty()) upload.persona_id = value;
      } else if (part.name == "category") {
        if (!value.empty()) upload.category = value;
      } else if (part.name == "rating") {
        if (const auto rating = parse_rating(value)) {
          upload.rating = *rating;
        } else {
          errors.push_back({"rating", "must be sfw, suggestive or explicit"});
        }
      } else if (part.name == "tags") {
        for (auto& tag : split_tags(value)) upload.tags.push_back(std::move(tag));
      } else if (part.name == "description") {
        upload.description = value;
      } else if (part.name == "generator") {
        upload.generator = value.substr(0, 200);
      } else {
        errors.push_back({part.name, "is not a known field"});
      }
    }
    if (file == nullptr)
      errors.push_back({"file", "is required (the file to add, in a part named \"file\")"});
    if (!errors.empty()) throw AppError(invalid_fields(std::move(errors)));

    // The file part alone, beside the spooled body (same folder, same clean-up rules).
    const auto part_file = SpooledBody::create(spooled.parent_path());
    check_or_fail(copy_part(spooled, *file, part_file->path()));
    upload.file = part_file->path();
    upload.original_name = file->filename.value_or("");
    upload.declared_mime = file->content_type;
    const auto view = value_or_fail(media.add(principal, upload, client_of(request)));
    auto response = Response::json(201, view_json(view));
    response.headers.set("Location", "/api/v1/media/" + view.item.id);
    return response;
  };
}

PrincipalHandler list_media_as(MediaService& media) {
  return [&media](const Request& request, const Principal& principal) {
    MediaFilter filter;
    filter.persona_id = request.query_param("persona_id");
    if (const auto unassigned = request.query_param("unassigned"))
      filter.unassigned_only = *unassigned == "true";
    filter.category = request.query_param("category");
    if (const auto rating = request.query_param("rating")) filter.rating = rating_or_throw("rating", *rating);
    filter.tag = request.query_param("tag");
    if (const auto kind = request.query_param("kind")) {
      filter.kind = parse_media_kind(*kind);
      if (!filter.kind) throw AppError(invalid_fields({{"kind", "must be image or document"}}));
    }
    if (const auto limit = limit_param(request, 200)) filter.limit = static_cast<std::size_t>(*limit);
    if (const auto cursor = request.query_param("cursor")) {
      auto decoded = decode_cursor(*cursor);
      filter.after = MediaCursor{decoded.created_at_unix_ms, std::move(decoded.id)};
    }
    const auto page = value_or_fail(media.list(principal, filter));
    auto items = nlohmann::json::array();
    for (const auto& item : page.items) items.push_back(item_json(item));
    return Response::json(
        200, {{"items", items},
              {"next_cursor",
               page.next ? nlohmann::json(encode_cursor({page.next->created_at_unix_ms, page.next->id}))
                         : nlohmann::json()}});
  };
}

PrincipalHandler get_media_as(MediaService& media) {
  return [&media](const Request& request, const Principal& principal) {
    return Response::json(
        200, view_json(value_or_fail(media.get(principal, std::string(request.path_param("id"))))));
  };
}

PrincipalHandler update_media_as(MediaService& media) {
  return [&media](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    MediaEdit edit;
    const auto nullable_text = [&](std::string_view name) -> std::optional<std::optional<std::string>> {
      if (body.is_null(name)) return std::optional<std::string>();
      if (auto value = body.optional<std::string>(name)) return std::optional<std::string>(std::move(*value));
      return std::nullopt;
    };
    edit.persona_id = nullable_text("persona_id");
    edit.category = nullable_text("category");
    if (const auto rating = body.optional<std::string>("rating")) {
      if (const auto parsed = parse_rating(*rating)) {
        edit.rating = *parsed;
      } else {
        body.invalid("rating", "must be sfw, suggestive or explicit");
      }
    }
    edit.tags = body.optional<std::vector<std::string>>("tags");
    edit.description = body.optional<std::string>("description");
    body.finish();
    return Response::json(
        200, view_json(value_or_fail(
                 media.update(principal, std::string(request.path_param("id")), edit, client_of(request)))));
  };
}

PrincipalHandler delete_media_as(MediaService& media) {
  return [&media](const Request& request, const Principal& principal) {
    check_or_fail(media.remove(principal, std::string(request.path_param("id")), client_of(request)));
    return Response::no_content();
  };
}

PrincipalHandler media_folders_as(MediaService& media) {
  return [&media](const Request&, const Principal& principal) {
    auto folders = nlohmann::json::array();
    for (const auto& folder : value_or_fail(media.folders(principal))) {
      folders.push_back(
          {{"persona_id", folder.persona_id ? nlohmann::json(*folder.persona_id) : nlohmann::json()},
           {"category", folder.category ? nlohmann::json(*folder.category) : nlohmann::json()},
           {"count", folder.count}});
    }
    return Response::json(200, {{"folders", folders}});
  };
}

PrincipalHandler list_media_categories_as(MediaService& media) {
  return [&media](const Request&, const Principal& principal) {
    auto items = nlohmann::json::array();
    for (const auto& category : value_or_fail(media.categories(principal))) {
      items.push_back({{"name", category.name}, {"label", category.label}});
    }
    return Response::json(200, {{"items", items}});
  };
}

PrincipalHandler add_media_category_as(MediaService& media) {
  return [&media](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto name = body.required<std::string>("name");
    const auto label = body.required<std::string>("label");
    body.finish();
    const auto category = value_or_fail(media.add_category(principal, name, label, client_of(request)));
    return Response::json(201, {{"name", category.name}, {"label", category.label}});
  };
}

PrincipalHandler remove_media_category_as(MediaService& media) {
  return [&media](const Request& request, const Principal& principal) {
    check_or_fail(
        media.remove_category(principal, std::string(request.path_param("name")), client_of(request)));
    return Response::no_content();
  };
}

PrincipalHandler media_variant_as(MediaService& media) {
  return [&media](const Request& request, const Principal& principal) {
    const auto content = value_or_fail(media.content(principal, std::string(request.path_param("id")),
                                                     std::string(request.path_param("variant"))));
    return content_response(request, content, "private, max-age=3600");
  };
}

PrincipalHandler create_media_link_as(MediaService& media) {
  return [&media](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    const auto variant = body.required<std::string>("variant");
    const auto ttl = body.optional<std::int64_t>("ttl_seconds");
    body.finish();
    const auto link = value_or_fail(
        media.sign_link(principal, std::string(request.path_param("id")), variant,
                        ttl ? std::optional<std::chrono::seconds>(std::chrono::seconds(*ttl)) : std::nullopt,
                        client_of(request)));
    return Response::json(201, {{"url", link.path}, {"expires_at_unix_s", link.expires_at_unix_s}});
  };
}

Handler media_file_by_link(MediaService& media) {
  return [&media](const Request& request) {
    const auto expires = request.query_param("expires").value_or("");
    const auto signature = request.query_param("signature").value_or("");
    const auto content = value_or_fail(media.content_by_link(
        std::string(request.path_param("tenant_id")), std::string(request.path_param("id")),
        std::string(request.path_param("variant")), expires, signature));
    // Shared caches must not keep a capability-protected file.
    return content_response(request, content, "private, max-age=300");
  };
}

}  // namespace personae::http::handlers

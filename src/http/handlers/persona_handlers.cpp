#include "http/handlers/persona_handlers.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "adapters/cards/character_card.hpp"
#include "adapters/json/persona_json.hpp"
#include "http/handlers/handler_support.hpp"
#include "http/json_body.hpp"
#include "services/media/media_service.hpp"
#include "services/personas/persona_service.hpp"

namespace personae::http::handlers {
namespace {

using auth::PrincipalHandler;

nlohmann::json persona_view_json(const PersonaView& view) {
  auto out = json::persona_to_json(view.persona);
  out["activation_blocker"] =
      view.activation_blocker ? nlohmann::json(*view.activation_blocker) : nlohmann::json();
  return out;
}

Response persona_response(int status, const PersonaView& view) {
  auto response = Response::json(status, persona_view_json(view));
  response.headers.set("ETag", revision_etag(view.persona.revision));
  if (status == 201) response.headers.set("Location", "/api/v1/personas/" + view.persona.id);
  return response;
}

// Parses the whole body first (strict: unknown fields are refused), so that the edit the service
// applies is known to be well-formed.
PersonaEdit edit_from(const Request& request) {
  auto body = std::make_shared<nlohmann::json>(parse_json_body(request));
  Persona probe;
  JsonReader reader(*body);
  json::apply_persona_settings(reader, probe);
  reader.finish();
  return [body](Persona& persona) {
    JsonReader apply(*body);
    json::apply_persona_settings(apply, persona);
  };
}

std::string_view media_type_of(const Request& request) {
  const std::string_view content_type = request.headers.get("Content-Type").value_or("");
  std::string_view media_type = content_type.substr(0, content_type.find(';'));
  while (!media_type.empty() && media_type.back() == ' ') media_type.remove_suffix(1);
  return media_type;
}

// A file name for downloads: the display name's ASCII letters and digits, '-' for the rest.
std::string file_stem(const Persona& persona) {
  std::string stem;
  for (const char c : persona.display_name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (keep) {
      stem.push_back(c);
    } else if (!stem.empty() && stem.back() != '-') {
      stem.push_back('-');
    }
  }
  while (!stem.empty() && stem.back() == '-') stem.pop_back();
  return stem.empty() ? "persona" : stem;
}

}  // namespace

PrincipalHandler import_persona_as(PersonaService& personas) {
  return [&personas](const Request& request, const Principal& principal) {
    const std::string_view type = media_type_of(request);
    Result<cards::ImportedCard> imported = make_error(ErrorCode::kInvalidArgument, "");
    if (iequals(type, "application/json")) {
      imported = cards::parse_card_json(request.body);
    } else if (iequals(type, "image/png")) {
      imported = cards::parse_card_png(request.body);
    } else {
      throw HttpError(415, "Unsupported Media Type",
                      "send the character card as application/json or as image/png (a card PNG)");
    }
    if (!imported) fail(imported.error());
    const auto view =
        value_or_fail(personas.import(principal, std::move(imported->persona), client_of(request)));
    auto response = Response::json(201, {{"persona", persona_view_json(view)},
                                         {"card_version", std::string(cards::to_string(imported->version))},
                                         {"warnings", imported->warnings}});
    response.headers.set("Location", "/api/v1/personas/" + view.persona.id);
    return response;
  };
}

PrincipalHandler export_persona_card_as(PersonaService& personas, MediaService& media) {
  return [&personas, &media](const Request& request, const Principal& principal) {
    const std::string format = request.query_param("format").value_or("json");
    const auto version = cards::parse_export_version(request.query_param("version").value_or("v3"));
    std::vector<FieldError> errors;
    if (format != "json" && format != "png") errors.push_back({"format", "must be json or png"});
    if (!version) errors.push_back({"version", "must be v2 or v3"});
    if (!errors.empty()) fail(invalid_fields(std::move(errors)));
    const auto view = value_or_fail(personas.get(principal, std::string(request.path_param("id"))));
    const std::string stem = file_stem(view.persona) + "." + std::string(cards::to_string(*version));
    Response response;
    if (format == "json") {
      response = Response::text(200, cards::export_card_json(view.persona, *version),
                                "application/json; charset=utf-8");
      response.headers.set("Content-Disposition", "attachment; filename=\"" + stem + ".json\"");
    } else {
      const auto portrait = value_or_fail(media.card_portrait(principal, view.persona));
      response = Response::text(200, value_or_fail(cards::export_card_png(view.persona, *version, portrait)),
                                "image/png");
      response.headers.set("Content-Disposition", "attachment; filename=\"" + stem + ".png\"");
    }
    response.headers.set("Cache-Control", "no-store");
    return response;
  };
}

PrincipalHandler list_personas_as(PersonaService& personas) {
  return [&personas](const Request&, const Principal& principal) {
    auto items = nlohmann::json::array();
    for (const auto& view : value_or_fail(personas.list(principal))) items.push_back(persona_view_json(view));
    return Response::json(200, {{"items", items}});
  };
}

PrincipalHandler create_persona_as(PersonaService& personas) {
  return [&personas](const Request& request, const Principal& principal) {
    return persona_response(
        201, value_or_fail(personas.create(principal, edit_from(request), client_of(request))));
  };
}

PrincipalHandler get_persona_as(PersonaService& personas) {
  return [&personas](const Request& request, const Principal& principal) {
    return persona_response(200,
                            value_or_fail(personas.get(principal, std::string(request.path_param("id")))));
  };
}

PrincipalHandler update_persona_as(PersonaService& personas) {
  return [&personas](const Request& request, const Principal& principal) {
    const std::string id(request.path_param("id"));
    const auto revision = if_match_revision(request, "persona");
    auto edit = edit_from(request);
    if (revision) {
      // RFC 9110 13.1.1: a stale If-Match is 412 (a change racing this one is caught by the service).
      const auto current = value_or_fail(personas.get(principal, id));
      if (current.persona.revision != *revision) {
        throw HttpError(412, "Precondition Failed",
                        "the persona is at revision " + std::to_string(current.persona.revision) +
                            "; reload it and apply your change again");
      }
    }
    return persona_response(
        200, value_or_fail(personas.update(principal, id, edit, revision, client_of(request))));
  };
}

PrincipalHandler delete_persona_as(PersonaService& personas) {
  return [&personas](const Request& request, const Principal& principal) {
    check_or_fail(personas.remove(principal, std::string(request.path_param("id")), client_of(request)));
    return Response::no_content();
  };
}

PrincipalHandler activate_persona_as(PersonaService& personas) {
  return [&personas](const Request& request, const Principal& principal) {
    bool attest = false;
    if (!request.body.empty()) {
      const auto json = parse_json_body(request);
      JsonReader body(json);
      attest = body.optional<bool>("attest_fictional_adult").value_or(false);
      body.finish();
    }
    return persona_response(
        200, value_or_fail(personas.activate(principal, std::string(request.path_param("id")), attest,
                                             client_of(request))));
  };
}

PrincipalHandler deactivate_persona_as(PersonaService& personas) {
  return [&personas](const Request& request, const Principal& principal) {
    return persona_response(200, value_or_fail(personas.deactivate(
                                     principal, std::string(request.path_param("id")), client_of(request))));
  };
}

PrincipalHandler record_consent_as(PersonaService& personas) {
  return [&personas](const Request& request, const Principal& principal) {
    const auto json = parse_json_body(request);
    JsonReader body(json);
    ConsentInput consent;
    consent.subject_name = body.required<std::string>("subject_name");
    consent.signed_at_unix_ms = body.required<std::int64_t>("signed_at_unix_ms");
    consent.scope = body.required<std::string>("scope");
    consent.document_media_id = body.required<std::string>("document_media_id");
    consent.expires_at_unix_ms = body.optional<std::int64_t>("expires_at_unix_ms");
    body.finish();
    return persona_response(
        200, value_or_fail(personas.record_consent(principal, std::string(request.path_param("id")), consent,
                                                   client_of(request))));
  };
}

PrincipalHandler withdraw_consent_as(PersonaService& personas) {
  return [&personas](const Request& request, const Principal& principal) {
    return persona_response(200, value_or_fail(personas.withdraw_consent(
                                     principal, std::string(request.path_param("id")), client_of(request))));
  };
}

}  // namespace personae::http::handlers

#pragma once

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/json_reader.hpp"
#include "domain/captions/caption.hpp"

/// The JSON forms of captions and of a tenant's content settings: the API's representation and
/// the documents the database stores (one mapping each).
namespace personae::json {

/// The caption as the API shows it.
nlohmann::json caption_to_json(const captions::Caption& caption);

/// The stored document: the caption's texts, hashtags, decision and provenance (what is not a
/// column of the captions table).
nlohmann::json caption_document(const captions::Caption& caption);
/// Fills the document's fields into `caption` (whose columns are already set); kInternal when the
/// document is not one written by caption_document().
Result<void> read_caption_document(const nlohmann::json& document, captions::Caption& caption);

/// The settings as the API shows them (and the database stores them).
nlohmann::json content_settings_to_json(const captions::ContentSettings& settings);
/// Reads the client-settable fields present in `body` into `settings` (a PUT replaces each list
/// given; `templates` replaces every override). Problems are reported on `body`; call
/// body.finish() afterwards.
void apply_content_settings(JsonReader& body, captions::ContentSettings& settings);
/// Settings from a stored document; kInternal when it is not one.
Result<captions::ContentSettings> content_settings_from_document(const nlohmann::json& document);

}  // namespace personae::json

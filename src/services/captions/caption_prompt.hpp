#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "domain/captions/caption_composer.hpp"
#include "domain/media/media_item.hpp"
#include "domain/personas/persona.hpp"
#include "ports/llm_provider.hpp"

namespace personae::captions {

/// What one caption is about: a vault item and/or a brief.
struct CaptionSubject {
  const Persona& persona;
  Platform platform = Platform::kX;
  const MediaItem* media = nullptr;  ///< nullptr: from the brief only
  std::string_view brief;
};

/// The JSON Schema of the model's answer (structured output): caption, call_to_action,
/// topic_hashtags, and for Reddit a title.
std::string caption_output_schema(Platform platform);

/// The chat that asks the model for one caption: a system message with the persona's voice, the
/// platform's length and the rules every caption follows (fiction, adults only, consent, no real
/// people, no hashtags inside the caption), and a user message describing the content. Texts from
/// the tenant (descriptions, brief) are quoted as data, never as instructions. The persona's model
/// settings (temperature, context size, model) are applied; `json_schema` is set.
llm::ChatRequest build_caption_request(const CaptionSubject& subject);

/// The model's answer checked against the schema: kUnavailable "the model's answer did not match
/// the caption format (...)" when it is not a JSON object with a non-empty `caption` string and
/// well-typed optional fields (a later attempt may do better). Extra fields are ignored; topic
/// hashtags beyond 30 are dropped.
Result<ModelCaption> parse_model_caption(std::string_view content);

}  // namespace personae::captions

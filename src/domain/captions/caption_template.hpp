#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "domain/personas/persona.hpp"

namespace personae::captions {

/// The templates of one platform (mustache). `title` is used only where the platform has a title
/// (Reddit). An empty text means the built-in default.
struct CaptionTemplates {
  std::string text;
  std::string title;

  bool operator==(const CaptionTemplates&) const = default;
};

/// The built-in templates:
///   - X: `{{caption}}{{#cta}} {{cta}}{{/cta}}{{#hashtags}} {{hashtags}}{{/hashtags}}`;
///   - Instagram, Fanvue, OnlyFans: the caption, a blank line, the CTA, a blank line, the hashtags;
///   - Reddit: title `{{title}}`, text (the self-text body) `{{body}}` then the CTA after a blank
///     line.
/// The AI label is not in them: the composer appends it (where the safety engine would), unless a
/// template places `{{disclosure}}` itself.
CaptionTemplates default_templates(Platform platform);

/// The variables a template may use, all plain text:
///   caption (the model's caption, or the description in a template-only draft), body (Reddit:
///   the caption after its first sentence, or all of it when the model wrote a title), title,
///   cta, hashtags ("#a #b"), display_name, disclosure (the AI label). An empty value is absent,
///   so `{{#cta}}...{{/cta}}` shows only when there is a CTA.
std::span<const std::string_view> template_variables();

inline constexpr std::size_t kMaxTemplateBytes = 10'000;

/// Why `text` cannot be used as a template (a sentence for the user), or nullopt: too long, not
/// valid mustache (unclosed sections), a partial (`{{> name}}`: it would render a value as a
/// template), a delimiter change (`{{=<% %>=}}`), or a variable not in template_variables().
std::optional<std::string> template_problem(std::string_view text);

/// The values of one rendering.
struct TemplateValues {
  std::string caption;
  std::string body;
  std::string title;
  std::string cta;
  std::string hashtags;
  std::string display_name;
  std::string disclosure;
};

/// Renders `text` with `values` as plain text: nothing is HTML-escaped (platforms show text as
/// is), values are never parsed as templates (what the model wrote stays text even if it holds
/// "{{"), and partials resolve to nothing. kInvalidArgument when template_problem() has one.
Result<std::string> render_caption_template(std::string_view text, const TemplateValues& values);

}  // namespace personae::captions

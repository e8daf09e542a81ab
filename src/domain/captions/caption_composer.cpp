#include "domain/captions/caption_composer.hpp"

#include <algorithm>

#include "domain/captions/caption_text.hpp"
#include "safety/disclosure.hpp"
#include "safety/platform_rules.hpp"
#include "safety/utf8.hpp"

namespace personae::captions {
namespace {

using safety::LabelField;
using safety::platform_display_name;
using safety::PlatformRules;

// Everything one rendering needs besides the values that fitting changes.
class Renderer {
 public:
  Renderer(std::string text_template, std::string label, Platform platform, std::size_t limit,
           LabelField field)
      : template_(std::move(text_template)),
        label_(std::move(label)),
        platform_(platform),
        limit_(limit),
        field_(field) {}

  // The rendered text with the label where it is missing (as safety::attach_label appends it).
  Result<std::string> labelled(const TemplateValues& values) const {
    auto rendered = render_caption_template(template_, values);
    if (!rendered) return rendered;
    std::string text = field_ == LabelField::kTitle ? tidy_single_line(*rendered) : tidy_multiline(*rendered);
    if (label_.empty() || safety::contains_label(text, label_)) return text;
    if (!text.empty()) text += safety::label_separator(field_);
    return text + label_;
  }

  bool fits(std::string_view text) const { return safety::measure_text(platform_, text) <= limit_; }

  const std::string& label() const { return label_; }

 private:
  std::string template_;
  std::string label_;
  Platform platform_;
  std::size_t limit_;
  LabelField field_;
};

Error template_error(std::string_view field, std::string message) {
  return invalid_fields({{std::string(field), std::move(message)}});
}

// A rendering error, named after the request field the template came from.
Error retarget(const Error& error, std::string_view field) {
  return template_error(field,
                        error.field_errors.empty() ? error.message : error.field_errors.front().message);
}

// Renders with the value `value` shortened (at a word boundary) until the labelled result fits.
// nullopt when even an empty value does not fit.
Result<std::optional<std::string>> fit_value(const Renderer& renderer, TemplateValues values,
                                             std::string TemplateValues::*member, std::string_view field) {
  std::optional<Error> failure;
  const std::string original = values.*member;  // the predicate overwrites the member
  const auto shortened = safety::shorten_to_fit(original, [&](std::string_view candidate) {
    values.*member = std::string(candidate);
    const auto text = renderer.labelled(values);
    if (!text) {
      failure = text.error();
      return true;  // stop searching; the error is returned below
    }
    return renderer.fits(*text);
  });
  if (failure) return tl::unexpected(retarget(*failure, field));
  return shortened;
}

struct Fitted {
  std::string text;
  std::size_t tag_count = 0;
  bool shortened = false;
  bool dropped_cta = false;
};

// Fits the post text: drops tags from the end, then shortens the caption, then drops the CTA.
Result<Fitted> fit_post(const Renderer& renderer, TemplateValues values, const std::vector<Hashtag>& tags,
                        std::string_view field) {
  for (std::size_t count = tags.size() + 1; count-- > 0;) {
    values.hashtags = join_hashtags(std::span<const Hashtag>(tags).first(count));
    auto text = renderer.labelled(values);
    if (!text) return tl::unexpected(retarget(text.error(), field));
    if (renderer.fits(*text)) return Fitted{std::move(*text), count, false, false};
  }
  values.hashtags.clear();
  for (const bool keep_cta : {true, false}) {
    if (!keep_cta) values.cta.clear();
    auto caption = fit_value(renderer, values, &TemplateValues::caption, field);
    if (!caption) return tl::unexpected(caption.error());
    // With a CTA, a caption cut to nothing is worse than no CTA.
    if (!*caption || ((*caption)->empty() && !values.cta.empty() && !values.caption.empty())) continue;
    values.caption = std::move(**caption);
    auto text = renderer.labelled(values);
    if (!text) return tl::unexpected(retarget(text.error(), field));
    return Fitted{std::move(*text), 0, true, !keep_cta};
  }
  return tl::unexpected(template_error(
      field, "The template and the AI label leave no room for the caption within the platform's limit."));
}

}  // namespace

Result<ComposedCaption> compose_caption(const Persona& persona, const CaptionRequest& request,
                                        const safety::TenantSafetyLists& lists) {
  const PlatformRules& rules = safety::platform_rules(request.platform);
  const std::string where = platform_display_name(request.platform);
  const CaptionTemplates defaults = default_templates(request.platform);
  const std::string text_template = request.templates.text.empty() ? defaults.text : request.templates.text;
  const std::string title_template =
      request.templates.title.empty() ? defaults.title : request.templates.title;
  if (auto problem = template_problem(text_template))
    return tl::unexpected(template_error("templates.text", *problem));
  const bool has_title = rules.max_title > 0;
  if (has_title) {
    if (auto problem = template_problem(title_template))
      return tl::unexpected(template_error("templates.title", *problem));
  }

  ComposedCaption composed;
  composed.platform = request.platform;
  composed.template_only = !request.model.has_value();
  const std::string caption =
      tidy_multiline(composed.template_only ? request.description : request.model->caption);
  std::string cta = composed.template_only ? std::string() : tidy_single_line(request.model->call_to_action);
  if (safety::utf8::count(cta) > kMaxCallToActionCharacters) {
    cta = safety::shorten_to_fit(cta, [](std::string_view c) {
            return safety::utf8::count(c) <= kMaxCallToActionCharacters;
          }).value_or("");
  }

  // Hashtags.
  const std::string label = safety::disclosure_for(persona, request.platform);
  std::size_t max_count = rules.max_hashtags;
  if (max_count != safety::kNoLimit) {
    // Hashtags the model wrote into its text, and the label's, count towards the platform's cap.
    std::size_t used = safety::count_hashtags(caption) + safety::count_hashtags(cta);
    if (rules.label_field == LabelField::kText) used += safety::count_hashtags(label);
    max_count -= std::min(max_count, used);
  }
  const std::string cap_reason =
      rules.max_hashtags == 0
          ? where + " posts carry no hashtags"
          : "over " + where + "'s limit of " + std::to_string(rules.max_hashtags) + " hashtags";
  const std::vector<std::string> none;
  const auto& model_tags = composed.template_only ? none : request.model->topic_hashtags;
  const auto& tenant_tags = composed.template_only ? none : request.tenant_hashtags;
  const HashtagScreen screen = [&](std::string_view tag) -> std::optional<std::string> {
    const auto findings = safety::screen_hashtag(tag, persona, lists, request.rating, request.now_unix_ms);
    if (findings.empty()) return std::nullopt;
    return findings.front().reason;
  };
  HashtagSelection selection =
      select_hashtags(persona.voice.hashtags, model_tags, tenant_tags, screen, max_count, cap_reason);

  TemplateValues values;
  values.caption = caption;
  values.cta = cta;
  values.display_name = persona.display_name;
  values.disclosure = label;

  if (has_title) {
    // Reddit: the label goes in the title; the body carries no hashtags.
    const bool model_title = !composed.template_only && !tidy_single_line(request.model->title).empty();
    SplitText split;
    if (model_title) {
      split.first = tidy_single_line(request.model->title);
      split.rest = caption;
    } else {
      split = split_first_sentence(caption, request.language);
    }
    values.title = split.first;
    values.body = split.rest;
    const Renderer title_renderer(title_template, label, request.platform, rules.max_title,
                                  LabelField::kTitle);
    auto title = title_renderer.labelled(values);
    if (!title) return tl::unexpected(retarget(title.error(), "templates.title"));
    if (!title_renderer.fits(*title)) {
      auto shortened = fit_value(title_renderer, values, &TemplateValues::title, "templates.title");
      if (!shortened) return tl::unexpected(shortened.error());
      if (!*shortened) {
        return tl::unexpected(template_error(
            "templates.title",
            "The title template and the AI label leave no room for a title within 300 characters."));
      }
      values.title = std::move(**shortened);
      title = title_renderer.labelled(values);
      if (!title) return tl::unexpected(retarget(title.error(), "templates.title"));
      composed.shortened = true;
    }
    composed.title = std::move(*title);

    const Renderer body_renderer(text_template, "", request.platform, rules.max_text, LabelField::kText);
    auto body = fit_post(body_renderer, values, {}, "templates.text");
    if (!body) return tl::unexpected(body.error());
    composed.text = std::move(body->text);
    composed.shortened = composed.shortened || body->shortened;
    if (!body->dropped_cta) composed.call_to_action = cta;
  } else {
    const Renderer renderer(text_template, label, request.platform, rules.max_text, LabelField::kText);
    if (!renderer.fits(label)) {
      return tl::unexpected(template_error(
          "templates.text", "The persona's AI label for " + where + " is longer than " + where + " allows."));
    }
    auto fitted = fit_post(renderer, values, selection.kept, "templates.text");
    if (!fitted) return tl::unexpected(fitted.error());
    composed.text = std::move(fitted->text);
    composed.shortened = fitted->shortened;
    if (!fitted->dropped_cta) composed.call_to_action = cta;
    for (std::size_t i = fitted->tag_count; i < selection.kept.size(); ++i) {
      selection.dropped.push_back(
          {selection.kept[i].tag, selection.kept[i].source,
           "does not fit in " + where + "'s " + std::to_string(rules.max_text) + " characters"});
    }
    selection.kept.resize(fitted->tag_count);
  }
  composed.hashtags = std::move(selection.kept);
  composed.dropped_hashtags = std::move(selection.dropped);
  return composed;
}

safety::CaptionCandidate to_candidate(const ComposedCaption& caption, const CaptionRequest& request) {
  safety::CaptionCandidate candidate;
  candidate.platform = caption.platform;
  candidate.rating = request.rating;
  candidate.category = request.category;
  candidate.text = caption.text;
  candidate.title = caption.title;
  for (const auto& tag : caption.hashtags) candidate.hashtags.push_back(tag.tag);
  candidate.call_to_action = caption.call_to_action;
  candidate.template_only_draft = caption.template_only;
  candidate.now_unix_ms = request.now_unix_ms;
  return candidate;
}

}  // namespace personae::captions

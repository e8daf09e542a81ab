#include "domain/captions/caption_template.hpp"

#include <algorithm>
#include <array>

#include <kainjow/mustache.hpp>

namespace personae::captions {
namespace {

namespace mustache = kainjow::mustache;

constexpr std::array<std::string_view, 7> kVariables = {"caption",  "body",         "title",     "cta",
                                                        "hashtags", "display_name", "disclosure"};

constexpr std::string_view kLongTemplate =
    "{{caption}}{{#cta}}\n\n{{cta}}{{/cta}}{{#hashtags}}\n\n{{hashtags}}{{/hashtags}}";

// A context that never resolves partials: kainjow would otherwise render a string *value* named
// by `{{> name}}` as a template.
class NoPartialsContext : public mustache::context<std::string> {
 public:
  const mustache::data* get_partial(const std::string& /*name*/) const override { return nullptr; }
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

CaptionTemplates default_templates(Platform platform) {
  switch (platform) {
    case Platform::kX:
      return {"{{caption}}{{#cta}} {{cta}}{{/cta}}{{#hashtags}} {{hashtags}}{{/hashtags}}", ""};
    case Platform::kReddit: return {"{{body}}{{#cta}}\n\n{{cta}}{{/cta}}", "{{title}}"};
    case Platform::kInstagram:
    case Platform::kFanvue:
    case Platform::kOnlyFans: return {std::string(kLongTemplate), ""};
  }
  return {std::string(kLongTemplate), ""};
}

std::span<const std::string_view> template_variables() {
  return kVariables;
}

std::optional<std::string> template_problem(std::string_view text) {
  if (text.size() > kMaxTemplateBytes) {
    return "The template is longer than " + std::to_string(kMaxTemplateBytes) + " bytes.";
  }
  for (std::size_t at = text.find("{{"); at != std::string_view::npos; at = text.find("{{", at)) {
    const bool triple = at + 2 < text.size() && text[at + 2] == '{';
    const std::string_view close = triple ? "}}}" : "}}";
    const std::size_t start = at + (triple ? 3 : 2);
    const std::size_t end = text.find(close, start);
    if (end == std::string_view::npos) return "A tag opened with {{ is not closed.";
    std::string_view tag = trim(text.substr(start, end - start));
    at = end + close.size();
    if (tag.empty()) return "The template has an empty tag {{}}.";
    const char sigil = tag.front();
    if (sigil == '!') continue;
    if (sigil == '>') return "Partials ({{> name}}) are not allowed in caption templates.";
    if (sigil == '=') return "Changing the delimiters ({{=...=}}) is not allowed in caption templates.";
    if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '&') tag = trim(tag.substr(1));
    if (tag == ".") continue;
    if (std::find(kVariables.begin(), kVariables.end(), tag) == kVariables.end()) {
      std::string known;
      for (const auto name : kVariables) known += (known.empty() ? "" : ", ") + std::string(name);
      return "Unknown variable {{" + std::string(tag.substr(0, 40)) + "}}; a template may use " + known + ".";
    }
  }
  const mustache::mustache parsed{std::string(text)};
  if (!parsed.is_valid()) return "The template is not valid mustache: " + parsed.error_message();
  return std::nullopt;
}

Result<std::string> render_caption_template(std::string_view text, const TemplateValues& values) {
  if (auto problem = template_problem(text)) {
    return tl::unexpected(invalid_fields({{"template", std::move(*problem)}}));
  }
  mustache::mustache tmpl{std::string(text)};
  tmpl.set_custom_escape([](const std::string& value) { return value; });
  mustache::data data{mustache::data::type::object};
  auto set = [&](const char* name, const std::string& value) {
    if (!value.empty()) data.set(name, value);
  };
  set("caption", values.caption);
  set("body", values.body);
  set("title", values.title);
  set("cta", values.cta);
  set("hashtags", values.hashtags);
  set("display_name", values.display_name);
  set("disclosure", values.disclosure);
  NoPartialsContext context;
  context.push(&data);
  std::string rendered = tmpl.render(context);
  if (!tmpl.is_valid()) {
    return make_error(ErrorCode::kInvalidArgument, "The template could not be rendered.",
                      tmpl.error_message());
  }
  return rendered;
}

}  // namespace personae::captions

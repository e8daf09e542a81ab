#include "domain/captions/caption_template.hpp"

#include <gtest/gtest.h>

namespace personae::captions {
namespace {

std::string render(std::string_view text, const TemplateValues& values) {
  const auto rendered = render_caption_template(text, values);
  EXPECT_TRUE(rendered.has_value()) << (rendered ? "" : rendered.error().field_errors.at(0).message);
  return rendered.value_or("<error>");
}

TEST(CaptionTemplate, DefaultsAreValidForEveryPlatform) {
  for (const Platform platform : kAllPlatforms) {
    EXPECT_EQ(template_problem(default_templates(platform).text), std::nullopt) << to_string(platform);
  }
  EXPECT_EQ(template_problem(default_templates(Platform::kReddit).title), std::nullopt);
}

TEST(CaptionTemplate, RendersPlainTextWithoutEscaping) {
  TemplateValues values;
  values.caption = "Tom & Jerry <3 \"quotes\"";
  values.cta = "Link in bio";
  values.hashtags = "#a #b";
  EXPECT_EQ(render(default_templates(Platform::kX).text, values),
            "Tom & Jerry <3 \"quotes\" Link in bio #a #b");
  values.cta.clear();
  EXPECT_EQ(render(default_templates(Platform::kX).text, values), "Tom & Jerry <3 \"quotes\" #a #b");
  values.cta = "Link in bio";
  EXPECT_EQ(render(default_templates(Platform::kInstagram).text, values),
            "Tom & Jerry <3 \"quotes\"\n\nLink in bio\n\n#a #b");
}

TEST(CaptionTemplate, ModelTextIsNeverATemplate) {
  TemplateValues values;
  values.caption = "{{cta}} {{#hashtags}}x{{/hashtags}} {{> caption}} {{=<% %>=}} <script>alert(1)</script>";
  values.cta = "CTA";
  values.hashtags = "\r\n{{{disclosure}}}";
  EXPECT_EQ(render("{{caption}}|{{hashtags}}", values),
            "{{cta}} {{#hashtags}}x{{/hashtags}} {{> caption}} {{=<% %>=}} "
            "<script>alert(1)</script>|\r\n{{{disclosure}}}");
}

TEST(CaptionTemplate, RefusesPartialsDelimitersAndUnknownVariables) {
  EXPECT_NE(template_problem("{{> caption}}"), std::nullopt);
  EXPECT_NE(template_problem("{{=<% %>=}}"), std::nullopt);
  EXPECT_NE(template_problem("{{captoin}}")->find("Unknown variable {{captoin}}"), std::string::npos);
  EXPECT_NE(template_problem("{{#cta}}unclosed"), std::nullopt);
  EXPECT_NE(template_problem("{{caption"), std::nullopt);
  EXPECT_NE(template_problem("{{}}"), std::nullopt);
  EXPECT_NE(template_problem(std::string(kMaxTemplateBytes + 1, 'x')), std::nullopt);
  EXPECT_EQ(template_problem("{{! a comment }}{{{caption}}} {{& cta}} {{#hashtags}}{{.}}{{/hashtags}}"),
            std::nullopt);
  const auto refused = render_caption_template("{{> caption}}", {});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
}

TEST(CaptionTemplate, VariablesAreKnown) {
  TemplateValues values{"c", "b", "t", "cta", "#h", "Luna", "AI"};
  EXPECT_EQ(
      render("{{caption}} {{body}} {{title}} {{cta}} {{hashtags}} {{display_name}} {{disclosure}}", values),
      "c b t cta #h Luna AI");
  EXPECT_EQ(template_variables().size(), 7U);
}

}  // namespace
}  // namespace personae::captions

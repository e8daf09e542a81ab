#include "safety/output_hygiene.hpp"

#include <string>

#include "safety/utf8.hpp"

namespace personae::safety {
namespace {

constexpr std::size_t kMaxMarkupFindings = 5;
constexpr std::size_t kMaxTagBytes = 1000;

bool is_emoji_part(char32_t cp) {
  return cp >= 0x1F000 || (cp >= 0x2600 && cp <= 0x27BF) || cp == 0xFE0F || cp == 0x2B50 || cp == 0x2B55;
}

bool is_line_break(char32_t cp) {
  return cp == '\n' || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

bool is_invisible(char32_t cp) {
  return cp == 0x200B || cp == 0x200C || cp == 0x2060 || cp == 0xFEFF || cp == 0x180E || cp == 0x00AD ||
         cp == 0x200E || cp == 0x200F || cp == 0x061C || (cp >= 0x2061 && cp <= 0x2064);
}

bool is_bidi_control(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool is_control(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
}

struct Counts {
  std::size_t invalid = 0;
  std::size_t controls = 0;
  std::size_t line_breaks = 0;
  std::size_t invisible = 0;
  std::size_t bidi = 0;
  std::size_t hidden = 0;
};

// Code point pass: decoding, line breaks, controls and invisible characters.
std::string clean_code_points(std::string_view raw, FieldShape shape, Counts& counts) {
  std::string out;
  out.reserve(raw.size());
  char32_t previous = 0;
  bool in_flag_tags = false;
  for (std::size_t at = 0; at < raw.size();) {
    const auto decoded = utf8::decode(raw, at);
    at += decoded.length;
    if (!decoded.valid) {
      ++counts.invalid;
      utf8::append(out, utf8::kReplacement);
      previous = utf8::kReplacement;
      in_flag_tags = false;
      continue;
    }
    char32_t cp = decoded.code_point;
    if (cp == '\r') {
      if (at < raw.size() && raw[at] == '\n') continue;
      cp = '\n';
    }
    if (cp >= 0xE0000 && cp <= 0xE007F) {
      // Tag characters spell subdivision flags after U+1F3F4 (black flag); anywhere else they are
      // invisible text.
      if (previous == 0x1F3F4 || in_flag_tags) {
        in_flag_tags = cp != 0xE007F;
        utf8::append(out, cp);
      } else {
        ++counts.hidden;
      }
      previous = cp;
      continue;
    }
    in_flag_tags = false;
    if (is_line_break(cp)) {
      if (shape == FieldShape::kSingleLine) {
        ++counts.line_breaks;
        out.push_back(' ');
      } else {
        out.push_back('\n');
      }
    } else if (cp == '\t') {
      out.push_back(' ');
    } else if (is_control(cp)) {
      ++counts.controls;
      continue;
    } else if (cp == 0x200D) {
      const bool next_is_emoji = at < raw.size() && is_emoji_part(utf8::decode(raw, at).code_point);
      if (is_emoji_part(previous) && next_is_emoji) {
        utf8::append(out, cp);
      } else {
        ++counts.invisible;
        continue;
      }
    } else if (is_invisible(cp)) {
      ++counts.invisible;
      continue;
    } else if (is_bidi_control(cp)) {
      ++counts.bidi;
      continue;
    } else {
      utf8::append(out, cp);
    }
    previous = cp;
  }
  return out;
}

bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The end (one past '>') of an HTML/XML tag starting at text[at] == '<', or 0.
std::size_t html_tag_end(std::string_view text, std::size_t at) {
  if (at + 1 >= text.size()) return 0;
  const char next = text[at + 1];
  if (!is_ascii_letter(next) && next != '/' && next != '!' && next != '?') return 0;
  if (next == '/' && (at + 2 >= text.size() || !is_ascii_letter(text[at + 2]))) return 0;
  for (std::size_t i = at + 1; i < text.size() && i - at < kMaxTagBytes; ++i) {
    if (text[i] == '>') return i + 1;
    if (text[i] == '<' || text[i] == '\n') return 0;
  }
  return 0;
}

struct MarkdownLink {
  std::size_t end = 0;  // one past ')', 0 when none
  std::string_view label;
};

// A Markdown link or image target "[label](target)" starting at text[at] == '['.
MarkdownLink markdown_link(std::string_view text, std::size_t at) {
  // Searches are bounded so that hostile text ("[[[[...") stays linear.
  const std::string_view window = text.substr(at, kMaxTagBytes);
  const std::size_t close = window.find(']', 1);
  if (close == std::string_view::npos || close + 1 >= window.size() || window[close + 1] != '(') return {};
  const std::string_view label = window.substr(1, close - 1);
  if (label.find('\n') != std::string_view::npos || label.find('[') != std::string_view::npos) return {};
  const std::size_t paren = window.find(')', close + 2);
  if (paren == std::string_view::npos || paren == close + 2) return {};
  const std::string_view target = window.substr(close + 2, paren - close - 2);
  if (target.find('\n') != std::string_view::npos) return {};
  return {at + paren + 1, label};
}

// Markup pass.
std::string remove_markup(std::string_view text, std::vector<HygieneIssue>& issues) {
  std::string out;
  out.reserve(text.size());
  std::size_t found = 0;
  auto record = [&](std::string_view what, std::string_view matched) {
    if (found++ < kMaxMarkupFindings) {
      issues.push_back({"output.markup", Verdict::kNeedsReview, std::string(what), utf8::excerpt(matched)});
    }
  };
  for (std::size_t at = 0; at < text.size();) {
    const char c = text[at];
    if (c == '<') {
      if (const std::size_t end = html_tag_end(text, at); end != 0) {
        record("The text had an HTML tag; it was removed", text.substr(at, end - at));
        at = end;
        continue;
      }
    } else if (c == '!' && at + 1 < text.size() && text[at + 1] == '[') {
      if (const auto link = markdown_link(text, at + 1); link.end != 0) {
        record("The text had a Markdown image; it was removed", text.substr(at, link.end - at));
        at = link.end;
        continue;
      }
    } else if (c == '[') {
      if (const auto link = markdown_link(text, at); link.end != 0) {
        record("The text had a Markdown link; only its text was kept", text.substr(at, link.end - at));
        out += link.label;
        at = link.end;
        continue;
      }
    }
    out.push_back(c);
    ++at;
  }
  if (found > kMaxMarkupFindings) {
    issues.push_back({"output.markup", Verdict::kNeedsReview,
                      "The text had " + std::to_string(found) + " pieces of markup in all; all were removed",
                      ""});
  }
  return out;
}

std::string tidy_whitespace(std::string_view text, FieldShape shape) {
  std::string out;
  out.reserve(text.size());
  std::size_t newlines = 0;
  for (const char c : text) {
    if (c == '\n') {
      ++newlines;
      if (newlines > 2) continue;
      while (!out.empty() && out.back() == ' ') out.pop_back();
    } else {
      if (c == ' ' && shape == FieldShape::kSingleLine && !out.empty() && out.back() == ' ') continue;
      if (c != ' ') newlines = 0;
    }
    out.push_back(c);
  }
  const auto first = out.find_first_not_of(" \n");
  if (first == std::string::npos) return {};
  const auto last = out.find_last_not_of(" \n");
  return out.substr(first, last - first + 1);
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

CleanedText clean_output(std::string_view raw, FieldShape shape) {
  CleanedText result;
  Counts counts;
  const std::string decoded = clean_code_points(raw, shape, counts);
  if (counts.invalid > 0) {
    result.issues.push_back({"output.encoding", Verdict::kNeedsReview,
                             "The text was not valid UTF-8: " +
                                 plural(counts.invalid, "byte was", "bytes were") + " replaced with U+FFFD",
                             ""});
  }
  if (counts.controls > 0) {
    result.issues.push_back({"output.control", Verdict::kNeedsReview,
                             "The text had " +
                                 plural(counts.controls, "control character", "control characters") +
                                 " (such as NUL or ESC); they were removed",
                             ""});
  }
  if (counts.bidi > 0) {
    result.issues.push_back(
        {"output.bidi", Verdict::kNeedsReview,
         "The text had " +
             plural(counts.bidi, "bidirectional control character", "bidirectional control characters") +
             ", which can disguise text; they were removed",
         ""});
  }
  if (counts.hidden > 0) {
    result.issues.push_back({"output.hidden_text", Verdict::kNeedsReview,
                             "The text had " +
                                 plural(counts.hidden, "Unicode tag character", "Unicode tag characters") +
                                 ", which can hide instructions; they were removed",
                             ""});
  }
  if (counts.line_breaks > 0) {
    result.issues.push_back({"output.line_break", Verdict::kAllow,
                             "Line breaks in a one-line field were replaced with spaces", ""});
  }
  if (counts.invisible > 0) {
    result.issues.push_back(
        {"output.invisible", Verdict::kAllow,
         plural(counts.invisible, "invisible character was", "invisible characters were") +
             " removed (zero-width spaces, soft hyphens, direction marks)",
         ""});
  }
  result.text = tidy_whitespace(remove_markup(decoded, result.issues), shape);
  return result;
}

}  // namespace personae::safety

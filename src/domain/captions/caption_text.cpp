#include "domain/captions/caption_text.hpp"

#include <algorithm>
#include <array>

#include "safety/utf8.hpp"

namespace personae::captions {
namespace {

constexpr std::array<std::string_view, 12> kEnglishAbbreviations = {
    "mr", "mrs", "ms", "dr", "st", "vs", "jr", "sr", "prof", "e.g", "i.e", "approx"};
constexpr std::array<std::string_view, 10> kFrenchAbbreviations = {"m",   "mme", "mlle", "dr",   "st",
                                                                   "ste", "pr",  "cf",   "p.ex", "env"};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_terminator(char32_t cp) {
  return cp == '.' || cp == '!' || cp == '?' || cp == 0x2026 || cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F;
}

bool is_closer(char32_t cp) {
  return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == 0x201D || cp == 0x2019 || cp == 0xBB;
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string primary_language(std::string_view tag) {
  std::string primary(tag.substr(0, tag.find_first_of("-_")));
  std::transform(primary.begin(), primary.end(), primary.begin(), lower);
  return primary;
}

// Whether the '.' at `dot` follows an abbreviation or an initial.
bool after_abbreviation(std::string_view text, std::size_t dot, std::string_view language) {
  std::size_t start = dot;
  while (start > 0 && !is_space(text[start - 1]) && text[start - 1] != '(' && text[start - 1] != '"') --start;
  const std::string_view word = text.substr(start, dot - start);
  if (word.size() == 1 && word[0] >= 'A' && word[0] <= 'Z') return true;
  std::string lowered(word);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), lower);
  const std::string primary = primary_language(language);
  if (primary == "fr") {
    return std::find(kFrenchAbbreviations.begin(), kFrenchAbbreviations.end(), lowered) !=
           kFrenchAbbreviations.end();
  }
  return std::find(kEnglishAbbreviations.begin(), kEnglishAbbreviations.end(), lowered) !=
         kEnglishAbbreviations.end();
}

}  // namespace

std::string tidy_multiline(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t newlines = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') continue;
      c = '\n';
    }
    if (c == '\t' || c == '\v' || c == '\f') c = ' ';
    if (c == '\n') {
      while (!out.empty() && out.back() == ' ') out.pop_back();
      if (++newlines > 2) continue;
    } else if (c != ' ') {
      newlines = 0;
    }
    out.push_back(c);
  }
  const auto first = out.find_first_not_of(" \n");
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(" \n") - first + 1);
}

std::string tidy_single_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

SplitText split_first_sentence(std::string_view text, std::string_view language) {
  const std::string tidy = tidy_multiline(text);
  const std::string_view view = tidy;
  std::size_t end = view.size();
  for (std::size_t at = 0; at < view.size();) {
    if (view[at] == '\n') {
      end = at;
      break;
    }
    const auto decoded = safety::utf8::decode(view, at);
    if (!is_terminator(decoded.code_point)) {
      at += decoded.length;
      continue;
    }
    const std::size_t terminator = at;
    std::size_t after = at + decoded.length;
    while (after < view.size()) {
      const auto next = safety::utf8::decode(view, after);
      if (!is_terminator(next.code_point) && !is_closer(next.code_point)) break;
      after += next.length;
    }
    // CJK full stops need no space after them.
    const bool cjk = decoded.code_point >= 0x3000;
    const bool at_boundary = cjk || after == view.size() || is_space(view[after]);
    if (at_boundary && !(view[terminator] == '.' && after == terminator + 1 &&
                         after_abbreviation(view, terminator, language))) {
      end = after;
      break;
    }
    at = after;
  }
  SplitText split;
  split.first = tidy_single_line(view.substr(0, end));
  split.rest = tidy_multiline(view.substr(end));
  return split;
}

}  // namespace personae::captions

#include "safety/text_folding.hpp"

#include <algorithm>
#include <array>

#include "safety/utf8.hpp"

namespace personae::safety {
namespace {

constexpr std::size_t kMaxFoldedInput = std::size_t{64} * 1024 * 1024;

// Base letters of U+00C0..U+017F, one entry per code point ("" for the two symbols × and ÷,
// which fold to a space). Multi-letter entries are ligatures and Nordic letters.
constexpr std::array<std::string_view, 0x180 - 0xC0> kLatinBase = {
    // U+00C0
    "a",
    "a",
    "a",
    "a",
    "a",
    "a",
    "ae",
    "c",
    "e",
    "e",
    "e",
    "e",
    "i",
    "i",
    "i",
    "i",
    // U+00D0
    "d",
    "n",
    "o",
    "o",
    "o",
    "o",
    "o",
    "",
    "o",
    "u",
    "u",
    "u",
    "u",
    "y",
    "th",
    "ss",
    // U+00E0
    "a",
    "a",
    "a",
    "a",
    "a",
    "a",
    "ae",
    "c",
    "e",
    "e",
    "e",
    "e",
    "i",
    "i",
    "i",
    "i",
    // U+00F0
    "d",
    "n",
    "o",
    "o",
    "o",
    "o",
    "o",
    "",
    "o",
    "u",
    "u",
    "u",
    "u",
    "y",
    "th",
    "y",
    // U+0100
    "a",
    "a",
    "a",
    "a",
    "a",
    "a",
    "c",
    "c",
    "c",
    "c",
    "c",
    "c",
    "c",
    "c",
    "d",
    "d",
    // U+0110
    "d",
    "d",
    "e",
    "e",
    "e",
    "e",
    "e",
    "e",
    "e",
    "e",
    "e",
    "e",
    "g",
    "g",
    "g",
    "g",
    // U+0120
    "g",
    "g",
    "g",
    "g",
    "h",
    "h",
    "h",
    "h",
    "i",
    "i",
    "i",
    "i",
    "i",
    "i",
    "i",
    "i",
    // U+0130
    "i",
    "i",
    "ij",
    "ij",
    "j",
    "j",
    "k",
    "k",
    "k",
    "l",
    "l",
    "l",
    "l",
    "l",
    "l",
    "l",
    // U+0140
    "l",
    "l",
    "l",
    "n",
    "n",
    "n",
    "n",
    "n",
    "n",
    "n",
    "n",
    "n",
    "o",
    "o",
    "o",
    "o",
    // U+0150
    "o",
    "o",
    "oe",
    "oe",
    "r",
    "r",
    "r",
    "r",
    "r",
    "r",
    "s",
    "s",
    "s",
    "s",
    "s",
    "s",
    // U+0160
    "s",
    "s",
    "t",
    "t",
    "t",
    "t",
    "t",
    "t",
    "u",
    "u",
    "u",
    "u",
    "u",
    "u",
    "u",
    "u",
    // U+0170
    "u",
    "u",
    "u",
    "u",
    "w",
    "w",
    "y",
    "y",
    "y",
    "z",
    "z",
    "z",
    "z",
    "z",
    "z",
    "s",
};

bool is_dropped(char32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) ||  // combining diacritical marks
         (cp >= 0x200B && cp <= 0x200F) ||  // zero-width space, joiners, direction marks
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0x00AD || cp == 0xFEFF ||
         cp == 0x180E || cp == 0x061C || (cp >= 0xFE00 && cp <= 0xFE0F) ||
         (cp >= 0xE0000 && cp <= 0xE007F) ||  // tag characters
         (cp >= 0xE0100 && cp <= 0xE01EF);    // variation selectors supplement
}

bool is_apostrophe(char32_t cp) {
  return cp == 0x2018 || cp == 0x2019 || cp == 0x201B || cp == 0x02BC || cp == 0x2032 || cp == 0xFF07;
}

bool is_dash(char32_t cp) {
  return (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE63 || cp == 0xFF0D;
}

// Appends the folded form of one code point.
void fold_code_point(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    if (cp >= 'A' && cp <= 'Z') {
      out.push_back(static_cast<char>(cp - 'A' + 'a'));
    } else if (cp < 0x20 || cp == 0x7F) {
      out.push_back(' ');
    } else {
      out.push_back(static_cast<char>(cp));
    }
    return;
  }
  if (is_dropped(cp)) return;
  // Spaces of every kind, like every other non-letter, fall through to ' '.
  if (is_apostrophe(cp)) {
    out.push_back('\'');
  } else if (is_dash(cp)) {
    out.push_back('-');
  } else if (cp >= 0xFF01 && cp <= 0xFF5E) {
    fold_code_point(cp - 0xFEE0, out);
  } else if (cp >= 0xC0 && cp < 0x180) {
    const std::string_view base = kLatinBase[cp - 0xC0];
    out += base.empty() ? std::string_view(" ") : base;
  } else if (cp == 0x0218 || cp == 0x0219) {
    out.push_back('s');
  } else if (cp == 0x021A || cp == 0x021B) {
    out.push_back('t');
  } else if (is_letter(cp)) {
    utf8::append(out, cp);
  } else {
    out.push_back(' ');
  }
}

bool is_ascii_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_ascii_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ascii_letter(char c) {
  return is_ascii_lower(c) || is_ascii_upper(c);
}

// Whether a space belongs between `previous` and `current` inside a hashtag; `next` is the byte
// after `current` (or '\0').
bool splits(char previous, char current, char next) {
  if (is_ascii_lower(previous) && is_ascii_upper(current)) return true;
  if (is_ascii_upper(previous) && is_ascii_upper(current) && is_ascii_lower(next)) return true;
  if (is_ascii_letter(previous) && is_ascii_digit(current)) return true;
  return is_ascii_digit(previous) && is_ascii_letter(current);
}

}  // namespace

bool is_letter(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (cp < 0xC0) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
  if (cp <= 0x24F) return cp != 0xD7 && cp != 0xF7;
  if (cp <= 0x2AF) return true;                                       // IPA
  if (cp >= 0x370 && cp <= 0x3FF) return cp != 0x37E && cp != 0x387;  // Greek
  if (cp >= 0x400 && cp <= 0x52F) return cp < 0x482 || cp > 0x489;    // Cyrillic
  if (cp >= 0x531 && cp <= 0x587) return true;                        // Armenian
  if (cp >= 0x5D0 && cp <= 0x5F2) return true;                        // Hebrew letters
  if (cp >= 0x620 && cp <= 0x64A) return true;                        // Arabic letters
  if (cp >= 0x660 && cp <= 0x6FF) return cp != 0x6D4;                 // Arabic digits and letters
  if (cp >= 0x900 && cp <= 0xDFF) return cp != 0x964 && cp != 0x965;  // Indic scripts
  if (cp >= 0xE01 && cp <= 0xEFF) return true;                        // Thai, Lao
  if (cp >= 0x10A0 && cp <= 0x11FF) return true;                      // Georgian, Hangul Jamo
  if (cp >= 0x1E00 && cp <= 0x1FFF) return true;                      // Latin extended, Greek extended
  if (cp >= 0x2C00 && cp <= 0x2DFF) return true;
  if (cp >= 0x3041 && cp <= 0x30FF) return cp != 0x30FB;  // kana
  if (cp >= 0x3400 && cp <= 0x4DBF) return true;
  if (cp >= 0x4E00 && cp <= 0x9FFF) return true;  // CJK ideographs
  if (cp >= 0xA000 && cp <= 0xA4CF) return true;
  if (cp >= 0xAC00 && cp <= 0xD7A3) return true;  // Hangul syllables
  if (cp >= 0xF900 && cp <= 0xFAFF) return true;
  if (cp >= 0xFF21 && cp <= 0xFF3A) return true;  // fullwidth letters (folded before this is asked)
  if (cp >= 0xFF41 && cp <= 0xFF5A) return true;
  if (cp >= 0xFF66 && cp <= 0xFFDC) return true;
  return cp >= 0x20000 && cp <= 0x3134F;  // CJK extensions
}

FoldedText::FoldedText(std::string_view text) : original_(text.substr(0, kMaxFoldedInput)) {
  folded_.reserve(original_.size());
  origin_.reserve(original_.size() + 1);
  origin_end_.reserve(original_.size() + 1);
  for (std::size_t at = 0; at < original_.size();) {
    const auto decoded = utf8::decode(original_, at);
    const std::size_t before = folded_.size();
    fold_code_point(decoded.valid ? decoded.code_point : utf8::kReplacement, folded_);
    const auto start = static_cast<std::uint32_t>(at);
    const auto end = static_cast<std::uint32_t>(at + decoded.length);
    origin_.insert(origin_.end(), folded_.size() - before, start);
    origin_end_.insert(origin_end_.end(), folded_.size() - before, end);
    at += decoded.length;
  }
  for (std::size_t i = 0; i < folded_.size();) {
    if (!is_word_byte(folded_[i])) {
      ++i;
      continue;
    }
    const std::size_t begin = i;
    while (i < folded_.size() && is_word_byte(folded_[i])) ++i;
    words_.push_back({static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(i)});
  }
}

std::pair<std::size_t, std::size_t> FoldedText::original_range(std::size_t begin,
                                                               std::size_t end) const noexcept {
  if (begin >= end || begin >= folded_.size()) return {original_.size(), original_.size()};
  end = std::min(end, folded_.size());
  return {origin_[begin], origin_end_[end - 1]};
}

std::string fold(std::string_view text) {
  return std::string(FoldedText(text).folded());
}

std::string fold_words(std::string_view text) {
  const FoldedText folded(text);
  std::string key;
  for (std::size_t i = 0; i < folded.words().size(); ++i) {
    if (i > 0) key.push_back(' ');
    key += folded.word(i);
  }
  return key;
}

std::string split_hashtag_words(std::string_view text, bool whole_text_is_tag) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  bool in_tag = whole_text_is_tag;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_tag && i > 0 && is_word_byte(text[i - 1]) && is_word_byte(c) &&
        splits(text[i - 1], c, i + 1 < text.size() ? text[i + 1] : '\0')) {
      out.push_back(' ');
    }
    out.push_back(c);
    if (c == '#') {
      in_tag = true;
    } else if (!is_word_byte(c) && c != '_') {
      in_tag = whole_text_is_tag;
    }
  }
  return out;
}

}  // namespace personae::safety

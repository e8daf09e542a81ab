#include "safety/minor_signals.hpp"

#include <array>
#include <cctype>
#include <charconv>

namespace personae::safety {
namespace {

// Whole-word phrases (lowercase; UTF-8 for French). Multi-word phrases match with single spaces or
// hyphens between the words.
constexpr std::array<std::string_view, 38> kMinorTerms = {
    "underage",     "under-age",     "under age",
    "a minor",      "is a minor",    "minors",
    "schoolgirl",   "schoolgirls",   "school girl",
    "schoolboy",    "teen",          "teens",
    "teenager",     "teenage",       "preteen",
    "pre-teen",     "tween",         "loli",
    "lolita",       "shota",         "jailbait",
    "barely legal", "child",         "children",
    "little girl",  "middle school", "high school student",
    "junior high",  "mineure",       "mineur",
    "ado",          "ados",          "adolescente",
    "adolescent",   "écolière",      "collégienne",
    "lycéenne",     "fillette",
};

// Words that make a preceding number an age.
// (Not a bare "years": "modelling for 15 years" states no age.)
constexpr std::array<std::string_view, 9> kAgeWords = {"years old", "year old", "yrs old", "yr old", "yo",
                                                       "y/o",       "y.o",      "ans",     "yrs/o"};

// "10 ans d'expérience" is a duration, not an age.
bool is_french_duration(std::string_view text, std::size_t after_word) {
  std::size_t i = after_word;
  while (i < text.size() && text[i] == ' ') ++i;
  return text.substr(i, 2) == "d'" || text.substr(i, 3) == "de " || text.substr(i, 4) == "d\xe2\x80\x99";
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// A letter or digit, ASCII or any UTF-8 byte (so "é" counts as part of a word).
bool word_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return std::isalnum(byte) != 0 || byte >= 0x80;
}

std::string lowercase_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

// Whether `phrase` occurs at `at` in `text`, treating a space in the phrase as one or more spaces
// or hyphens in the text; returns the matched length (0 when it does not match).
std::size_t match_phrase(std::string_view text, std::size_t at, std::string_view phrase) {
  std::size_t i = at;
  for (const char expected : phrase) {
    if (expected == ' ') {
      if (i >= text.size() || (text[i] != ' ' && text[i] != '-')) return 0;
      while (i < text.size() && (text[i] == ' ' || text[i] == '-')) ++i;
      continue;
    }
    if (i >= text.size() || text[i] != expected) return 0;
    ++i;
  }
  return i - at;
}

bool at_word_start(std::string_view text, std::size_t at) {
  return at == 0 || !word_byte(text[at - 1]);
}

bool at_word_end(std::string_view text, std::size_t end) {
  return end >= text.size() || !word_byte(text[end]);
}

std::string excerpt(std::string_view original, std::size_t at, std::size_t length) {
  return std::string(original.substr(at, std::min<std::size_t>(length, 60)));
}

void find_terms(std::string_view original, std::string_view text, std::vector<MinorSignal>& out) {
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (!at_word_start(text, at)) continue;
    for (const std::string_view term : kMinorTerms) {
      const std::size_t length = match_phrase(text, at, term);
      if (length > 0 && at_word_end(text, at + length)) {
        out.push_back({excerpt(original, at, length), "a term for a minor or a school child"});
        at += length - 1;
        break;
      }
    }
  }
}

// "16 years old", "17yo", "15-year-old", "16 ans": a number under 18 followed by an age word.
void find_stated_ages(std::string_view original, std::string_view text, std::vector<MinorSignal>& out) {
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (!is_digit(text[at]) || !at_word_start(text, at)) continue;
    std::size_t end = at;
    while (end < text.size() && is_digit(text[end])) ++end;
    int age = 0;
    const auto parsed = std::from_chars(text.data() + at, text.data() + end, age);
    if (parsed.ec != std::errc() || end - at > 2) {
      at = end;
      continue;
    }
    std::size_t after = end;
    while (after < text.size() && (text[after] == ' ' || text[after] == '-')) ++after;
    for (const std::string_view word : kAgeWords) {
      const std::size_t length = match_phrase(text, after, word);
      if (length == 0 || !at_word_end(text, after + length)) continue;
      if (word == "ans" && is_french_duration(text, after + length)) break;
      if (age < 18 && age > 0) {
        out.push_back({excerpt(original, at, after + length - at), "states an age under 18"});
        break;
      }
    }
    at = end;
  }
  // "age: 16", "aged 17", "âge : 16"
  for (const std::string_view label :
       {std::string_view("age"), std::string_view("aged"), std::string_view("âge")}) {
    for (std::size_t at = text.find(label); at != std::string_view::npos; at = text.find(label, at + 1)) {
      if (!at_word_start(text, at) || !at_word_end(text, at + label.size())) continue;
      std::size_t i = at + label.size();
      while (i < text.size() && (text[i] == ' ' || text[i] == ':' || text[i] == '=')) ++i;
      std::size_t end = i;
      while (end < text.size() && is_digit(text[end])) ++end;
      if (end == i || end - i > 2 || !at_word_end(text, end)) continue;
      int age = 0;
      std::from_chars(text.data() + i, text.data() + end, age);
      if (age > 0 && age < 18) out.push_back({excerpt(original, at, end - at), "states an age under 18"});
    }
  }
}

}  // namespace

std::vector<MinorSignal> find_minor_signals(std::string_view text) {
  const std::string lowered = lowercase_ascii(text);
  std::vector<MinorSignal> signals;
  find_stated_ages(text, lowered, signals);
  find_terms(text, lowered, signals);
  return signals;
}

}  // namespace personae::safety

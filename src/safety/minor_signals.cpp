#include "safety/minor_signals.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <vector>

#include "safety/phrase_matcher.hpp"
#include "safety/text_folding.hpp"

namespace personae::safety {
namespace {

constexpr std::string_view kTermReason = "a term for a minor or a school child";
constexpr std::string_view kAgeReason = "states an age under 18";
constexpr std::size_t kMaxPhraseBytes = 60;
// Callers use the first signal, or each distinct phrase: a hostile text cannot make the list huge.
constexpr std::size_t kMaxTermMatches = 100;

// Whole-word phrases (English and French), matched by PhraseMatcher on folded text: case and
// accents do not matter, and a multi-word phrase also matches hyphenated, underscored or written
// together ("barely legal", "barely-legal", "#BarelyLegal", "#barelylegal"). So each is listed once.
constexpr auto kMinorTerms = std::to_array<std::string_view>({
    "under age",
    "a minor",
    "is a minor",
    "minors",
    "schoolgirl",
    "schoolgirls",
    "school girl",
    "schoolboy",
    "schoolboys",
    "teen",
    "teens",
    "teenager",
    "teenagers",
    "teenage",
    "pre-teen",
    "preteens",
    "tween",
    "tweens",
    "loli",
    "lolita",
    "lolicon",
    "shota",
    "shotacon",
    "jailbait",
    "barely legal",
    "child",
    "children",
    "little girl",
    "little girls",
    "middle school",
    "high school student",
    "junior high",
    "mineure",
    "mineures",
    "mineur",
    "ado",
    "ados",
    "adolescente",
    "adolescentes",
    "adolescent",
    "adolescents",
    "écolière",
    "écolières",
    "collégienne",
    "collégiennes",
    "lycéenne",
    "lycéennes",
    "fillette",
    "fillettes",
});

// Compound hashtags ("#schoolgirlfantasy", "#hotteen", "#teenslut", "#petiteado") hide a term
// inside one word, where whole-word matching cannot see it. Searching every hashtag for every
// term as a substring would flag "#canteen", "#adorable", "#steen", "#between", "#minority" and
// "#childfree", which would be absurd on every persona; so a hashtag's folded body counts when
//   - it starts or ends with a term of kMinAffixStem letters or more (written together):
//     "#schoolgirlfantasy", "#hotschoolgirl", "#barelylegalgirls", "#underagegirls". Shorter
//     terms ("teen", "ado", "loli", "child", "minor", "tween", "minors", "lolita") are too often
//     the start or end of innocent words ("canteen", "adorable", "childfree", "between",
//     "minority"). Terms with "minor" never count this way: "#AMinorKey" is music, not age;
//   - or it is a term of any length with only kTagWords (and numbers) around it: "#hotteen",
//     "#teenslut", "#petiteado", "#sexyteens18", "#childporn", "#lolistyle". The list holds the
//     words that surround such terms in adult hashtags; it deliberately leaves out "free", "can",
//     "be", "hood", "ity", ... so "#childfree", "#canteen", "#between", "#minority" pass.
//   - camel case and digits also mark words, as everywhere else: "#MySchoolgirlDiary" reads
//     "My Schoolgirl Diary", "#CanTeen" reads "Can Teen" (whoever writes that means the words).
// Accepted false positives, since the module errs towards flagging and a human can reword:
// "#teenagedream", "#schoolboyerror", "#middleschoolteacher", "#lolitafashion", "#childlife".
constexpr std::size_t kMinAffixStem = 7;
constexpr auto kTagWords = std::to_array<std::string_view>({
    "hot",     "sexy",  "cute",  "young", "petite", "tiny",    "little", "sweet",   "naughty",  "horny",
    "dirty",   "slut",  "sluts", "whore", "sex",    "porn",    "porno",  "xxx",     "nsfw",     "nude",
    "nudes",   "naked", "girl",  "girls", "boy",    "boys",    "babe",   "babes",   "model",    "models",
    "pussy",   "ass",   "tits",  "boobs", "booty",  "fantasy", "fetish", "kink",    "cam",      "cams",
    "pic",     "pics",  "pix",   "video", "videos", "vids",    "fuck",   "fucking", "onlyfans", "only",
    "love",    "lover", "life",  "style", "chaude", "chaudes", "jeune",  "jeunes",  "coquine",  "salope",
    "salopes", "nue",   "nues",  "fille", "filles", "sexe",    "baise",
});
// Hashtags longer than this (bytes, folded) only get the start/end test: the search with tag
// words costs a little per byte and per occurrence.
constexpr std::size_t kMaxCompoundTagBytes = 100;

struct Stem {
  std::string text;  // a term's folded words written together
  bool affix = false;
};

/// The built-in list, compiled once (thread-safe static initialisation) and then only read.
struct MinorMatcher {
  PhraseMatcher phrases{std::span<const std::string_view>(kMinorTerms)};
  std::vector<Stem> stems;
};

const MinorMatcher& minor_matcher() {
  static const MinorMatcher matcher = [] {
    MinorMatcher built;
    for (const std::string_view term : kMinorTerms) {
      const FoldedText folded(term);
      Stem stem;
      bool mentions_minor = false;
      for (std::size_t i = 0; i < folded.words().size(); ++i) {
        stem.text += folded.word(i);
        mentions_minor = mentions_minor || folded.word(i) == "minor";
      }
      stem.affix = stem.text.size() >= kMinAffixStem && !mentions_minor;
      const bool known = std::any_of(built.stems.begin(), built.stems.end(),
                                     [&](const Stem& other) { return other.text == stem.text; });
      if (!stem.text.empty() && !known) built.stems.push_back(std::move(stem));
    }
    return built;
  }();
  return matcher;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/// `text` cut to kMaxPhraseBytes without splitting a UTF-8 sequence.
std::string cut(std::string_view text) {
  if (text.size() <= kMaxPhraseBytes) return std::string(text);
  std::size_t end = kMaxPhraseBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

/// The original bytes behind folded bytes [begin, end).
std::string_view original_of(const FoldedText& folded, std::size_t begin, std::size_t end) {
  const auto [first, last] = folded.original_range(begin, end);
  return folded.original().substr(first, last - first);
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
  return at == 0 || !is_word_byte(text[at - 1]);
}

bool at_word_end(std::string_view text, std::size_t end) {
  return end >= text.size() || !is_word_byte(text[end]);
}

// Words that make a preceding number an age (folded text: "ans" is also "âns", "16\u00a0years").
// (Not a bare "years": "modelling for 15 years" states no age.)
constexpr std::array<std::string_view, 9> kAgeWords = {"years old", "year old", "yrs old", "yr old", "yo",
                                                       "y/o",       "y.o",      "ans",     "yrs/o"};

// "10 ans d'expérience" is a duration, not an age (folding made every apostrophe '\'').
bool is_french_duration(std::string_view text, std::size_t after_word) {
  std::size_t i = after_word;
  while (i < text.size() && text[i] == ' ') ++i;
  return text.substr(i, 2) == "d'" || text.substr(i, 3) == "de ";
}

// "16 years old", "17yo", "15-year-old", "16 ans", "age: 16", "aged 17", "âge : 15": a number
// under 18 with an age word or label.
void find_stated_ages(const FoldedText& folded, std::vector<MinorSignal>& out) {
  const std::string_view text = folded.folded();
  const auto add = [&](std::size_t begin, std::size_t end) {
    out.push_back({cut(original_of(folded, begin, end)), std::string(kAgeReason)});
  };
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
        add(at, after + length);
        break;
      }
    }
    at = end;
  }
  for (const std::string_view label : {std::string_view("age"), std::string_view("aged")}) {
    for (std::size_t at = text.find(label); at != std::string_view::npos; at = text.find(label, at + 1)) {
      if (!at_word_start(text, at) || !at_word_end(text, at + label.size())) continue;
      std::size_t i = at + label.size();
      while (i < text.size() && (text[i] == ' ' || text[i] == ':' || text[i] == '=')) ++i;
      std::size_t end = i;
      while (end < text.size() && is_digit(text[end])) ++end;
      if (end == i || end - i > 2 || !at_word_end(text, end)) continue;
      int age = 0;
      std::from_chars(text.data() + i, text.data() + end, age);
      if (age > 0 && age < 18) add(at, end);
    }
  }
}

/// Whether `text` is nothing but kTagWords and numbers, written together ("" included).
bool only_tag_words(std::string_view text) {
  std::array<bool, kMaxCompoundTagBytes + 1> reachable{};
  reachable[0] = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!reachable[i]) continue;
    for (std::size_t j = i; j < text.size() && is_digit(text[j]); ++j) reachable[j + 1] = true;
    for (const std::string_view word : kTagWords) {
      if (text.substr(i, word.size()) == word) reachable[i + word.size()] = true;
    }
  }
  return reachable[text.size()];
}

/// Whether a hashtag's body (`body`: folded; `tag`: as written, '#' included) is a compound
/// that contains a minor term, by the rules above kMinAffixStem.
bool compound_suggests_minor(std::string_view body, std::string_view tag, const MinorMatcher& matcher) {
  if (std::any_of(tag.begin(), tag.end(), [](char c) { return (c >= 'A' && c <= 'Z') || is_digit(c); })) {
    if (matcher.phrases.contains_any(FoldedText(split_hashtag_words(tag)))) return true;
  }
  for (const Stem& stem : matcher.stems) {
    if (stem.text.size() > body.size()) continue;
    if (stem.affix && (body.starts_with(stem.text) || body.ends_with(stem.text))) return true;
    if (body.size() > kMaxCompoundTagBytes) continue;
    for (std::size_t at = body.find(stem.text); at != std::string_view::npos;
         at = body.find(stem.text, at + 1)) {
      if (only_tag_words(body.substr(0, at)) && only_tag_words(body.substr(at + stem.text.size())))
        return true;
    }
  }
  return false;
}

void find_terms(const FoldedText& folded, std::vector<MinorSignal>& out) {
  const MinorMatcher& matcher = minor_matcher();
  const auto matches = matcher.phrases.find_all(folded, kMaxTermMatches);
  for (const auto& match : matches) {
    out.push_back(
        {cut(folded.original().substr(match.begin, match.end - match.begin)), std::string(kTermReason)});
  }
  // Hashtags the whole-word matches do not already cover (matches and words are in text order).
  const std::string_view text = folded.folded();
  std::size_t next_match = 0;
  std::size_t found = 0;
  for (std::size_t i = 0; i < folded.words().size() && found < kMaxTermMatches; ++i) {
    const auto& word = folded.words()[i];
    if (word.begin == 0 || text[word.begin - 1] != '#') continue;
    const auto [begin, end] = folded.original_range(word.begin - 1, word.end);
    while (next_match < matches.size() && matches[next_match].end <= begin) ++next_match;
    if (next_match < matches.size() && matches[next_match].begin < end) continue;
    const std::string_view tag = folded.original().substr(begin, end - begin);
    if (!compound_suggests_minor(folded.word(i), tag, matcher)) continue;
    out.push_back({cut(tag), std::string(kTermReason)});
    ++found;
  }
}

}  // namespace

std::vector<MinorSignal> find_minor_signals(std::string_view text) {
  const FoldedText folded(text);
  std::vector<MinorSignal> signals;
  find_stated_ages(folded, signals);
  find_terms(folded, signals);
  return signals;
}

}  // namespace personae::safety

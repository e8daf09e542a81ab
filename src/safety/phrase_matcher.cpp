#include "safety/phrase_matcher.hpp"

#include <algorithm>
#include <set>
#include <type_traits>

namespace personae::safety {
namespace {

bool is_gap_byte(char c, std::string_view extra) {
  return c == ' ' || c == '-' || c == '_' || c == '\'' || extra.find(c) != std::string_view::npos;
}

}  // namespace

PhraseMatcher::PhraseMatcher(std::span<const std::string> phrases) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < phrases.size(); ++i) add(phrases[i], i, seen);
  finish();
}

PhraseMatcher::PhraseMatcher(std::span<const std::string_view> phrases) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < phrases.size(); ++i) add(phrases[i], i, seen);
  finish();
}

void PhraseMatcher::add(std::string_view phrase, std::size_t input_index, std::set<std::string>& seen) {
  if (phrase.size() > kMaxPhraseBytes) return;
  const FoldedText folded(phrase);
  const auto count = folded.words().size();
  if (count == 0 || count > kMaxWords) return;
  Entry entry;
  entry.phrase = static_cast<std::uint32_t>(phrases_.size());
  for (std::size_t i = 0; i < count; ++i) {
    entry.words.emplace_back(folded.word(i));
    if (i + 1 < count) {
      for (std::size_t b = folded.words()[i].end; b < folded.words()[i + 1].begin; ++b) {
        const char c = folded.folded()[b];
        if (!is_gap_byte(c, {}) && entry.gap_punctuation.find(c) == std::string::npos)
          entry.gap_punctuation.push_back(c);
      }
    }
  }
  std::string key;
  for (const auto& word : entry.words) (key += word) += ' ';
  if (!seen.insert(std::move(key)).second) return;
  phrases_.emplace_back(phrase);
  input_indexes_.push_back(input_index);
  if (count > 1) {
    // The hashtag form: the words written together.
    Entry joined;
    joined.phrase = entry.phrase;
    std::string together;
    for (const auto& word : entry.words) together += word;
    joined.words.push_back(std::move(together));
    entries_.push_back(std::move(joined));
  }
  entries_.push_back(std::move(entry));
}

void PhraseMatcher::finish() {
  // Stable: among phrases of the same first word, the one listed first wins ties.
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const Entry& a, const Entry& b) { return a.words.front() < b.words.front(); });
}

std::size_t PhraseMatcher::match_at(const Entry& entry, const FoldedText& text, std::size_t at) {
  const auto& words = text.words();
  if (at + entry.words.size() > words.size()) return 0;
  for (std::size_t k = 0; k < entry.words.size(); ++k) {
    if (text.word(at + k) != entry.words[k]) return 0;
    if (k == 0) continue;
    for (std::size_t b = words[at + k - 1].end; b < words[at + k].begin; ++b) {
      if (!is_gap_byte(text.folded()[b], entry.gap_punctuation)) return 0;
    }
  }
  return entry.words.size();
}

std::vector<PhraseMatch> PhraseMatcher::find_all(const FoldedText& text, std::size_t max_matches) const {
  std::vector<PhraseMatch> matches;
  if (entries_.empty()) return matches;
  const auto& words = text.words();
  for (std::size_t at = 0; at < words.size() && matches.size() < max_matches;) {
    const std::string_view word = text.word(at);
    const auto [first, last] =
        std::equal_range(entries_.begin(), entries_.end(), word, [](const auto& a, const auto& b) {
          if constexpr (std::is_same_v<std::decay_t<decltype(a)>, Entry>) {
            return std::string_view(a.words.front()) < b;
          } else {
            return a < std::string_view(b.words.front());
          }
        });
    std::size_t best_length = 0;
    const Entry* best = nullptr;
    for (auto it = first; it != last; ++it) {
      const std::size_t length = match_at(*it, text, at);
      if (length > best_length || (length == best_length && best != nullptr && it->phrase < best->phrase)) {
        best_length = length;
        best = &*it;
      }
    }
    if (best == nullptr) {
      ++at;
      continue;
    }
    const auto [begin, end] = text.original_range(words[at].begin, words[at + best_length - 1].end);
    matches.push_back({best->phrase, begin, end});
    at += best_length;
  }
  return matches;
}

}  // namespace personae::safety

#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "safety/text_folding.hpp"

namespace personae::safety {

/// One occurrence of a phrase in a text.
struct PhraseMatch {
  std::uint32_t phrase = 0;  ///< index into PhraseMatcher::phrase()
  std::size_t begin = 0;     ///< original byte offsets of the matched words
  std::size_t end = 0;
};

/// Finds whole-word occurrences of a list of phrases (terms, names) in folded texts: case- and
/// accent-insensitive for Latin letters (see FoldedText), words matched whole ("grape" is not
/// "rape", "Essex" is not "sex"). Between the words of a phrase the text may have any run of
/// spaces, hyphens, underscores or apostrophes (and the punctuation the phrase itself has there),
/// or nothing at all: "hidden camera" also matches "hidden-camera", "hidden_camera" and the
/// hashtag form "HiddenCamera". Matches are leftmost-longest and do not overlap.
///
/// Built once (per tenant list, or once for a built-in list) and then only read: const member
/// functions are safe to call from any number of threads.
class PhraseMatcher {
 public:
  /// The most matches one find_all call returns unless told otherwise.
  static constexpr std::size_t kDefaultMaxMatches = 20;
  /// Phrases longer than this (in bytes) or with more words than kMaxWords are ignored.
  static constexpr std::size_t kMaxPhraseBytes = 200;
  static constexpr std::size_t kMaxWords = 12;

  PhraseMatcher() = default;
  /// Phrases that fold to no word, too long ones and duplicates (same folded words) are skipped.
  explicit PhraseMatcher(std::span<const std::string> phrases);
  explicit PhraseMatcher(std::span<const std::string_view> phrases);

  /// The number of phrases kept.
  std::size_t size() const noexcept { return phrases_.size(); }
  bool empty() const noexcept { return phrases_.empty(); }
  /// A kept phrase as it was given.
  const std::string& phrase(std::uint32_t index) const { return phrases_.at(index); }
  /// The index of the input phrase kept as `index` (input order, skipped ones counted).
  std::size_t input_index(std::uint32_t index) const { return input_indexes_.at(index); }

  /// Every match in `text`, in text order, at most `max_matches`.
  std::vector<PhraseMatch> find_all(const FoldedText& text,
                                    std::size_t max_matches = kDefaultMaxMatches) const;
  /// Whether any phrase occurs in `text`.
  bool contains_any(const FoldedText& text) const { return !find_all(text, 1).empty(); }

 private:
  struct Entry {
    std::vector<std::string> words;  // folded
    std::string gap_punctuation;     // punctuation the phrase has between its words
    std::uint32_t phrase = 0;
  };

  void add(std::string_view phrase, std::size_t input_index, std::set<std::string>& seen);
  void finish();
  // How many text words entry `e` matches at text word `at` (0: no match).
  static std::size_t match_at(const Entry& entry, const FoldedText& text, std::size_t at);

  std::vector<std::string> phrases_;
  std::vector<std::size_t> input_indexes_;
  std::vector<Entry> entries_;  // sorted by words[0]
};

}  // namespace personae::safety

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// The matching form of a text, shared by every term list (built-in and tenant) so that all of
/// them see words the same way. Pure, thread-safe.
namespace personae::safety {

/// Whether `c` is part of a word in a folded text: an ASCII letter or digit, or any byte of a
/// non-ASCII letter (folding turns every other non-ASCII character into a space).
constexpr bool is_word_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || (byte >= '0' && byte <= '9') ||
         byte >= 0x80;
}

/// Whether `code_point` is a letter of some script (an approximation by Unicode blocks, enough
/// to tell words from emoji, symbols and punctuation without ICU).
bool is_letter(char32_t cp);

/// A text in folded form with its words and a map back to the original bytes:
///   - ASCII letters lowercased; Latin letters with diacritics reduced to their base letters
///     (é→e, Ç→c, œ→oe, ß→ss, Ł→l, ...); combining marks dropped, so decomposed accents fold too;
///     fullwidth ASCII (Ａ) folded to ASCII;
///   - every kind of space, tab and line break → ' '; typographic apostrophes → '\''; dashes and
///     hyphens → '-'; other ASCII punctuation kept;
///   - zero-width characters, soft hyphens and variation selectors dropped (they hide words);
///   - letters of other scripts kept as they are; every other character (emoji, symbols,
///     non-ASCII punctuation, invalid bytes) → ' '.
/// A word is a maximal run of is_word_byte. The original text must outlive the FoldedText.
class FoldedText {
 public:
  struct Word {
    std::uint32_t begin = 0;  ///< folded offsets
    std::uint32_t end = 0;
  };

  /// `text` over 64 MiB is folded only up to that size (callers refuse such texts before).
  explicit FoldedText(std::string_view text);

  std::string_view original() const noexcept { return original_; }
  std::string_view folded() const noexcept { return folded_; }
  const std::vector<Word>& words() const noexcept { return words_; }
  std::string_view word(std::size_t index) const noexcept {
    return std::string_view(folded_).substr(words_[index].begin, words_[index].end - words_[index].begin);
  }
  /// The original bytes [first, second) that produced folded bytes [begin, end).
  std::pair<std::size_t, std::size_t> original_range(std::size_t begin, std::size_t end) const noexcept;

 private:
  std::string_view original_;
  std::string folded_;
  std::vector<std::uint32_t> origin_;      // per folded byte: where its code point starts in original_
  std::vector<std::uint32_t> origin_end_;  // per folded byte: where that code point ends
  std::vector<Word> words_;
};

/// The folded form of a short text (`FoldedText(text).folded()`).
std::string fold(std::string_view text);

/// The folded words of `text` joined by single spaces: "  Jane-DOE " → "jane doe". Two names,
/// terms or tags that differ only in case, accents, spacing or punctuation get the same key.
std::string fold_words(std::string_view text);

/// Splits compound hashtags into words, so that the term lists see "#HotTeen18" as "#Hot Teen 18":
/// inside every '#'-prefixed word (or the whole text when `whole_text_is_tag`), a space goes
/// between a lowercase and an uppercase ASCII letter, before the last capital of a run of
/// capitals followed by a lowercase letter, and between letters and digits. Other text is
/// copied unchanged.
std::string split_hashtag_words(std::string_view text, bool whole_text_is_tag = false);

}  // namespace personae::safety

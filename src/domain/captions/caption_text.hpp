#pragma once

#include <string>
#include <string_view>

namespace personae::captions {

/// Whitespace tidying for texts a model wrote (nothing else is changed: control characters,
/// markup and the like are left for the safety engine to clean and report). CR LF and CR become
/// LF, tabs a space, spaces before a line break go, more than one blank line becomes one, and
/// the ends are trimmed.
std::string tidy_multiline(std::string_view text);

/// The same for a one-line field: every run of whitespace (line breaks included) becomes one
/// space.
std::string tidy_single_line(std::string_view text);

/// A text split after its first sentence.
struct SplitText {
  std::string first;  ///< the first sentence with its end punctuation, or the first line
  std::string rest;   ///< what follows, tidied; empty when the text is one sentence
};

/// Splits `text` after its first sentence: the first '.', '!', '?', '…' (or their CJK forms),
/// with any further end punctuation and closing quotes or brackets, that is followed by
/// whitespace or the end; or the first line break, whichever comes first. A '.' after an
/// abbreviation of `language` ("Mr.", "e.g." in English; "M.", "Mme." in French: the only use of
/// the language) or after a single capital letter (an initial) does not end a sentence. French
/// spacing before "!" and "?" ("Coucou !") is handled whatever the language.
SplitText split_first_sentence(std::string_view text, std::string_view language);

}  // namespace personae::captions

#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "domain/personas/persona.hpp"
#include "safety/platform_rules.hpp"

namespace personae::safety {

/// What a shortened text ends with. The same in every language.
inline constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

/// The AI label for `platform`: the persona's own text (cleaned to one line), or the default of
/// default_disclosures() when the persona has none or only blanks. Never empty: AI disclosure
/// cannot be switched off.
std::string disclosure_for(const Persona& persona, Platform platform);

/// Whether `text` already carries `label` (ASCII case-insensitive, exact otherwise).
bool contains_label(std::string_view text, std::string_view label);

/// What goes between a text and its label: a blank line in a post text, a space in a title.
std::string_view label_separator(LabelField field);

/// The longest prefix of `text` that `fits`, with `ellipsis` appended when it was cut. Cuts are
/// made at word boundaries (spaces, line breaks; trailing ",;:" dropped); only when even the
/// first word does not fit is that word cut, on a code point boundary that does not split an
/// emoji sequence or a letter from its combining accent. `text` itself when it fits; "" when
/// only the empty text fits; nullopt when nothing does. `fits` must be monotone (a longer
/// candidate never fits when a shorter one does not).
std::optional<std::string> shorten_to_fit(std::string_view text,
                                          const std::function<bool(std::string_view candidate)>& fits,
                                          std::string_view ellipsis = kEllipsis);

/// A text with its label.
struct LabelledText {
  std::string text;
  bool appended = false;   ///< the label was not there (or had to be moved) and was appended
  bool shortened = false;  ///< the body was cut to make room
  bool fits = true;        ///< false only when the label alone exceeds `limit` (text is the label)
};

/// `body` with `label` at its end, within `limit` as `platform` measures it: unchanged when it
/// already carries the label and fits; otherwise the label is appended after
/// label_separator(field), the body shortened at a word boundary with "…" when needed. The label
/// is never dropped or cut, and appears once (an occurrence inside a body too long to keep whole
/// is removed before the label is appended at the end).
LabelledText attach_label(std::string_view body, std::string_view label, LabelField field, Platform platform,
                          std::size_t limit);

}  // namespace personae::safety

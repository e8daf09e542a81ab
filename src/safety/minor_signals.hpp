#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace personae::safety {

/// One place in a text that states or suggests that someone is under 18.
struct MinorSignal {
  std::string phrase;  ///< the words that matched, as written (at most 60 bytes)
  std::string reason;  ///< "states an age under 18", "a term for a minor"
};

/// The built-in minor detector (English and French). It cannot be switched off: a persona whose
/// texts carry a signal cannot be activated, and later every generated caption and message is
/// checked with it. It looks for
///   - ages under 18 stated with an age word: "16 years old", "17yo", "15-year-old", "age: 16",
///     "aged 17", "16 ans";
///   - terms for minors or school children: "underage", "minor" (as a noun: "a minor"),
///     "schoolgirl", "teen", "teenager", "preteen", "loli", "jailbait", "barely legal", "child",
///     "mineure", "ado", "collégienne", "lycéenne", ...
/// Matching is case-insensitive on ASCII letters and whole-word, so "kidding" or "Minority
/// Report" do not match. It errs towards flagging: a human can reword a false positive, while a
/// miss cannot be undone.
std::vector<MinorSignal> find_minor_signals(std::string_view text);

}  // namespace personae::safety

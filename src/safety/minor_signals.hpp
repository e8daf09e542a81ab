#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace personae::safety {

/// One place in a text that states or suggests that someone is under 18.
struct MinorSignal {
  /// The words that matched as written (a compound hashtag: the whole tag, '#' included); at most
  /// 60 bytes, cut on a UTF-8 boundary.
  std::string phrase;
  std::string reason;  ///< "states an age under 18" or "a term for a minor or a school child"
};

/// The built-in minor detector (English and French). It cannot be switched off: a persona whose
/// texts carry a signal cannot be activated, and later every generated caption and message is
/// checked with it. It looks for
///   - ages under 18 stated with an age word: "16 years old", "17yo", "15-year-old", "age: 16",
///     "aged 17", "16 ans";
///   - terms for minors or school children: "underage", "minor" (as a noun: "a minor"),
///     "schoolgirl", "teen", "teenager", "preteen", "loli", "jailbait", "barely legal", "child",
///     "mineure", "ado", "collégienne", "lycéenne", ... Matching is on folded text (see
///     FoldedText: case, accents and odd spaces do not matter, "LYCÉENNE" is "lycéenne") and
///     whole-word through PhraseMatcher, so "kidding", "Minority Report", "canteen" or "adorable"
///     do not match, while a multi-word term also matches hyphenated or written together
///     ("barely-legal", "#BarelyLegal", "#barelylegal");
///   - compound hashtags that hide a term inside one word: a hashtag whose body starts or ends
///     with a term of 7 letters or more ("#schoolgirlfantasy", "#hotschoolgirl"), or that is a
///     term of any length joined only with common hashtag words and numbers ("#hotteen",
///     "#teenslut", "#petiteado", "#teen18"). Shorter terms are not matched as a prefix or suffix
///     because innocent words start or end with them ("#canteen", "#adorable", "#childfree",
///     "#between", "#minority"); camel case marks words ("#MySchoolgirlDiary"). The rule and its
///     accepted false positives are spelt out in minor_signals.cpp.
/// It errs towards flagging: a human can reword a false positive, while a miss cannot be undone.
/// Pure and thread-safe (the term matcher is built once, on first use).
std::vector<MinorSignal> find_minor_signals(std::string_view text);

}  // namespace personae::safety

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "safety/decision.hpp"

namespace personae::safety {

/// Whether a field may hold line breaks (a caption) or is one line (a Reddit title, a hashtag).
enum class FieldShape { kMultiLine, kSingleLine };

/// What cleaning changed, as findings without a field (the caller names it).
struct HygieneIssue {
  std::string rule;
  Verdict verdict = Verdict::kAllow;
  std::string reason;
  std::string matched;  ///< an excerpt of what was removed, when that helps the reviewer
};

struct CleanedText {
  std::string text;  ///< valid UTF-8, safe to publish as plain text
  std::vector<HygieneIssue> issues;
};

/// Output hygiene for generated text (OWASP LLM05): the text a model wrote is cleaned into plain
/// text, and whatever suggests a broken or manipulated model is flagged for a human.
///
/// Cleaned silently (a kAllow issue records it for the audit log):
///   - "output.line_break": CR LF and lone CR become LF; in a one-line field every line break
///     (LF, CR, NEL, U+2028/9) becomes a space, so nothing can inject a second line;
///   - "output.invisible": zero-width spaces and non-joiners, word joiners, BOMs, soft hyphens
///     and direction marks (LRM, RLM, ALM) are removed (they hide words from the term lists);
///     a zero-width joiner is kept only between two emoji (family and profession emoji);
///   - tabs become spaces, surrounding whitespace is trimmed, more than one blank line is
///     reduced to one (one-line fields: runs of spaces to one).
/// Removed and flagged kNeedsReview:
///   - "output.encoding": invalid UTF-8 (each bad byte becomes U+FFFD);
///   - "output.control": NUL and other C0/C1 control characters and DEL (ANSI escapes, log and
///     terminal injection);
///   - "output.bidi": bidirectional embeddings, overrides and isolates (they disguise text);
///   - "output.hidden_text": Unicode tag characters outside a flag emoji (invisible ASCII
///     "smuggling");
///   - "output.markup": HTML/XML tags (`<script>`, `<img onerror=...>`, `<http://...>`) are
///     removed; a Markdown image `![alt](url)` is removed; a Markdown link `[text](url)` keeps its
///     text. Platforms show markup literally and the dashboard must never render it; "<3" and
///     "a < b" are not tags.
/// Pure, thread-safe; linear in the input.
CleanedText clean_output(std::string_view raw, FieldShape shape);

}  // namespace personae::safety

#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace personae::safety {

/// What the policy engine says about an artifact, in increasing strictness.
enum class Verdict {
  kAllow,        ///< may be stored as ready (and published under the persona's review mode)
  kNeedsReview,  ///< a human must approve it first
  kBlock,        ///< must not be published; the reasons say what to change
};
/// "allow", "needs_review", "block".
std::string_view to_string(Verdict verdict);

/// The stricter of two verdicts.
constexpr Verdict stricter(Verdict a, Verdict b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

/// One rule's observation. Findings with kAllow record what the engine did silently (a label
/// appended, invisible characters removed) so that the audit log shows it.
struct Finding {
  std::string rule;  ///< stable id: "minors.builtin", "terms.tenant", "disclosure.appended", ...
  Verdict verdict = Verdict::kAllow;
  std::string reason;   ///< one sentence for the user; quotes at most a short excerpt of the text
  std::string field;    ///< where: "text", "title", "call_to_action", "hashtags[2]", "rating", ...
  std::string matched;  ///< the excerpt that matched (printable, at most 40 code points), or empty

  bool operator==(const Finding&) const = default;
};

/// The engine's answer for one artifact.
struct Decision {
  Verdict verdict = Verdict::kAllow;  ///< the strictest verdict of all findings
  std::vector<Finding> findings;      ///< in the order the rules ran
  std::string text;                   ///< the text as it may be published (cleaned, AI label included)
  std::string title;                  ///< the title where the platform has one (Reddit), else empty
  bool shortened = false;             ///< the body was cut (at a word boundary, with "…") to fit
  bool mark_adult = false;            ///< the publisher must set the platform's adult flag (X, Reddit)

  /// Whether any finding of `rule` was recorded.
  bool has(std::string_view rule) const;
};

}  // namespace personae::safety

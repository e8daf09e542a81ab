#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "safety/decision.hpp"
#include "safety/text_folding.hpp"

namespace personae::safety {

/// The built-in lists besides minors (which are safety::find_minor_signals). They cannot be
/// switched off or edited by a tenant: they encode what the law and every platform forbid.
enum class BuiltinList {
  kNonConsent,  ///< rule "consent.builtin": rape, non-consent, hidden cameras, leaks, incapacity
  kIllegal,     ///< rule "illegal.builtin": bestiality, incest, necrophilia, snuff
};
/// "consent.builtin", "illegal.builtin".
std::string_view rule_id(BuiltinList list);

/// One entry of a built-in list.
struct BuiltinTerm {
  std::string_view phrase;  ///< as written (English or French); matched folded and whole-word
  BuiltinList list = BuiltinList::kNonConsent;
  Verdict verdict = Verdict::kBlock;  ///< kBlock when unambiguous, kNeedsReview when a word has innocent uses
  bool sexual_context_only = false;   ///< only counts when the content is sexual (see has_sexual_context)
  std::string_view why;               ///< the sentence the finding's reason uses
};

/// Every built-in entry, in the order documented in docs/safety.md.
std::span<const BuiltinTerm> builtin_terms();

/// One occurrence of a built-in entry.
struct BuiltinHit {
  const BuiltinTerm* term = nullptr;
  std::size_t begin = 0;  ///< original byte offsets
  std::size_t end = 0;
};

/// The built-in entries found in `text`, skipping context-only ones unless `sexual_context`.
/// At most `max_hits`. Thread-safe (the matcher is built once, on first use).
std::vector<BuiltinHit> find_builtin_terms(const FoldedText& text, bool sexual_context,
                                           std::size_t max_hits = 20);

/// Whether `text` uses a sexual word ("sex", "nude", "naked", "horny", "sexe", "nue", ...). The
/// caption engine also treats any rating above sfw as sexual context.
bool has_sexual_context(const FoldedText& text);

}  // namespace personae::safety

#include "safety/text_screen.hpp"

#include <algorithm>

#include "safety/builtin_terms.hpp"
#include "safety/minor_signals.hpp"
#include "safety/text_folding.hpp"
#include "safety/utf8.hpp"

namespace personae::safety {
namespace {

std::string quote(std::string_view text) {
  return "\"" + utf8::excerpt(text) + "\"";
}

std::string_view slice(std::string_view text, std::size_t begin, std::size_t end) {
  return text.substr(begin, end - begin);
}

bool is_tag_byte(char c) {
  return is_word_byte(c) || c == '_';
}

// Every "#tag" in a text, without its '#'.
std::vector<std::string_view> inline_hashtags(std::string_view text) {
  std::vector<std::string_view> tags;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (text[at] != '#' || (at > 0 && is_tag_byte(text[at - 1]))) continue;
    std::size_t end = at + 1;
    while (end < text.size() && is_tag_byte(text[end])) ++end;
    if (end > at + 1) tags.push_back(text.substr(at + 1, end - at - 1));
    at = end - 1;
  }
  return tags;
}

}  // namespace

bool has_valid_consent(const Persona& persona, std::int64_t now_unix_ms) {
  if (persona.kind != PersonaKind::kRealAdultWithConsent || !persona.consent) return false;
  const auto& consent = *persona.consent;
  if (consent.document_media_id.empty() || consent.subject_name.empty()) return false;
  return !consent.expires_at_unix_ms || *consent.expires_at_unix_ms > now_unix_ms;
}

TextScreen::TextScreen(const Persona& persona, const TenantSafetyLists& lists, bool sexual_context,
                       std::int64_t now_unix_ms)
    : lists_(lists),
      sexual_context_(sexual_context),
      persona_words_(std::span<const std::string>(persona.voice.banned_words)) {
  if (has_valid_consent(persona, now_unix_ms))
    consent_subject_key_ = fold_words(persona.consent->subject_name);
}

bool TextScreen::is_consent_subject(std::string_view name) const {
  return !consent_subject_key_.empty() && fold_words(name) == consent_subject_key_;
}

std::vector<Finding> TextScreen::screen(std::string_view field, std::string_view text,
                                        bool whole_text_is_tag) const {
  std::vector<Finding> findings;
  auto add = [&](std::string_view rule, Verdict verdict, std::string reason, std::string matched) {
    findings.push_back(
        {std::string(rule), verdict, std::move(reason), std::string(field), std::move(matched)});
  };
  const std::string expanded = split_hashtag_words(text, whole_text_is_tag);
  const FoldedText folded(expanded);

  // Minors: the detector folds case, accents and odd spaces itself. A bare tag (a hashtags field)
  // gets its '#' back, so that the detector's compound-hashtag rule ("schoolgirlfantasy") applies.
  const std::string minor_form =
      whole_text_is_tag && !expanded.starts_with('#') ? "#" + expanded : std::string();
  std::vector<std::string> seen_minor_phrases;
  for (const auto& signal :
       find_minor_signals(minor_form.empty() ? std::string_view(expanded) : minor_form)) {
    std::string key = fold_words(signal.phrase);
    if (std::find(seen_minor_phrases.begin(), seen_minor_phrases.end(), key) != seen_minor_phrases.end())
      continue;
    seen_minor_phrases.push_back(std::move(key));
    add("minors.builtin", Verdict::kBlock,
        "Suggests a minor: " + quote(signal.phrase) + " (" + signal.reason +
            "). Nothing may depict or suggest anyone under 18.",
        utf8::excerpt(signal.phrase));
  }

  for (const auto& hit : find_builtin_terms(folded, sexual_context_)) {
    const std::string_view matched = slice(expanded, hit.begin, hit.end);
    add(rule_id(hit.term->list), hit.term->verdict,
        (hit.term->verdict == Verdict::kBlock ? "Not allowed: " : "Needs a human: ") + quote(matched) +
            " suggests " + std::string(hit.term->why) + ".",
        utf8::excerpt(matched));
  }

  for (const auto& match : lists_.banned_terms().find_all(folded)) {
    const std::string_view matched = slice(expanded, match.begin, match.end);
    add("terms.tenant", Verdict::kBlock, "Uses " + quote(matched) + ", a term on the tenant's banned list.",
        utf8::excerpt(matched));
  }

  for (const auto& match : lists_.real_person_names().find_all(folded)) {
    if (is_consent_subject(lists_.real_person_names().phrase(match.phrase))) continue;
    const std::string_view matched = slice(expanded, match.begin, match.end);
    add("names.real_person", Verdict::kBlock,
        "Names " + quote(matched) +
            ", a real person on the tenant's list: personas may not depict or name real people without "
            "their recorded consent.",
        utf8::excerpt(matched));
  }

  for (const auto& match : persona_words_.find_all(folded)) {
    const std::string_view matched = slice(expanded, match.begin, match.end);
    add("terms.persona", Verdict::kNeedsReview,
        "Uses " + quote(matched) + ", which the persona's voice guide bans.", utf8::excerpt(matched));
  }

  const auto tags = whole_text_is_tag ? std::vector<std::string_view>{text} : inline_hashtags(text);
  for (const std::string_view tag : tags) {
    if (!lists_.is_banned_hashtag(tag)) continue;
    std::string shown = "#" + utf8::excerpt(tag.substr(tag.find_first_not_of('#') == std::string_view::npos
                                                           ? tag.size()
                                                           : tag.find_first_not_of('#')));
    add("hashtags.tenant", Verdict::kBlock, "The hashtag " + shown + " is on the tenant's banned list.",
        shown);
  }
  return findings;
}

}  // namespace personae::safety

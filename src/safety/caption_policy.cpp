#include "safety/caption_policy.hpp"

#include <algorithm>
#include <set>

#include "domain/personas/persona_rules.hpp"
#include "safety/builtin_terms.hpp"
#include "safety/disclosure.hpp"
#include "safety/output_hygiene.hpp"
#include "safety/platform_rules.hpp"
#include "safety/text_folding.hpp"
#include "safety/text_screen.hpp"
#include "safety/utf8.hpp"

namespace personae::safety {
namespace {

class Collector {
 public:
  explicit Collector(Decision& decision) : decision_(decision) {}

  void add(Finding finding) {
    decision_.verdict = stricter(decision_.verdict, finding.verdict);
    decision_.findings.push_back(std::move(finding));
  }
  void add(std::string rule, Verdict verdict, std::string reason, std::string field = {}) {
    add(Finding{std::move(rule), verdict, std::move(reason), std::move(field), {}});
  }
  // Term findings: the same rule and words are reported once, for the first field they are in.
  void add_once(Finding finding) {
    std::string key = finding.rule + '\x1f' + fold_words(finding.matched);
    if (!seen_.insert(std::move(key)).second) return;
    add(std::move(finding));
  }

 private:
  Decision& decision_;
  std::set<std::string> seen_;
};

std::string join_ratings(const std::vector<Rating>& ratings) {
  std::string out;
  for (const Rating rating : ratings) {
    if (!out.empty()) out += ", ";
    out += to_string(rating);
  }
  return out.empty() ? "none" : out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// Cuts a field to kMaxCheckedFieldBytes on a code point boundary; records the refusal.
std::string_view bounded(std::string_view text, std::string_view field, Collector& out) {
  if (text.size() <= kMaxCheckedFieldBytes) return text;
  std::size_t cut = kMaxCheckedFieldBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  out.add("output.length", Verdict::kBlock,
          "The text is too long to check (over " + std::to_string(kMaxCheckedFieldBytes / 1024) + " KiB).",
          std::string(field));
  return text.substr(0, cut);
}

void add_issues(const CleanedText& cleaned, const std::string& field, Collector& out) {
  for (const auto& issue : cleaned.issues)
    out.add(Finding{issue.rule, issue.verdict, issue.reason, field, issue.matched});
}

void check_persona(const Persona& persona, std::int64_t now, Collector& out) {
  if (persona.status != PersonaStatus::kActive) {
    out.add("persona.status", Verdict::kBlock,
            "The persona is " + std::string(to_string(persona.status)) + ": activate it before publishing.",
            "persona.status");
  }
  if (persona.kind == PersonaKind::kRealAdultWithConsent && !has_valid_consent(persona, now)) {
    out.add("persona.consent", Verdict::kBlock,
            "This persona depicts a real adult, and the consent record is missing, has no signed document or "
            "has expired: record a valid consent first.",
            "persona.consent");
  }
}

void check_boundaries(const Persona& persona, const CaptionCandidate& candidate, Collector& out) {
  const auto& rules = platform_rules(candidate.platform);
  const std::string where = platform_display_name(candidate.platform);
  if (!rules.allows_explicit && candidate.rating == Rating::kExplicit) {
    out.add("boundary.platform", Verdict::kBlock, where + " does not allow explicit content.", "rating");
  }
  const auto boundary =
      std::find_if(persona.boundaries.begin(), persona.boundaries.end(),
                   [&](const DestinationBoundary& b) { return b.platform == candidate.platform; });
  if (boundary == persona.boundaries.end()) {
    out.add("boundary.destination", Verdict::kBlock,
            "The persona has no boundary for " + where +
                ": add one (the ratings and categories it may publish there) in the persona's settings.",
            "platform");
    return;
  }
  bool reported = false;
  if (std::find(boundary->allowed_ratings.begin(), boundary->allowed_ratings.end(), candidate.rating) ==
      boundary->allowed_ratings.end()) {
    out.add("boundary.destination", Verdict::kBlock,
            std::string(to_string(candidate.rating)) + " content is not allowed on " + where +
                " for this persona (allowed: " + join_ratings(boundary->allowed_ratings) + ").",
            "rating");
    reported = true;
  }
  const std::string category = candidate.category.value_or("");
  if (!boundary->allowed_categories.empty() &&
      std::find(boundary->allowed_categories.begin(), boundary->allowed_categories.end(), category) ==
          boundary->allowed_categories.end()) {
    out.add("boundary.category", Verdict::kBlock,
            (candidate.category ? "The category \"" + utf8::excerpt(category) + "\" is"
                                : std::string("Content without a category is")) +
                " not allowed on " + where +
                " for this persona (allowed: " + join(boundary->allowed_categories) + ").",
            "category");
    reported = true;
  }
  if (!reported && !destination_allows(persona, candidate.platform, candidate.rating, category)) {
    out.add("boundary.destination", Verdict::kBlock,
            "The persona's boundaries do not allow this content on " + where + ".", "platform");
  }
}

void check_review(const Persona& persona, const CaptionCandidate& candidate, Collector& out) {
  if (persona.review_mode == ReviewMode::kReviewAll) {
    out.add("review.persona_mode", Verdict::kNeedsReview,
            "The persona's review mode is review_all: a human approves every caption.",
            "persona.review_mode");
  } else if (persona.review_mode == ReviewMode::kReviewExplicitOnly &&
             candidate.rating == Rating::kExplicit) {
    out.add("review.persona_mode", Verdict::kNeedsReview,
            "The persona's review mode is review_explicit_only and this content is explicit.",
            "persona.review_mode");
  }
  if (candidate.template_only_draft) {
    out.add("review.draft", Verdict::kNeedsReview,
            "A template-only draft (not written by the AI) is always reviewed before publishing.");
  }
}

void publish(const Persona& persona, const CaptionCandidate& candidate, const std::string& text,
             const std::string& title, Decision& decision, Collector& out) {
  const auto& rules = platform_rules(candidate.platform);
  const std::string where = platform_display_name(candidate.platform);
  const std::string label = disclosure_for(persona, candidate.platform);
  const bool in_title = rules.label_field == LabelField::kTitle && rules.max_title > 0;
  if (rules.max_title > 0 && title.empty()) {
    out.add("output.title", Verdict::kNeedsReview,
            where + " posts need a title; this one has only the AI label.", "title");
  }
  const LabelledText labelled = attach_label(in_title ? title : text, label, rules.label_field,
                                             candidate.platform, in_title ? rules.max_title : rules.max_text);
  const std::string field = in_title ? "title" : "text";
  if (!labelled.fits) {
    out.add("disclosure.too_long", Verdict::kBlock,
            "The persona's AI label for " + where + " is longer than " + where + " allows (" +
                std::to_string(in_title ? rules.max_title : rules.max_text) +
                " characters): shorten it in the persona's disclosures.",
            field);
  } else if (labelled.appended) {
    out.add("disclosure.appended", Verdict::kAllow,
            "The AI label \"" + utf8::excerpt(label) + "\" was appended" +
                (labelled.shortened ? "; the text was shortened to make room." : "."),
            field);
  }
  decision.shortened = labelled.shortened;
  if (in_title) {
    decision.title = labelled.text;
    decision.text = text;
    if (measure_text(candidate.platform, text) > rules.max_text) {
      const auto body = shorten_to_fit(text, [&](std::string_view candidate_text) {
        return measure_text(candidate.platform, candidate_text) <= rules.max_text;
      });
      decision.text = body.value_or("");
      decision.shortened = true;
      out.add("output.shortened", Verdict::kAllow,
              "The body was shortened to " + where + "'s " + std::to_string(rules.max_text) + " characters.",
              "text");
    }
  } else {
    decision.text = labelled.text;
  }
  if (rules.max_hashtags != kNoLimit && rules.max_hashtags > 0) {
    const std::size_t count = count_hashtags(decision.text);
    if (count > rules.max_hashtags) {
      out.add("output.hashtag_limit", Verdict::kBlock,
              where + " accepts at most " + std::to_string(rules.max_hashtags) + " hashtags; this text has " +
                  std::to_string(count) + ".",
              "text");
    }
  }
  decision.mark_adult = rules.has_adult_flag && candidate.rating != Rating::kSfw;
}

}  // namespace

Decision check_caption(const Persona& persona, const CaptionCandidate& candidate,
                       const TenantSafetyLists& lists) {
  Decision decision;
  Collector out(decision);
  check_persona(persona, candidate.now_unix_ms, out);

  // Hygiene, field by field, in the order findings are attributed.
  const CleanedText title = clean_output(bounded(candidate.title, "title", out), FieldShape::kSingleLine);
  const CleanedText cta =
      clean_output(bounded(candidate.call_to_action, "call_to_action", out), FieldShape::kSingleLine);
  if (candidate.hashtags.size() > kMaxCheckedHashtags) {
    out.add("output.length", Verdict::kBlock,
            "Too many hashtags to check (" + std::to_string(candidate.hashtags.size()) + ").", "hashtags");
  }
  const std::size_t tag_count = std::min(candidate.hashtags.size(), kMaxCheckedHashtags);
  std::vector<CleanedText> tags;
  tags.reserve(tag_count);
  for (std::size_t i = 0; i < tag_count; ++i) {
    tags.push_back(clean_output(bounded(candidate.hashtags[i], "hashtags", out), FieldShape::kSingleLine));
  }
  const CleanedText text = clean_output(bounded(candidate.text, "text", out), FieldShape::kMultiLine);

  std::vector<std::pair<std::string, const CleanedText*>> fields;
  fields.emplace_back("title", &title);
  fields.emplace_back("call_to_action", &cta);
  for (std::size_t i = 0; i < tags.size(); ++i)
    fields.emplace_back("hashtags[" + std::to_string(i) + "]", &tags[i]);
  fields.emplace_back("text", &text);
  for (const auto& [field, cleaned] : fields) add_issues(*cleaned, field, out);

  bool sexual = candidate.rating != Rating::kSfw;
  for (std::size_t i = 0; i < fields.size() && !sexual; ++i) {
    const bool is_tag = i >= 2 && i + 1 < fields.size();
    const std::string expanded = split_hashtag_words(fields[i].second->text, is_tag);
    sexual = has_sexual_context(FoldedText(expanded));
  }
  const TextScreen screen(persona, lists, sexual, candidate.now_unix_ms);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const bool is_tag = i >= 2 && i + 1 < fields.size();
    for (auto& finding : screen.screen(fields[i].first, fields[i].second->text, is_tag))
      out.add_once(std::move(finding));
  }

  check_boundaries(persona, candidate, out);
  check_review(persona, candidate, out);
  publish(persona, candidate, text.text, title.text, decision, out);
  return decision;
}

std::vector<Finding> screen_hashtag(std::string_view tag, const Persona& persona,
                                    const TenantSafetyLists& lists, Rating rating, std::int64_t now_unix_ms) {
  const CleanedText cleaned =
      clean_output(tag.substr(0, std::min(tag.size(), kMaxCheckedFieldBytes)), FieldShape::kSingleLine);
  const bool sexual =
      rating != Rating::kSfw || has_sexual_context(FoldedText(split_hashtag_words(cleaned.text, true)));
  return TextScreen(persona, lists, sexual, now_unix_ms).screen("hashtag", cleaned.text, true);
}

}  // namespace personae::safety

// libFuzzer target: the caption safety engine and the caption composer on hostile text.
// Input: byte 0 picks the platform, byte 1 the rating, byte 2 the review mode; the rest is split
// on 0x1E into text, title, call to action and hashtags.
// Invariants: nothing crashes; the verdict is the strictest finding's; what may be published is
// valid UTF-8 without control characters (line breaks only in the text), within the platform's
// limit and carrying the AI label; phrase matches are in bounds, ordered and disjoint; and what
// the composer writes, the engine accepts without appending a label (a differential property).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/text_encoding.hpp"
#include "domain/captions/caption_composer.hpp"
#include "domain/personas/persona_rules.hpp"
#include "safety/caption_policy.hpp"
#include "safety/disclosure.hpp"
#include "safety/phrase_matcher.hpp"
#include "safety/platform_rules.hpp"

namespace {

using personae::Platform;
using personae::Rating;
namespace safety = personae::safety;

[[noreturn]] void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "safety_fuzz: %s %.*s\n", what,
               static_cast<int>(std::min<std::size_t>(detail.size(), 300)), detail.data());
  std::abort();
}

personae::Persona make_persona(std::uint8_t mode) {
  personae::Persona persona;
  persona.display_name = "Luna";
  persona.status = personae::PersonaStatus::kActive;
  persona.review_mode = static_cast<personae::ReviewMode>(mode % 3);
  persona.voice.hashtags = {"LunaVale", "golden_hour"};
  persona.voice.banned_words = {"moist"};
  for (const Platform platform : personae::kAllPlatforms) {
    persona.boundaries.push_back({platform, {Rating::kSfw, Rating::kSuggestive, Rating::kExplicit}, {}});
  }
  personae::fill_default_disclosures(persona);
  return persona;
}

const safety::TenantSafetyLists& tenant_lists() {
  static const std::vector<std::string> terms = {"cheap",
                                                 "cr\xC3\xA8me br\xC3\xBBl\xC3\xA9"
                                                 "e",
                                                 "a b c"};
  static const std::vector<std::string> names = {"Taylor Swift", "Jane Doe"};
  static const std::vector<std::string> tags = {"#freebie", "leaked_content"};
  static const safety::TenantSafetyLists lists(terms, names, tags);
  return lists;
}

bool printable(std::string_view text, bool allow_newline) {
  if (!personae::utf8_code_points(text)) return false;
  return std::all_of(text.begin(), text.end(), [&](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte >= 0x20 || (allow_newline && c == '\n')) && byte != 0x7F;
  });
}

void check_decision(const safety::Decision& decision, const personae::Persona& persona, Platform platform) {
  safety::Verdict strictest = safety::Verdict::kAllow;
  for (const auto& finding : decision.findings) {
    strictest = safety::stricter(strictest, finding.verdict);
    if (finding.rule.empty() || finding.reason.empty()) fail("a finding without rule or reason");
    if (!printable(finding.matched, false) || finding.matched.size() > 200)
      fail("bad excerpt:", finding.matched);
    if (!personae::utf8_code_points(finding.reason)) fail("reason is not UTF-8:", finding.reason);
  }
  if (strictest != decision.verdict) fail("the verdict is not the strictest finding's");
  if (!printable(decision.text, true)) fail("text not printable:", decision.text);
  if (!printable(decision.title, false)) fail("title not printable:", decision.title);
  if (decision.has("disclosure.too_long")) return;
  const auto& rules = safety::platform_rules(platform);
  const bool in_title = rules.label_field == safety::LabelField::kTitle;
  const std::string& labelled = in_title ? decision.title : decision.text;
  if (!safety::contains_label(labelled, safety::disclosure_for(persona, platform)))
    fail("label missing:", labelled);
  if (safety::measure_text(platform, decision.text) > rules.max_text) fail("text over the limit");
  if (in_title && safety::measure_text(platform, decision.title) > rules.max_title)
    fail("title over the limit");
}

void check_matcher(std::string_view text) {
  static const std::vector<std::string> phrases = {"hidden camera", "a", "a b", "\xC3\xA9t\xC3\xA9", "x-y z"};
  static const safety::PhraseMatcher matcher(phrases);
  const safety::FoldedText folded(text);
  std::size_t previous_end = 0;
  for (const auto& match : matcher.find_all(folded, 1'000)) {
    if (match.begin >= match.end || match.end > text.size() || match.begin < previous_end) fail("bad match");
    if (match.phrase >= matcher.size()) fail("bad phrase index");
    previous_end = match.end;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const auto platform = personae::kAllPlatforms[data[0] % personae::kAllPlatforms.size()];
  const auto rating = static_cast<Rating>(data[1] % 3);
  const personae::Persona persona = make_persona(data[2]);
  const std::string_view input(reinterpret_cast<const char*>(data) + 3, size - 3);

  std::vector<std::string> fields;
  for (std::size_t start = 0;;) {
    const std::size_t end = input.find('\x1e', start);
    fields.emplace_back(
        input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  fields.resize(std::max<std::size_t>(fields.size(), 3));
  check_matcher(fields[0]);

  safety::CaptionCandidate candidate;
  candidate.platform = platform;
  candidate.rating = rating;
  candidate.text = fields[0];
  candidate.title = fields[1];
  candidate.call_to_action = fields[2];
  candidate.hashtags.assign(fields.begin() + 3, fields.end());
  check_decision(safety::check_caption(persona, candidate, tenant_lists()), persona, platform);

  personae::captions::CaptionRequest request;
  request.platform = platform;
  request.rating = rating;
  request.language = (data[2] & 0x10U) != 0 ? "fr" : "en";
  if ((data[2] & 0x20U) == 0) {
    request.model = personae::captions::ModelCaption{fields[0], fields[2], candidate.hashtags, fields[1]};
  } else {
    request.description = fields[0];
  }
  const auto composed = personae::captions::compose_caption(persona, request, tenant_lists());
  if (!composed) fail("the default templates failed:", composed.error().message);
  const auto decision =
      safety::check_caption(persona, personae::captions::to_candidate(*composed, request), tenant_lists());
  check_decision(decision, persona, platform);
  if (decision.has("disclosure.appended")) fail("the engine had to append the label to:", composed->text);
  return 0;
}

#include "safety/disclosure.hpp"

#include <algorithm>
#include <vector>

#include "domain/personas/persona_rules.hpp"
#include "safety/output_hygiene.hpp"
#include "safety/utf8.hpp"

namespace personae::safety {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

// Characters a prefix should not end with once cut.
bool is_trailing_junk(char c) {
  return c == ' ' || c == '\n' || c == ',' || c == ';' || c == ':' || c == '-';
}

std::string_view trim_cut(std::string_view prefix) {
  while (!prefix.empty() && is_trailing_junk(prefix.back())) prefix.remove_suffix(1);
  return prefix;
}

// Code points that must stay with the one before them.
bool joins_previous(char32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) || cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F) ||
         (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0000 && cp <= 0xE007F) || cp == 0x20E3;
}

// Largest index in [0, count) for which `ok(i)` holds, with ok monotone (true then false).
template <class Ok>
std::optional<std::size_t> last_true(std::size_t count, Ok ok) {
  std::size_t low = 0;
  std::size_t high = count;  // answer in [low, high)
  if (count == 0 || !ok(0)) return std::nullopt;
  while (high - low > 1) {
    const std::size_t mid = low + (high - low) / 2;
    if (ok(mid)) {
      low = mid;
    } else {
      high = mid;
    }
  }
  return low;
}

}  // namespace

std::string disclosure_for(const Persona& persona, Platform platform) {
  if (const auto found = persona.disclosures.find(platform); found != persona.disclosures.end()) {
    std::string label = clean_output(found->second, FieldShape::kSingleLine).text;
    if (!label.empty()) return label;
  }
  return default_disclosures().at(platform);
}

bool contains_label(std::string_view text, std::string_view label) {
  if (label.empty()) return true;
  return lowercase(text).find(lowercase(label)) != std::string::npos;
}

std::string_view label_separator(LabelField field) {
  return field == LabelField::kTitle ? " " : "\n\n";
}

std::optional<std::string> shorten_to_fit(std::string_view text,
                                          const std::function<bool(std::string_view candidate)>& fits,
                                          std::string_view ellipsis) {
  if (fits(text)) return std::string(text);
  std::string candidate;
  auto with_ellipsis = [&](std::string_view prefix) -> std::string_view {
    candidate.assign(prefix);
    candidate += ellipsis;
    return candidate;
  };

  std::vector<std::size_t> cuts;  // word boundaries, as prefix lengths
  for (std::size_t at = 1; at < text.size(); ++at) {
    if ((text[at] == ' ' || text[at] == '\n') && text[at - 1] != ' ' && text[at - 1] != '\n' &&
        !trim_cut(text.substr(0, at)).empty())
      cuts.push_back(at);
  }
  if (const auto best = last_true(cuts.size(), [&](std::size_t i) {
        return fits(with_ellipsis(trim_cut(text.substr(0, cuts[i]))));
      })) {
    return std::string(with_ellipsis(trim_cut(text.substr(0, cuts[*best]))));
  }

  // The first word alone is too long: cut inside it.
  const std::size_t first_word_end = cuts.empty() ? text.size() : cuts.front();
  std::vector<std::size_t> points;
  for (std::size_t at = 0; at < first_word_end;) {
    const auto decoded = utf8::decode(text, at);
    at += decoded.length;
    if (at < first_word_end) {
      const auto next = utf8::decode(text, at);
      if (joins_previous(next.code_point) || decoded.code_point == 0x200D) continue;
    }
    points.push_back(at);
  }
  if (const auto best = last_true(
          points.size(), [&](std::size_t i) { return fits(with_ellipsis(text.substr(0, points[i]))); })) {
    return std::string(with_ellipsis(text.substr(0, points[*best])));
  }
  if (fits("")) return std::string();
  return std::nullopt;
}

LabelledText attach_label(std::string_view body, std::string_view label, LabelField field, Platform platform,
                          std::size_t limit) {
  auto within = [&](std::string_view text) { return measure_text(platform, text) <= limit; };
  const bool present = contains_label(body, label);
  if (present && within(body)) return {std::string(body), false, false, true};

  std::string rest(body);
  if (present) {
    // Too long with the label inside: take it out, then append it once at the end.
    const std::string lowered_label = lowercase(label);
    std::string lowered = lowercase(rest);
    for (auto at = lowered.find(lowered_label); at != std::string::npos; at = lowered.find(lowered_label)) {
      rest.erase(at, label.size());
      lowered.erase(at, label.size());
    }
    rest = clean_output(rest, field == LabelField::kTitle ? FieldShape::kSingleLine : FieldShape::kMultiLine)
               .text;
  }
  const std::string_view separator = label_separator(field);
  std::string composed;
  auto compose = [&](std::string_view text) -> std::string_view {
    composed.assign(text);
    if (!composed.empty()) composed += separator;
    composed += label;
    return composed;
  };
  if (within(compose(rest))) return {composed, true, false, true};
  const auto shortened =
      shorten_to_fit(rest, [&](std::string_view candidate) { return within(compose(candidate)); });
  if (!shortened) return {std::string(label), true, true, false};
  return {std::string(compose(*shortened)), true, true, true};
}

}  // namespace personae::safety

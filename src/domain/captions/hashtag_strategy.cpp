#include "domain/captions/hashtag_strategy.hpp"

#include <algorithm>
#include <array>

#include "safety/tenant_safety_lists.hpp"
#include "safety/text_folding.hpp"
#include "safety/utf8.hpp"

namespace personae::captions {
namespace {

bool is_joiner(char32_t cp) {
  return cp == ' ' || cp == '-' || cp == '.' || cp == '\'' || cp == 0x2019 || cp == 0x00A0 || cp == '\t';
}

bool is_combining_mark(char32_t cp) {
  return cp >= 0x0300 && cp <= 0x036F;
}

bool is_ascii_digit(char32_t cp) {
  return cp >= '0' && cp <= '9';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' ||
                           text.front() == '\r' || text.front() == '#'))
    text.remove_prefix(1);
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

}  // namespace

std::string_view to_string(HashtagSource source) {
  switch (source) {
    case HashtagSource::kPersona: return "persona";
    case HashtagSource::kModel: return "model";
    case HashtagSource::kTenant: return "tenant";
  }
  return "tenant";
}

tl::expected<std::string, std::string> normalize_hashtag(std::string_view raw) {
  const std::string_view text = trim(raw);
  if (text.empty()) return tl::unexpected<std::string>("is empty");
  std::string tag;
  bool has_letter = false;
  std::size_t characters = 0;
  for (std::size_t at = 0; at < text.size();) {
    const auto decoded = safety::utf8::decode(text, at);
    at += decoded.length;
    const char32_t cp = decoded.code_point;
    if (!decoded.valid) return tl::unexpected<std::string>("is not valid UTF-8");
    if (is_joiner(cp)) continue;
    const bool letter = safety::is_letter(cp);
    if (!letter && !is_ascii_digit(cp) && cp != '_' && !(is_combining_mark(cp) && !tag.empty()))
      return tl::unexpected<std::string>("has characters other than letters, digits and '_'");
    has_letter = has_letter || letter;
    safety::utf8::append(tag, cp);
    if (!is_combining_mark(cp) && ++characters > kMaxHashtagCharacters)
      return tl::unexpected<std::string>("is longer than " + std::to_string(kMaxHashtagCharacters) +
                                         " characters");
  }
  if (!has_letter) return tl::unexpected<std::string>("must contain a letter");
  return tag;
}

HashtagSelection select_hashtags(std::span<const std::string> persona, std::span<const std::string> model,
                                 std::span<const std::string> tenant, const HashtagScreen& screen,
                                 std::size_t max_count, std::string_view cap_reason) {
  HashtagSelection selection;
  std::vector<std::pair<std::string, std::string>> seen;  // key, first spelling
  const std::array<std::pair<std::span<const std::string>, HashtagSource>, 3> sources = {
      {{persona, HashtagSource::kPersona}, {model, HashtagSource::kModel}, {tenant, HashtagSource::kTenant}}};
  for (const auto& entry : sources) {
    const std::span<const std::string> tags = entry.first;
    const HashtagSource source = entry.second;
    for (std::size_t i = 0; i < tags.size() && i < kMaxHashtagsPerSource; ++i) {
      const std::string& raw = tags[i];
      auto drop = [&](std::string reason) {
        const std::string_view shown = trim(raw);
        selection.dropped.push_back(
            {safety::utf8::excerpt(shown, kMaxHashtagCharacters), source, std::move(reason)});
      };
      const auto tag = normalize_hashtag(raw);
      if (!tag) {
        drop("not a valid hashtag: " + tag.error());
        continue;
      }
      const std::string key = safety::hashtag_key(*tag);
      const auto duplicate =
          std::find_if(seen.begin(), seen.end(), [&](const auto& entry) { return entry.first == key; });
      if (duplicate != seen.end()) {
        drop("duplicate of #" + duplicate->second);
        continue;
      }
      seen.emplace_back(key, *tag);
      if (auto refusal = screen ? screen(*tag) : std::nullopt) {
        drop(std::move(*refusal));
        continue;
      }
      if (selection.kept.size() >= max_count) {
        drop(std::string(cap_reason));
        continue;
      }
      selection.kept.push_back({*tag, source});
    }
  }
  return selection;
}

std::string join_hashtags(std::span<const Hashtag> tags) {
  std::string out;
  for (const auto& tag : tags) {
    if (!out.empty()) out.push_back(' ');
    out += '#';
    out += tag.tag;
  }
  return out;
}

}  // namespace personae::captions

#include "safety/platform_rules.hpp"

#include <algorithm>
#include <array>

#include "safety/text_folding.hpp"
#include "safety/utf8.hpp"

namespace personae::safety {
namespace {

constexpr std::array kRules = {
    PlatformRules{Platform::kX, 280, 0, kNoLimit, LabelField::kText, true, true},
    PlatformRules{Platform::kInstagram, 2'200, 0, 30, LabelField::kText, false, false},
    PlatformRules{Platform::kReddit, 40'000, 300, 0, LabelField::kTitle, true, true},
    PlatformRules{Platform::kFanvue, 5'000, 0, 10, LabelField::kText, true, false},
    PlatformRules{Platform::kOnlyFans, 1'000, 0, 10, LabelField::kText, true, false},
};

constexpr std::size_t kXUrlLength = 23;

// twitter-text v3: these ranges weigh 100 (one character), everything else 200.
bool x_light(char32_t cp) {
  return cp <= 0x10FF || (cp >= 0x2000 && cp <= 0x200D) || (cp >= 0x2010 && cp <= 0x201F) ||
         (cp >= 0x2032 && cp <= 0x2037);
}

bool starts_url(std::string_view text, std::size_t at) {
  auto lower_starts = [&](std::string_view prefix) {
    if (text.size() - at < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      char c = text[at + i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  return lower_starts("http://") || lower_starts("https://");
}

bool is_space_byte(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

}  // namespace

std::string platform_display_name(Platform platform) {
  switch (platform) {
    case Platform::kX: return "X";
    case Platform::kInstagram: return "Instagram";
    case Platform::kReddit: return "Reddit";
    case Platform::kFanvue: return "Fanvue";
    case Platform::kOnlyFans: return "OnlyFans";
  }
  return std::string(to_string(platform));
}

const PlatformRules& platform_rules(Platform platform) {
  for (const auto& rules : kRules) {
    if (rules.platform == platform) return rules;
  }
  return kRules.front();
}

std::size_t x_weighted_length(std::string_view text) {
  std::size_t weight = 0;
  for (std::size_t at = 0; at < text.size();) {
    const bool token_start = at == 0 || is_space_byte(text[at - 1]);
    if (token_start && starts_url(text, at)) {
      std::size_t end = at;
      std::size_t url_weight = 0;
      while (end < text.size() && !is_space_byte(text[end])) {
        const auto decoded = utf8::decode(text, end);
        url_weight += decoded.valid && x_light(decoded.code_point) ? 1 : 2;
        end += decoded.length;
      }
      weight += std::max(url_weight, kXUrlLength);
      at = end;
      continue;
    }
    const auto decoded = utf8::decode(text, at);
    weight += decoded.valid && x_light(decoded.code_point) ? 1 : 2;
    at += decoded.length;
  }
  return weight;
}

std::size_t measure_text(Platform platform, std::string_view text) {
  return platform == Platform::kX ? x_weighted_length(text) : utf8::count(text);
}

std::size_t count_hashtags(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t at = 0; at + 1 < text.size(); ++at) {
    if (text[at] != '#' ||
        (at > 0 && (is_word_byte(text[at - 1]) || text[at - 1] == '_' || text[at - 1] == '&')))
      continue;
    const char next = text[at + 1];
    if (is_word_byte(next) || next == '_') ++count;
  }
  return count;
}

}  // namespace personae::safety

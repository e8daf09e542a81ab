#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

#include "domain/personas/persona.hpp"

namespace personae::safety {

/// Which published field carries the AI label.
enum class LabelField { kText, kTitle };

/// What each destination accepts for a post's text, as data (see docs/safety.md for sources).
/// Lengths are in the platform's own unit as measure_text() counts it.
struct PlatformRules {
  Platform platform = Platform::kX;
  std::size_t max_text = 0;      ///< the post text (Reddit: the self-text body)
  std::size_t max_title = 0;     ///< 0: the platform has no title
  std::size_t max_hashtags = 0;  ///< in the text; kNoLimit where only the length limits them
  LabelField label_field = LabelField::kText;
  bool allows_explicit = true;  ///< false: explicit content is refused whatever the persona allows
  bool has_adult_flag = false;  ///< the post has an adult flag the publisher sets (X, Reddit)
};
inline constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

/// The rules of `platform`:
///   - X: 280, weighted as X counts (measure_text); hashtags as many as fit; sensitive-media flag;
///   - Instagram: 2,200 code points, 30 hashtags; no explicit content (Meta's nudity rules);
///   - Reddit: title 300 code points (the AI label goes there: image posts have no body), self-text
///     40,000; no hashtags; NSFW flag;
///   - Fanvue: 5,000 code points (our limit: the API documents none), 10 hashtags;
///   - OnlyFans (export drafts for a human): 1,000 code points (our limit), 10 hashtags.
const PlatformRules& platform_rules(Platform platform);

/// The platform's name as it writes it ("X", "Instagram", "OnlyFans"), for messages people read.
std::string platform_display_name(Platform platform);

/// The length of `text` as `platform` counts it, never less than its code points:
///   - X: twitter-text's weighting: code points in U+0000-U+10FF and a few punctuation ranges
///     count 1, every other code point 2 (so an emoji counts 2, CJK 2), and a token starting with
///     "http://" or "https://" counts 23 or its own length if longer (X counts every link as 23).
///     Simplifications, all on the safe side except the last: emoji sequences count 2 per code
///     point instead of 2 in all; no NFC normalisation; a bare domain ("example.com") that X
///     would link counts its own length, not 23.
///   - elsewhere: Unicode code points (invalid bytes count one each).
std::size_t measure_text(Platform platform, std::string_view text);

/// X's weighted length (see measure_text).
std::size_t x_weighted_length(std::string_view text);

/// The number of hashtags in `text`: '#' at the start or after a non-word character, followed by
/// a letter, digit or '_'.
std::size_t count_hashtags(std::string_view text);

}  // namespace personae::safety

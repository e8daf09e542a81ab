#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace personae::captions {

/// Where a hashtag came from, highest priority first.
enum class HashtagSource {
  kPersona,  ///< the persona's own tags (voice.hashtags)
  kModel,    ///< topic tags the language model proposed
  kTenant,   ///< the tenant's preferred list
};
/// "persona", "model", "tenant".
std::string_view to_string(HashtagSource source);

/// A hashtag without '#'.
struct Hashtag {
  std::string tag;
  HashtagSource source = HashtagSource::kPersona;

  bool operator==(const Hashtag&) const = default;
};

/// A hashtag left out, and why (a phrase for the user: "duplicate of #Sunset").
struct DroppedHashtag {
  std::string tag;  ///< as given (at most 100 code points of it)
  HashtagSource source = HashtagSource::kPersona;
  std::string reason;

  bool operator==(const DroppedHashtag&) const = default;
};

/// At most this many tags are read from each source; the rest is ignored.
inline constexpr std::size_t kMaxHashtagsPerSource = 100;
/// The longest tag kept, in code points.
inline constexpr std::size_t kMaxHashtagCharacters = 100;

/// One raw tag as platforms accept it: surrounding whitespace and leading '#' removed; spaces,
/// hyphens, dots and apostrophes inside removed ("summer vibes" → "summervibes"); then only
/// letters (any script), digits and '_' may remain, with at least one letter, and at most
/// kMaxHashtagCharacters. The error is a phrase for the user ("has characters other than ...").
tl::expected<std::string, std::string> normalize_hashtag(std::string_view raw);

/// Refuses a normalised tag (banned, unsafe) with a reason, or accepts it (nullopt).
using HashtagScreen = std::function<std::optional<std::string>(std::string_view tag)>;

struct HashtagSelection {
  std::vector<Hashtag> kept;  ///< in priority order (persona, model, tenant; each in its own order)
  std::vector<DroppedHashtag> dropped;
};

/// Merges the three sources in priority order, normalises each tag (normalize_hashtag),
/// removes case- and accent-insensitive duplicates keeping the first spelling
/// (safety::hashtag_key), drops the tags `screen` refuses, and keeps at most `max_count`, the
/// rest dropped with `cap_reason`.
HashtagSelection select_hashtags(std::span<const std::string> persona, std::span<const std::string> model,
                                 std::span<const std::string> tenant, const HashtagScreen& screen,
                                 std::size_t max_count, std::string_view cap_reason);

/// "#a #b #c".
std::string join_hashtags(std::span<const Hashtag> tags);

}  // namespace personae::captions

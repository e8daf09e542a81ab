#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "safety/phrase_matcher.hpp"

namespace personae::safety {

/// A tenant's own safety lists, compiled for matching. Build it once when the lists are loaded or
/// change (it folds and indexes every entry), then share it: it is immutable, and its const
/// members are safe to call from any number of threads.
class TenantSafetyLists {
 public:
  /// At most this many entries of each list are kept (the rest is ignored).
  static constexpr std::size_t kMaxEntries = 10'000;

  TenantSafetyLists() = default;
  /// `banned_terms`: words and phrases no caption may contain (whole-word, case- and
  ///   accent-insensitive); `real_person_names`: people who must not be named (a persona of a
  ///   real adult may name its own consenting subject); `banned_hashtags`: tags no caption may
  ///   carry, with or without '#'.
  TenantSafetyLists(std::span<const std::string> banned_terms, std::span<const std::string> real_person_names,
                    std::span<const std::string> banned_hashtags);

  const PhraseMatcher& banned_terms() const noexcept { return banned_terms_; }
  const PhraseMatcher& real_person_names() const noexcept { return real_person_names_; }
  /// Whether `tag` (with or without '#') is on the banned list: compared by hashtag_key.
  bool is_banned_hashtag(std::string_view tag) const;

 private:
  PhraseMatcher banned_terms_;
  PhraseMatcher real_person_names_;
  std::vector<std::string> banned_hashtag_keys_;  // sorted
};

/// The identity of a hashtag for comparisons: leading '#' removed, folded (case and accents),
/// everything but letters and digits dropped: "#Hot_Girl", "hotgirl" and "#HÔTGIRL" are one tag.
std::string hashtag_key(std::string_view tag);

}  // namespace personae::safety

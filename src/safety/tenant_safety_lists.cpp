#include "safety/tenant_safety_lists.hpp"

#include <algorithm>

#include "safety/text_folding.hpp"

namespace personae::safety {
namespace {

std::span<const std::string> capped(std::span<const std::string> list) {
  return list.first(std::min(list.size(), TenantSafetyLists::kMaxEntries));
}

}  // namespace

TenantSafetyLists::TenantSafetyLists(std::span<const std::string> banned_terms,
                                     std::span<const std::string> real_person_names,
                                     std::span<const std::string> banned_hashtags)
    : banned_terms_(capped(banned_terms)), real_person_names_(capped(real_person_names)) {
  for (const auto& tag : capped(banned_hashtags)) {
    std::string key = hashtag_key(tag);
    if (!key.empty()) banned_hashtag_keys_.push_back(std::move(key));
  }
  std::sort(banned_hashtag_keys_.begin(), banned_hashtag_keys_.end());
  banned_hashtag_keys_.erase(std::unique(banned_hashtag_keys_.begin(), banned_hashtag_keys_.end()),
                             banned_hashtag_keys_.end());
}

bool TenantSafetyLists::is_banned_hashtag(std::string_view tag) const {
  const std::string key = hashtag_key(tag);
  return !key.empty() && std::binary_search(banned_hashtag_keys_.begin(), banned_hashtag_keys_.end(), key);
}

std::string hashtag_key(std::string_view tag) {
  while (!tag.empty() && (tag.front() == '#' || tag.front() == ' ')) tag.remove_prefix(1);
  std::string key;
  for (const char c : fold(tag)) {
    if (is_word_byte(c)) key.push_back(c);
  }
  return key;
}

}  // namespace personae::safety

#pragma once

#include <optional>
#include <string_view>

namespace personae {

/// A member's role in a tenant, from the most to the least powerful. What each role may do is the
/// authorization matrix's business; this is only the vocabulary.
enum class Role { kOwner, kAdmin, kManager, kChatter, kViewer };

/// "owner", "admin", "manager", "chatter", "viewer": the stored and wire spelling.
std::string_view to_string(Role role);

/// The role spelt exactly as to_string() spells it; nullopt for anything else (case matters).
std::optional<Role> parse_role(std::string_view text);

}  // namespace personae

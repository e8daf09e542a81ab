#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/captions/caption.hpp"
#include "domain/media/media_item.hpp"
#include "safety/caption_policy.hpp"
#include "services/audit_log_service.hpp"
#include "services/service_support.hpp"

namespace personae::captions {

/// Stores the engine's decision on the caption: the publishable text and title, the findings, and
/// the status its verdict gives (allow: ready; needs review; block: blocked). Clears any earlier
/// approval: a new text needs a new one.
void apply_decision(Caption& caption, const safety::Decision& decision, std::int64_t now_unix_ms);

/// The engine's input for a caption's current texts (a human edit).
safety::CaptionCandidate candidate_of(const Caption& caption, const MediaItem* media,
                                      std::int64_t now_unix_ms);

/// The audit entry of a decision: verdict, the rules that fired, and what triggered it
/// ("generation", "edit").
NewAuditEntry decision_audit_entry(const Caption& caption, std::string actor, std::string_view trigger,
                                   const ClientInfo& client);

}  // namespace personae::captions

#include "services/captions/caption_decision.hpp"

namespace personae::captions {

void apply_decision(Caption& caption, const safety::Decision& decision, std::int64_t now_unix_ms) {
  caption.text = decision.text;
  caption.title = decision.title;
  caption.shortened = caption.shortened || decision.shortened;
  caption.decision = StoredDecision{};
  caption.decision.verdict = std::string(safety::to_string(decision.verdict));
  caption.decision.mark_adult = decision.mark_adult;
  caption.decision.decided_at_unix_ms = now_unix_ms;
  for (const auto& finding : decision.findings) {
    caption.decision.findings.push_back(StoredFinding{finding.rule,
                                                      std::string(safety::to_string(finding.verdict)),
                                                      finding.reason, finding.field, finding.matched});
  }
  switch (decision.verdict) {
    case safety::Verdict::kAllow: caption.status = CaptionStatus::kReady; break;
    case safety::Verdict::kNeedsReview: caption.status = CaptionStatus::kNeedsReview; break;
    case safety::Verdict::kBlock: caption.status = CaptionStatus::kBlocked; break;
  }
  caption.approved_by.reset();
  caption.approved_at_unix_ms.reset();
  caption.error.clear();
}

safety::CaptionCandidate candidate_of(const Caption& caption, const MediaItem* media,
                                      std::int64_t now_unix_ms) {
  safety::CaptionCandidate candidate;
  candidate.platform = caption.platform;
  candidate.rating = media != nullptr ? media->rating : Rating::kSfw;
  candidate.category = media != nullptr ? media->category : std::nullopt;
  candidate.text = caption.text;
  candidate.title = caption.title;
  candidate.hashtags = caption.hashtags;
  candidate.call_to_action = caption.call_to_action;
  candidate.template_only_draft = caption.template_only;
  candidate.now_unix_ms = now_unix_ms;
  return candidate;
}

NewAuditEntry decision_audit_entry(const Caption& caption, std::string actor, std::string_view trigger,
                                   const ClientInfo& client) {
  std::string rules;
  for (const auto& finding : caption.decision.findings) {
    if (!rules.empty()) rules += ",";
    rules += finding.rule + ":" + finding.verdict;
  }
  return service_support::audit_entry(caption.tenant_id, std::move(actor), "caption.safety_decision",
                                      "caption:" + caption.id, client,
                                      {{"verdict", caption.decision.verdict},
                                       {"rules", rules},
                                       {"trigger", trigger},
                                       {"persona_id", caption.persona_id},
                                       {"platform", to_string(caption.platform)}});
}

}  // namespace personae::captions

#include "safety/decision.hpp"

#include <algorithm>

namespace personae::safety {

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAllow: return "allow";
    case Verdict::kNeedsReview: return "needs_review";
    case Verdict::kBlock: return "block";
  }
  return "block";
}

bool Decision::has(std::string_view rule) const {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) { return f.rule == rule; });
}

}  // namespace personae::safety

#include "domain/audit/audit_entry.hpp"

#include "core/crypto.hpp"

namespace personae {
namespace {

// "<byte length>:<bytes>;" keeps field boundaries unambiguous whatever the fields contain.
void append_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out.push_back(':');
  out.append(field);
  out.push_back(';');
}

}  // namespace

std::string compute_audit_hash(const AuditEntry& entry) {
  std::string message;
  message.reserve(256 + entry.details.size());
  append_field(message, "personae.audit.v1");
  append_field(message, std::to_string(entry.sequence));
  append_field(message, std::to_string(entry.occurred_at_unix_ms));
  // A presence marker tells the system chain (no tenant) from a tenant whose id is empty.
  append_field(message, entry.tenant_id.has_value() ? "1" : "0");
  append_field(message, entry.tenant_id.value_or(""));
  append_field(message, entry.actor);
  append_field(message, entry.action);
  append_field(message, entry.target);
  append_field(message, entry.details);
  append_field(message, entry.previous_hash);
  return sha256_hex(message);
}

bool AuditChainVerifier::feed(const std::vector<AuditEntry>& batch) {
  if (!result_.intact) return false;
  for (const AuditEntry& entry : batch) {
    const std::int64_t expected = previous_.sequence + 1;
    const auto broken = [&](std::int64_t sequence, std::string problem) {
      result_.intact = false;
      result_.first_bad_sequence = sequence;
      result_.problem = std::move(problem);
      return false;
    };
    if (entry.sequence != expected) {
      if (entry.sequence > expected) {
        return broken(expected, "entry " + std::to_string(expected) + " is missing (entry " +
                                    std::to_string(entry.sequence) + " follows entry " +
                                    std::to_string(previous_.sequence) + ")");
      }
      return broken(entry.sequence, "entry " + std::to_string(entry.sequence) +
                                        " is out of order (after entry " +
                                        std::to_string(previous_.sequence) + ")");
    }
    if (compute_audit_hash(entry) != entry.hash) {
      return broken(entry.sequence, "entry " + std::to_string(entry.sequence) +
                                        " was modified (its hash does not match its contents)");
    }
    if (entry.previous_hash != previous_.hash) {
      return broken(entry.sequence, "entry " + std::to_string(entry.sequence) + " does not link to entry " +
                                        std::to_string(previous_.sequence) +
                                        " (an entry was replaced or removed)");
    }
    previous_ = AuditHead{entry.sequence, entry.hash};
    ++result_.entries_checked;
  }
  return true;
}

AuditVerification AuditChainVerifier::finish(const AuditHead& recorded_head) {
  if (!result_.intact) return result_;
  if (recorded_head.sequence != previous_.sequence) {
    result_.intact = false;
    if (recorded_head.sequence > previous_.sequence) {
      result_.first_bad_sequence = previous_.sequence + 1;
      result_.problem = "the chain ends at entry " + std::to_string(previous_.sequence) +
                        " but its head records entry " + std::to_string(recorded_head.sequence) +
                        " (entries were deleted from the end)";
    } else {
      result_.first_bad_sequence = recorded_head.sequence + 1;
      result_.problem = "the chain continues past its recorded head (entry " +
                        std::to_string(recorded_head.sequence) +
                        "): entries were added without moving the head";
    }
  } else if (recorded_head.hash != previous_.hash) {
    result_.intact = false;
    result_.first_bad_sequence = previous_.sequence;
    result_.problem = "the last entry (" + std::to_string(previous_.sequence) +
                      ") does not match the recorded head (it was replaced)";
  }
  return result_;
}

}  // namespace personae

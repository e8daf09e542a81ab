#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace personae {

/// The hash of the (virtual) entry before the first one of a chain.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// What a caller records. `details` is a JSON object serialised by the caller (kept as text so the
/// hash covers exactly the bytes stored).
struct NewAuditEntry {
  std::optional<std::string> tenant_id;  ///< empty: the system chain
  std::string actor;                     ///< who: "system", "cli", "user:<id>", ...
  std::string action;                    ///< what: dotted verb, e.g. "schema.migrated"
  std::string target;                    ///< on what: "schema:3", "persona:<id>", ...
  std::string details = "{}";
};

/// One link of a tenant's (or the system's) hash chain.
struct AuditEntry {
  std::int64_t sequence = 0;  ///< 1, 2, 3... within the chain
  std::int64_t occurred_at_unix_ms = 0;
  std::optional<std::string> tenant_id;
  std::string actor;
  std::string action;
  std::string target;
  std::string details;
  std::string previous_hash;
  std::string hash;
};

struct AuditHead {
  std::int64_t sequence = 0;  ///< 0 for an empty chain
  std::string hash{kAuditGenesisHash};
};

/// SHA-256 over every field of `entry` except `hash`, each length-prefixed so that no two entries
/// serialise alike. Changing this function invalidates every stored chain: don't.
std::string compute_audit_hash(const AuditEntry& entry);

struct AuditVerification {
  bool intact = true;
  std::int64_t entries_checked = 0;
  std::optional<std::int64_t> first_bad_sequence;
  std::string problem;  ///< empty when intact
};

/// Checks one batch of consecutive entries against the entry before it (`previous`), which starts
/// as the genesis head. Pure: the service feeds it pages read from the repository.
class AuditChainVerifier {
 public:
  /// Returns false (and records the problem) at the first broken link.
  bool feed(const std::vector<AuditEntry>& batch);
  /// Compares the last entry seen with the recorded chain head (detects a deleted tail).
  AuditVerification finish(const AuditHead& recorded_head);

 private:
  AuditHead previous_;
  AuditVerification result_;
};

}  // namespace personae

#include "domain/audit/audit_entry.hpp"

#include <gtest/gtest.h>

namespace personae {
namespace {

std::vector<AuditEntry> make_chain(int length, std::optional<std::string> tenant = std::nullopt) {
  std::vector<AuditEntry> chain;
  std::string previous(kAuditGenesisHash);
  for (int i = 1; i <= length; ++i) {
    AuditEntry entry;
    entry.sequence = i;
    entry.occurred_at_unix_ms = 1'700'000'000'000 + i;
    entry.tenant_id = tenant;
    entry.actor = "user:" + std::to_string(i);
    entry.action = "persona.updated";
    entry.target = "persona:42";
    entry.details = "{\"n\":" + std::to_string(i) + "}";
    entry.previous_hash = previous;
    entry.hash = compute_audit_hash(entry);
    previous = entry.hash;
    chain.push_back(entry);
  }
  return chain;
}

AuditHead head_of(const std::vector<AuditEntry>& chain) {
  if (chain.empty()) return AuditHead{};
  return AuditHead{chain.back().sequence, chain.back().hash};
}

AuditVerification verify(const std::vector<AuditEntry>& chain, const AuditHead& head, std::size_t page = 3) {
  AuditChainVerifier verifier;
  for (std::size_t at = 0; at < chain.size(); at += page) {
    const std::vector<AuditEntry> batch(chain.begin() + at,
                                        chain.begin() + std::min(chain.size(), at + page));
    if (!verifier.feed(batch)) break;
  }
  return verifier.finish(head);
}

TEST(AuditHashTest, IsPinned) {
  AuditEntry entry;
  entry.sequence = 1;
  entry.occurred_at_unix_ms = 1'700'000'000'000;
  entry.actor = "system";
  entry.action = "schema.migrated";
  entry.target = "schema:1";
  entry.details = "{}";
  entry.previous_hash = std::string(kAuditGenesisHash);
  // Changing the serialisation invalidates every stored chain: this value must never change.
  EXPECT_EQ(compute_audit_hash(entry), "0951055826882919564585a5bd39b86527c869f9c972d2f1c1c717c812b8f984");
}

TEST(AuditHashTest, CoversEveryField) {
  const AuditEntry base = make_chain(1)[0];
  std::vector<AuditEntry> variants(9, base);
  variants[0].sequence = 2;
  variants[1].occurred_at_unix_ms += 1;
  variants[2].tenant_id = "t1";
  variants[3].actor = "user:9";
  variants[4].action = "persona.deleted";
  variants[5].target = "persona:43";
  variants[6].details = "{\"n\":2}";
  variants[7].previous_hash = std::string(64, 'a');
  variants[8].tenant_id = "";  // an empty tenant differs from the system chain
  for (const AuditEntry& variant : variants) EXPECT_NE(compute_audit_hash(variant), base.hash);
  AuditEntry changed_hash = base;
  changed_hash.hash = "x";
  EXPECT_EQ(compute_audit_hash(changed_hash), base.hash);
}

TEST(AuditHashTest, FieldBoundariesAreUnambiguous) {
  AuditEntry a = make_chain(1)[0];
  AuditEntry b = a;
  a.actor = "ab";
  a.action = "c";
  b.actor = "a";
  b.action = "bc";
  EXPECT_NE(compute_audit_hash(a), compute_audit_hash(b));
}

TEST(AuditChainVerifierTest, AcceptsIntactChainsAcrossPages) {
  for (const int length : {0, 1, 2, 3, 7}) {
    const auto chain = make_chain(length, "tenant-a");
    const AuditVerification result = verify(chain, head_of(chain));
    EXPECT_TRUE(result.intact) << length << ": " << result.problem;
    EXPECT_EQ(result.entries_checked, length);
    EXPECT_FALSE(result.first_bad_sequence.has_value());
    EXPECT_TRUE(result.problem.empty());
  }
}

TEST(AuditChainVerifierTest, DetectsAnEditedEntry) {
  auto chain = make_chain(5);
  chain[2].details = "{\"n\":999}";
  const AuditVerification result = verify(chain, head_of(chain));
  EXPECT_FALSE(result.intact);
  EXPECT_EQ(result.first_bad_sequence, 3);
  EXPECT_NE(result.problem.find("entry 3 was modified"), std::string::npos) << result.problem;
  EXPECT_EQ(result.entries_checked, 2);
}

TEST(AuditChainVerifierTest, DetectsAnEditedEntryWhoseHashWasRecomputed) {
  auto chain = make_chain(5);
  chain[2].actor = "someone-else";
  chain[2].hash = compute_audit_hash(chain[2]);
  const AuditVerification result = verify(chain, head_of(chain));
  EXPECT_FALSE(result.intact);
  EXPECT_EQ(result.first_bad_sequence, 4);
  EXPECT_NE(result.problem.find("does not link"), std::string::npos) << result.problem;
}

TEST(AuditChainVerifierTest, DetectsADeletedMiddleEntry) {
  auto chain = make_chain(5);
  chain.erase(chain.begin() + 2);
  const AuditVerification result = verify(chain, head_of(chain));
  EXPECT_FALSE(result.intact);
  EXPECT_EQ(result.first_bad_sequence, 3);
  EXPECT_NE(result.problem.find("entry 3 is missing"), std::string::npos) << result.problem;
}

TEST(AuditChainVerifierTest, DetectsReorderedEntries) {
  auto chain = make_chain(5);
  std::swap(chain[1], chain[2]);
  const AuditVerification result = verify(chain, head_of(make_chain(5)));
  EXPECT_FALSE(result.intact);
  EXPECT_EQ(result.first_bad_sequence, 2);
}

TEST(AuditChainVerifierTest, DetectsADeletedTailThroughTheHead) {
  const auto full = make_chain(5);
  auto chain = full;
  chain.pop_back();
  const AuditVerification result = verify(chain, head_of(full));
  EXPECT_FALSE(result.intact);
  EXPECT_EQ(result.first_bad_sequence, 5);
  EXPECT_NE(result.problem.find("deleted from the end"), std::string::npos) << result.problem;
  EXPECT_EQ(result.entries_checked, 4);
}

TEST(AuditChainVerifierTest, DetectsAnEmptiedChain) {
  const auto full = make_chain(3);
  const AuditVerification result = verify({}, head_of(full));
  EXPECT_FALSE(result.intact);
  EXPECT_EQ(result.first_bad_sequence, 1);
}

TEST(AuditChainVerifierTest, DetectsAReplacedLastEntry) {
  auto chain = make_chain(4);
  const AuditHead recorded = head_of(chain);
  chain[3].details = "{}";
  chain[3].hash = compute_audit_hash(chain[3]);
  const AuditVerification result = verify(chain, recorded);
  EXPECT_FALSE(result.intact);
  EXPECT_EQ(result.first_bad_sequence, 4);
}

TEST(AuditChainVerifierTest, DetectsEntriesBeyondTheHead) {
  const auto chain = make_chain(4);
  const AuditVerification result = verify(chain, AuditHead{3, chain[2].hash});
  EXPECT_FALSE(result.intact);
  EXPECT_EQ(result.first_bad_sequence, 4);
}

TEST(AuditChainVerifierTest, StopsAtTheFirstProblem) {
  auto chain = make_chain(6);
  chain[1].details = "{\"edited\":1}";
  chain[4].details = "{\"edited\":2}";
  AuditChainVerifier verifier;
  EXPECT_FALSE(verifier.feed({chain.begin(), chain.begin() + 3}));
  EXPECT_FALSE(verifier.feed({chain.begin() + 3, chain.end()}));
  const AuditVerification result = verifier.finish(head_of(chain));
  EXPECT_EQ(result.first_bad_sequence, 2);
  EXPECT_EQ(result.entries_checked, 1);
}

}  // namespace
}  // namespace personae

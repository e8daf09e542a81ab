-- The tamper-evident audit log: one hash chain per tenant, plus the system chain (chain_key '').
-- Rows are only ever inserted; audit_chain_head records the last link of each chain so that a
-- deleted tail is detectable.
CREATE TABLE audit_log (
  chain_key TEXT NOT NULL,
  sequence BIGINT NOT NULL,
  tenant_id TEXT NULL,
  occurred_at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details TEXT NOT NULL,
  previous_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (chain_key, sequence),
  CHECK (sequence >= 1),
  CHECK (tenant_id IS NULL OR tenant_id <> ''),
  CHECK (chain_key = COALESCE(tenant_id, ''))
);

CREATE TABLE audit_chain_head (
  chain_key TEXT NOT NULL PRIMARY KEY,
  sequence BIGINT NOT NULL,
  hash TEXT NOT NULL,
  CHECK (sequence >= 0)
);

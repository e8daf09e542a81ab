-- Accounts: tenants (agencies), users, memberships with roles, refresh-token sessions, API keys,
-- invitations, first-run setup tokens and TOTP recovery codes. Times are unix milliseconds,
-- booleans 0/1; every secret is stored only as a hash (or, for TOTP secrets, sealed).
CREATE TABLE tenants (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  require_mfa INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  CONSTRAINT tenants_name_unique UNIQUE (name),
  CHECK (id <> ''),
  CHECK (name <> ''),
  CHECK (require_mfa IN (0, 1))
);

CREATE TABLE users (
  id TEXT NOT NULL PRIMARY KEY,
  email TEXT NOT NULL,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  tokens_valid_after BIGINT NOT NULL DEFAULT 0,
  totp_secret_sealed TEXT NULL,
  totp_enabled INTEGER NOT NULL DEFAULT 0,
  totp_last_step BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  CONSTRAINT users_email_unique UNIQUE (email),
  CHECK (id <> ''),
  CHECK (email <> ''),
  CHECK (disabled IN (0, 1)),
  CHECK (totp_enabled IN (0, 1)),
  CHECK (totp_enabled = 0 OR totp_secret_sealed IS NOT NULL)
);

-- scopes: a JSON array of {"kind": ..., "ids": [...]}; empty means the whole tenant.
CREATE TABLE memberships (
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  scopes TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id),
  CHECK (role IN ('owner', 'admin', 'manager', 'chatter', 'viewer'))
);
CREATE INDEX memberships_user ON memberships (user_id);

-- One row per refresh token; a family is one login's chain of rotated tokens. A token belongs to
-- a membership: removing the member (or the user, or the tenant) removes their tokens.
CREATE TABLE sessions (
  id TEXT NOT NULL PRIMARY KEY,
  family_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  family_expires_at BIGINT NOT NULL,
  used_at BIGINT NULL,
  revoked_at BIGINT NULL,
  revoke_reason TEXT NULL,
  user_agent TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '',
  CONSTRAINT sessions_token_hash_unique UNIQUE (token_hash),
  FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE,
  CHECK (id <> ''),
  CHECK (family_id <> ''),
  CHECK (token_hash <> '')
);
CREATE INDEX sessions_family ON sessions (family_id);
CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_membership ON sessions (tenant_id, user_id);
CREATE INDEX sessions_family_expires ON sessions (family_expires_at);

-- scopes: a JSON array of action names.
CREATE TABLE api_keys (
  id TEXT NOT NULL PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  created_by TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  scopes TEXT NOT NULL DEFAULT '[]',
  expires_at BIGINT NULL,
  revoked_at BIGINT NULL,
  last_used_at BIGINT NULL,
  created_at BIGINT NOT NULL,
  CONSTRAINT api_keys_prefix_unique UNIQUE (prefix),
  CHECK (id <> ''),
  CHECK (prefix <> ''),
  CHECK (secret_hash <> '')
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);
CREATE INDEX api_keys_created_by ON api_keys (created_by);

CREATE TABLE invitations (
  id TEXT NOT NULL PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role TEXT NOT NULL,
  scopes TEXT NOT NULL DEFAULT '[]',
  token_hash TEXT NOT NULL,
  invited_by TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at BIGINT NOT NULL,
  accepted_at BIGINT NULL,
  revoked_at BIGINT NULL,
  created_at BIGINT NOT NULL,
  CONSTRAINT invitations_token_hash_unique UNIQUE (token_hash),
  CHECK (id <> ''),
  CHECK (token_hash <> ''),
  CHECK (role IN ('owner', 'admin', 'manager', 'chatter', 'viewer'))
);
CREATE INDEX invitations_tenant ON invitations (tenant_id, created_at);
CREATE INDEX invitations_invited_by ON invitations (invited_by);

CREATE TABLE setup_tokens (
  token_hash TEXT NOT NULL PRIMARY KEY,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT NULL,
  CHECK (token_hash <> '')
);

CREATE TABLE recovery_codes (
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at BIGINT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, code_hash),
  CHECK (code_hash <> '')
);

-- Row-level security, the second line of tenant isolation behind the repositories' explicit
-- tenant filters: a tenant-owned row is visible (and writable) only when the transaction has set
-- app.tenant_id to its tenant, or has explicitly set app.rls_bypass for a system operation across
-- tenants. FORCE applies the policies to the tables' owner too (superusers still bypass them).

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_tenant_isolation ON memberships
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on')
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on');

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_tenant_isolation ON sessions
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on')
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on');

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY api_keys_tenant_isolation ON api_keys
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on')
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on');

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_tenant_isolation ON invitations
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on')
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on');

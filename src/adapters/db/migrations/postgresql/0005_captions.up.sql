-- Captions and each tenant's content settings. A caption's texts, hashtags and safety decision
-- are one JSON document; the columns beside it are what queries filter on. job_id names the
-- generation job without a foreign key: finished jobs are purged by retention, captions stay.
CREATE TABLE captions (
  id TEXT NOT NULL PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  persona_id TEXT NOT NULL REFERENCES personas (id) ON DELETE CASCADE,
  media_id TEXT NULL REFERENCES media_items (id) ON DELETE SET NULL,
  platform TEXT NOT NULL,
  status TEXT NOT NULL,
  job_id BIGINT NULL,
  document TEXT NOT NULL,
  revision BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK (id <> ''),
  CHECK (platform IN ('x', 'instagram', 'reddit', 'fanvue', 'onlyfans')),
  CHECK (status IN ('queued', 'ready', 'needs_review', 'blocked', 'failed')),
  CHECK (revision >= 1)
);
CREATE INDEX captions_tenant ON captions (tenant_id, created_at, id);
CREATE INDEX captions_persona ON captions (tenant_id, persona_id, created_at, id);
CREATE INDEX captions_media ON captions (tenant_id, media_id);

-- Banned terms, real-person names, banned and preferred hashtags, caption templates.
CREATE TABLE tenant_content_settings (
  tenant_id TEXT NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  document TEXT NOT NULL,
  revision BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK (revision >= 1)
);

-- Row-level security, the second line behind the repositories' explicit tenant scope (as in 0002).

ALTER TABLE captions ENABLE ROW LEVEL SECURITY;
ALTER TABLE captions FORCE ROW LEVEL SECURITY;
CREATE POLICY captions_tenant_isolation ON captions
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on')
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on');

ALTER TABLE tenant_content_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_content_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_content_settings_tenant_isolation ON tenant_content_settings
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on')
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on');

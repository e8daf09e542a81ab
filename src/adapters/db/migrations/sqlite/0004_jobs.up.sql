-- The durable job queue (docs/jobs.md) and its recurring schedules. Times are unix milliseconds.
-- A job's state moves queued -> running -> succeeded | dead | cancelled; "failed, will retry" is
-- queued with attempts > 0 and last_error set. The attempt history is kept in the row as JSON lines
-- (one object per ended attempt), so every transition writes one row and nothing else.
-- SQLite has no row-level security: the repository's explicit tenant filters are the only line
-- (the PostgreSQL migration adds the policies). AUTOINCREMENT: ids are never reused after purges.
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  queue TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  run_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  attempt_number INTEGER NOT NULL DEFAULT 0,
  unique_key TEXT NULL,
  lease_owner TEXT NULL,
  lease_expires_at BIGINT NULL,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NULL,
  result TEXT NULL,
  progress TEXT NULL,
  history TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  started_at BIGINT NULL,
  finished_at BIGINT NULL,
  CHECK (state IN ('queued', 'running', 'succeeded', 'dead', 'cancelled')),
  CHECK (queue <> '' AND kind <> ''),
  CHECK (max_attempts >= 1 AND attempts >= 0 AND attempt_number >= attempts),
  CHECK (cancel_requested IN (0, 1)),
  CHECK (state <> 'running' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)),
  CHECK ((finished_at IS NOT NULL) = (state IN ('succeeded', 'dead', 'cancelled')))
);

-- Every index but the primary key is partial, on the few rows a hot query needs, so that a million
-- finished jobs kept for inspection cost the claim nothing:
-- claims (due queued jobs of a queue, by priority then run_at) and the depth/age figures.
CREATE INDEX jobs_queued ON jobs (queue, priority DESC, run_at, id) WHERE state = 'queued';
-- running jobs per queue (concurrency limits) and expired leases.
CREATE INDEX jobs_running ON jobs (queue, lease_expires_at) WHERE state = 'running';
-- dead letters per queue.
CREATE INDEX jobs_dead ON jobs (queue, id) WHERE state = 'dead';
-- retention: finished jobs oldest first.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE state IN ('succeeded', 'dead', 'cancelled');
-- a tenant's jobs, newest first.
CREATE INDEX jobs_tenant ON jobs (tenant_id, id) WHERE tenant_id IS NOT NULL;
-- unique keys among live jobs: per tenant, and among system jobs (NULLs never compare equal).
CREATE UNIQUE INDEX jobs_unique_tenant ON jobs (tenant_id, unique_key)
  WHERE unique_key IS NOT NULL AND state IN ('queued', 'running');
CREATE UNIQUE INDEX jobs_unique_system ON jobs (unique_key)
  WHERE tenant_id IS NULL AND unique_key IS NOT NULL AND state IN ('queued', 'running');

CREATE TABLE job_schedules (
  id TEXT NOT NULL PRIMARY KEY,
  tenant_id TEXT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  cron TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  queue TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  next_run_at BIGINT NULL,
  last_run_at BIGINT NULL,
  last_job_id BIGINT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK (id <> '' AND cron <> '' AND time_zone <> '' AND queue <> '' AND kind <> ''),
  CHECK (enabled IN (0, 1)),
  CHECK (max_attempts >= 1)
);
CREATE INDEX job_schedules_due ON job_schedules (next_run_at) WHERE enabled = 1;
CREATE INDEX job_schedules_tenant ON job_schedules (tenant_id, id) WHERE tenant_id IS NOT NULL;


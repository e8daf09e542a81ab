-- Finished-job counters per minute, so that "succeeded / cancelled in the last 24 hours" (the jobs
-- page's queue figures) reads a few hundred rows instead of counting millions of kept jobs.
-- Invariant: for each (tenant, queue, state, minute) the sum of `jobs` equals the number of rows of
-- `jobs` in that state whose finished_at falls in that minute. Triggers keep it on every insert,
-- update and delete of `jobs`, so it holds whichever path finishes, replays, purges or restores a
-- job, and rolls back with its transaction.
-- The triggers only append delta rows (no row is updated, so concurrent workers never wait on one
-- another); SqlJobQueue::fold_finished_counts folds the deltas of a minute into one row during the
-- retention sweep. tenant_id is '' for system jobs, and has no foreign key: a tenant's deletion
-- cascades to its jobs, whose delete trigger then writes the negative deltas that fold to nothing.
CREATE TABLE job_finished_counts (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  queue TEXT NOT NULL,
  state TEXT NOT NULL,
  minute BIGINT NOT NULL,
  jobs BIGINT NOT NULL,
  folded INTEGER NOT NULL DEFAULT 0,
  CHECK (state IN ('succeeded', 'cancelled')),
  CHECK (folded IN (0, 1))
);
-- The stats window (a tenant's minutes from a time on) and the fold's lookups by full key.
CREATE INDEX job_finished_counts_key ON job_finished_counts (tenant_id, minute, queue, state);
-- Deltas not folded yet.
CREATE INDEX job_finished_counts_unfolded ON job_finished_counts (id) WHERE folded = 0;
-- Deltas are appended and folded away all day: vacuum early, as for jobs (0004).
ALTER TABLE job_finished_counts SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
                                     autovacuum_analyze_scale_factor = 0.02);

-- Updates and deletes: statement-level triggers, so that a completion of 500 jobs appends one delta
-- per (tenant, queue, state, minute), not 500 rows. Rows whose key did not change cancel out.
CREATE FUNCTION job_finished_counts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job_finished_counts (tenant_id, queue, state, minute, jobs)
  SELECT tenant_id, queue, state, minute, SUM(delta)
  FROM (SELECT COALESCE(tenant_id, '') AS tenant_id, queue, state, finished_at / 60000 AS minute, 1 AS delta
        FROM new_rows WHERE state IN ('succeeded', 'cancelled')
        UNION ALL
        SELECT COALESCE(tenant_id, ''), queue, state, finished_at / 60000, -1
        FROM old_rows WHERE state IN ('succeeded', 'cancelled')) AS changes
  GROUP BY tenant_id, queue, state, minute
  HAVING SUM(delta) <> 0;
  RETURN NULL;
END
$$;

-- Jobs are inserted queued (enqueue): the insert trigger is per row with a WHEN clause, so that an
-- enqueue pays nothing for it (a statement trigger would copy every new row into a transition
-- table); only restores and hand-written inserts of finished jobs call it.
CREATE FUNCTION job_finished_counts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job_finished_counts (tenant_id, queue, state, minute, jobs)
  VALUES (COALESCE(NEW.tenant_id, ''), NEW.queue, NEW.state, NEW.finished_at / 60000, 1);
  RETURN NULL;
END
$$;

CREATE FUNCTION job_finished_counts_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job_finished_counts (tenant_id, queue, state, minute, jobs)
  SELECT COALESCE(tenant_id, ''), queue, state, finished_at / 60000, -COUNT(*)
  FROM old_rows WHERE state IN ('succeeded', 'cancelled')
  GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END
$$;

CREATE TRIGGER jobs_finished_counts_insert AFTER INSERT ON jobs
  FOR EACH ROW WHEN (NEW.state IN ('succeeded', 'cancelled'))
  EXECUTE FUNCTION job_finished_counts_after_insert();
CREATE TRIGGER jobs_finished_counts_update AFTER UPDATE ON jobs
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION job_finished_counts_after_update();
CREATE TRIGGER jobs_finished_counts_delete AFTER DELETE ON jobs
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION job_finished_counts_after_delete();

-- The jobs finished before this migration, every tenant's (row-level security is forced on both
-- tables, so the bypass is taken for this transaction only, then dropped).
SELECT set_config('app.rls_bypass', 'on', true);
INSERT INTO job_finished_counts (tenant_id, queue, state, minute, jobs, folded)
SELECT COALESCE(tenant_id, ''), queue, state, finished_at / 60000, COUNT(*), 1
FROM jobs WHERE state IN ('succeeded', 'cancelled')
GROUP BY 1, 2, 3, 4;
SELECT set_config('app.rls_bypass', 'off', true);

-- Row-level security as on jobs: the triggers write under the caller's scope, which is the job's
-- tenant or the explicit bypass.
ALTER TABLE job_finished_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_finished_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY job_finished_counts_tenant_isolation ON job_finished_counts
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on')
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.rls_bypass', true) = 'on');

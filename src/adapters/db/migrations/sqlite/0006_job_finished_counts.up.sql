-- Finished-job counters per minute, so that "succeeded / cancelled in the last 24 hours" (the jobs
-- page's queue figures) reads a few hundred rows instead of counting millions of kept jobs.
-- Invariant: for each (tenant, queue, state, minute) the sum of `jobs` equals the number of rows of
-- `jobs` in that state whose finished_at falls in that minute. Triggers keep it on every insert,
-- update and delete of `jobs`, so it holds whichever path finishes, replays, purges or restores a
-- job, and rolls back with its transaction.
-- The triggers append delta rows; SqlJobQueue::fold_finished_counts folds the deltas of a minute
-- into one row during the retention sweep. tenant_id is '' for system jobs, with no foreign key
-- (see the PostgreSQL migration).
CREATE TABLE job_finished_counts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  queue TEXT NOT NULL,
  state TEXT NOT NULL,
  minute BIGINT NOT NULL,
  jobs BIGINT NOT NULL,
  folded INTEGER NOT NULL DEFAULT 0,
  CHECK (state IN ('succeeded', 'cancelled')),
  CHECK (folded IN (0, 1))
);
CREATE INDEX job_finished_counts_key ON job_finished_counts (tenant_id, minute, queue, state);
CREATE INDEX job_finished_counts_unfolded ON job_finished_counts (id) WHERE folded = 0;

-- SQLite has row-level triggers only; the WHEN clauses keep claims and heartbeats from firing them.
CREATE TRIGGER jobs_finished_counts_insert AFTER INSERT ON jobs
WHEN NEW.state IN ('succeeded', 'cancelled')
BEGIN
  INSERT INTO job_finished_counts (tenant_id, queue, state, minute, jobs)
  VALUES (COALESCE(NEW.tenant_id, ''), NEW.queue, NEW.state, NEW.finished_at / 60000, 1);
END;

CREATE TRIGGER jobs_finished_counts_update AFTER UPDATE OF tenant_id, queue, state, finished_at ON jobs
WHEN (OLD.state IN ('succeeded', 'cancelled') OR NEW.state IN ('succeeded', 'cancelled'))
  AND (OLD.state IS NOT NEW.state OR OLD.finished_at IS NOT NEW.finished_at OR OLD.queue IS NOT NEW.queue
       OR OLD.tenant_id IS NOT NEW.tenant_id)
BEGIN
  INSERT INTO job_finished_counts (tenant_id, queue, state, minute, jobs)
  SELECT COALESCE(OLD.tenant_id, ''), OLD.queue, OLD.state, OLD.finished_at / 60000, -1
  WHERE OLD.state IN ('succeeded', 'cancelled');
  INSERT INTO job_finished_counts (tenant_id, queue, state, minute, jobs)
  SELECT COALESCE(NEW.tenant_id, ''), NEW.queue, NEW.state, NEW.finished_at / 60000, 1
  WHERE NEW.state IN ('succeeded', 'cancelled');
END;

CREATE TRIGGER jobs_finished_counts_delete AFTER DELETE ON jobs
WHEN OLD.state IN ('succeeded', 'cancelled')
BEGIN
  INSERT INTO job_finished_counts (tenant_id, queue, state, minute, jobs)
  VALUES (COALESCE(OLD.tenant_id, ''), OLD.queue, OLD.state, OLD.finished_at / 60000, -1);
END;

-- The jobs finished before this migration.
INSERT INTO job_finished_counts (tenant_id, queue, state, minute, jobs, folded)
SELECT COALESCE(tenant_id, ''), queue, state, finished_at / 60000, COUNT(*), 1
FROM jobs WHERE state IN ('succeeded', 'cancelled')
GROUP BY 1, 2, 3, 4;

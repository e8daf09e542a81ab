DROP TRIGGER jobs_finished_counts_delete ON jobs;
DROP TRIGGER jobs_finished_counts_update ON jobs;
DROP TRIGGER jobs_finished_counts_insert ON jobs;
DROP FUNCTION job_finished_counts_after_delete();
DROP FUNCTION job_finished_counts_after_update();
DROP FUNCTION job_finished_counts_after_insert();
DROP TABLE job_finished_counts;

DROP TRIGGER jobs_finished_counts_delete;
DROP TRIGGER jobs_finished_counts_update;
DROP TRIGGER jobs_finished_counts_insert;
DROP TABLE job_finished_counts;

-- Periodic jobs' time slots: the first worker to insert (job, slot) runs the job for that slot, every other worker
-- skips it, so a job runs once per interval across all workers. Rows older than a day are deleted as new ones come.
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    slot BIGINT NOT NULL,
    holder TEXT NOT NULL,
    claimed_at BIGINT NOT NULL,
    PRIMARY KEY (job, slot)
);

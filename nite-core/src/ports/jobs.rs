//! `JobStore`: which periodic job runs, and where, when several worker processes share one database. Time is cut into
//! slots of the job's interval; the first worker to claim a slot runs the job for it and every other worker skips it,
//! so a job runs once per interval across the cluster however many workers start, and a worker that dies only costs
//! its slot (the next slot goes to whoever claims it first).

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::error::Result;

/// Claims of periodic jobs' time slots.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Claims slot `slot` of `job` for `holder`, atomically: `true` for exactly one caller per `(job, slot)` across
    /// every process over this store, `false` for the others. Claims more than a day older than `at` may be forgotten.
    async fn claim_job_slot(&self, job: &str, slot: i64, holder: &str, at: OffsetDateTime) -> Result<bool>;

    /// How many slots of `job` were claimed (run) since `since`.
    async fn job_runs(&self, job: &str, since: OffsetDateTime) -> Result<u64>;
}

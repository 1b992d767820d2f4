//! The SQL of the test payment provider's payments (`TestPaymentStore`) and periodic jobs' slots (`JobStore`). The same
//! text for both databases: `sqlite.rs` and `postgres.rs` each compile it (see `sql.rs`).

use async_trait::async_trait;
use nite_core::{Error, PaymentId, Result};
use time::OffsetDateTime;

use super::rows::by_key;
use super::{DbRow, RowExt, Store, query};
use crate::codec::micros;
use crate::sql::db;

#[async_trait]
impl nite_core::ports::TestPaymentStore for Store {
    async fn create_test_payment(
        &self,
        payment: &nite_core::ports::StoredTestPayment,
    ) -> Result<nite_core::ports::StoredTestPayment> {
        // One statement: a key seen before answers with the row it made (the no-op update returns it).
        let row = query(
            "INSERT INTO test_payments (id, idempotency_key, version, doc) VALUES ($1, $2, 0, $3)
             ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = excluded.idempotency_key
             RETURNING id, idempotency_key, version, doc",
        )
        .bind(payment.id.as_str())
        .bind(&payment.idempotency_key)
        .bind(&payment.doc)
        .fetch_one(&mut *self.write().await?)
        .await
        .map_err(db("storing a test payment"))?;
        test_payment_from_row(&row)
    }

    async fn test_payment(&self, id: &PaymentId) -> Result<Option<nite_core::ports::StoredTestPayment>> {
        by_key(
            self,
            "SELECT id, idempotency_key, version, doc FROM test_payments WHERE id = $1",
            id.as_str(),
            "reading a test payment",
            test_payment_from_row,
        )
        .await
    }

    async fn save_test_payment(&self, payment: &nite_core::ports::StoredTestPayment) -> Result<bool> {
        let done = query("UPDATE test_payments SET doc = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(&payment.doc)
            .bind(payment.id.as_str())
            .bind(payment.version)
            .execute(&mut *self.write().await?)
            .await
            .map_err(db("saving a test payment"))?;
        Ok(done.rows_affected() == 1)
    }
}

#[async_trait]
impl nite_core::ports::JobStore for Store {
    async fn claim_job_slot(&self, job: &str, slot: i64, holder: &str, at: OffsetDateTime) -> Result<bool> {
        if slot % 64 == 0 {
            query("DELETE FROM job_runs WHERE job = $1 AND claimed_at < $2")
                .bind(job)
                .bind(micros(at - time::Duration::days(1)))
                .execute(&mut *self.write().await?)
                .await
                .map_err(db("forgetting old job slots"))?;
        }
        let done = query(
            "INSERT INTO job_runs (job, slot, holder, claimed_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (job, slot) DO NOTHING",
        )
        .bind(job)
        .bind(slot)
        .bind(holder)
        .bind(micros(at))
        .execute(&mut *self.write().await?)
        .await
        .map_err(db("claiming a job slot"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn job_runs(&self, job: &str, since: OffsetDateTime) -> Result<u64> {
        let row = query("SELECT COUNT(*) AS n FROM job_runs WHERE job = $1 AND claimed_at >= $2")
            .bind(job)
            .bind(micros(since))
            .fetch_one(&mut *self.read().await?)
            .await
            .map_err(db("counting job runs"))?;
        let n: i64 = row.try_get("n").map_err(db("counting job runs"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

fn test_payment_from_row(row: &DbRow) -> Result<nite_core::ports::StoredTestPayment> {
    let context = "reading a test payment";
    let id: String = row.try_get("id").map_err(db(context))?;
    Ok(nite_core::ports::StoredTestPayment {
        id: PaymentId::parse(&id).map_err(|e| Error::adapter(context, e))?,
        idempotency_key: row.try_get("idempotency_key").map_err(db(context))?,
        version: row.try_get("version").map_err(db(context))?,
        doc: row.try_get("doc").map_err(db(context))?,
    })
}

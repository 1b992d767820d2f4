//! `InMemoryStore`'s sessions and password resets, the test payment provider's payments, and periodic jobs' slots.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::InMemoryStore;
use crate::CustomerId;
use crate::PaymentId;
use crate::error::Result;
use crate::ports::{RefreshToken, RefreshUse, SessionStore};

#[async_trait]
impl SessionStore for InMemoryStore {
    async fn issue_refresh(&self, token: &RefreshToken) -> Result<()> {
        self.state()?.refresh.insert(token.token_hash.clone(), (token.clone(), false));
        Ok(())
    }

    async fn use_refresh(&self, token_hash: &str, now: OffsetDateTime) -> Result<RefreshUse> {
        let mut s = self.state()?;
        let Some((token, spent)) = s.refresh.get(token_hash).cloned() else { return Ok(RefreshUse::Unknown) };
        if spent {
            for (other, other_spent) in s.refresh.values_mut() {
                if other.family == token.family {
                    *other_spent = true;
                }
            }
            return Ok(RefreshUse::Reused);
        }
        if token.expires_at <= now {
            return Ok(RefreshUse::Expired);
        }
        if let Some(entry) = s.refresh.get_mut(token_hash) {
            entry.1 = true;
        }
        Ok(RefreshUse::Rotated { customer_id: token.customer_id, family: token.family })
    }

    async fn revoke_family(&self, family: &str) -> Result<()> {
        for (token, spent) in self.state()?.refresh.values_mut() {
            if token.family == family {
                *spent = true;
            }
        }
        Ok(())
    }

    async fn issue_reset(&self, token_hash: &str, customer: &CustomerId, expires_at: OffsetDateTime) -> Result<()> {
        self.state()?.resets.insert(token_hash.to_owned(), (customer.clone(), expires_at, false));
        Ok(())
    }

    async fn use_reset(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<CustomerId>> {
        let mut s = self.state()?;
        let Some(entry) = s.resets.get(token_hash) else { return Ok(None) };
        if entry.2 || entry.1 <= now {
            return Ok(None);
        }
        let customer = entry.0.clone();
        for (owner, _, used) in s.resets.values_mut() {
            if *owner == customer {
                *used = true;
            }
        }
        Ok(Some(customer))
    }

    async fn revoke_customer_sessions(&self, customer: &CustomerId) -> Result<()> {
        for (token, spent) in self.state()?.refresh.values_mut() {
            if &token.customer_id == customer {
                *spent = true;
            }
        }
        Ok(())
    }
}

#[async_trait]
impl crate::ports::TestPaymentStore for InMemoryStore {
    async fn create_test_payment(
        &self,
        payment: &crate::ports::StoredTestPayment,
    ) -> Result<crate::ports::StoredTestPayment> {
        drop(self.state()?);
        self.test_payments.create_test_payment(payment).await
    }

    async fn test_payment(&self, id: &PaymentId) -> Result<Option<crate::ports::StoredTestPayment>> {
        drop(self.state()?);
        self.test_payments.test_payment(id).await
    }

    async fn save_test_payment(&self, payment: &crate::ports::StoredTestPayment) -> Result<bool> {
        drop(self.state()?);
        self.test_payments.save_test_payment(payment).await
    }
}

#[async_trait]
impl crate::ports::JobStore for InMemoryStore {
    async fn claim_job_slot(&self, job: &str, slot: i64, _holder: &str, at: OffsetDateTime) -> Result<bool> {
        let mut s = self.state()?;
        s.job_slots.retain(|_, claimed| *claimed > at - time::Duration::days(1));
        Ok(s.job_slots.insert((job.to_owned(), slot), at).is_none())
    }

    async fn job_runs(&self, job: &str, since: OffsetDateTime) -> Result<u64> {
        let s = self.state()?;
        Ok(s.job_slots.iter().filter(|((j, _), at)| j == job && **at >= since).count() as u64)
    }
}

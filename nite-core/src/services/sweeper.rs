//! `ReservationSweeper`: cancels orders whose payment never came, releasing the stock they held.

use crate::error::{Error, Result};
use crate::inventory::StockEffect;
use crate::order::{Actor, OrderState};
use crate::services::{Change, Effects, Outcome, ShopContext, change_order};

/// Releases expired reservations.
#[derive(Clone)]
pub struct ReservationSweeper {
    ctx: ShopContext,
}

impl ReservationSweeper {
    /// A sweeper over `ctx`.
    pub fn new(ctx: ShopContext) -> ReservationSweeper {
        ReservationSweeper { ctx }
    }

    /// Cancels up to `limit` orders whose reservation has expired by the clock's now (and their payments at the
    /// provider), and returns how many it cancelled. Safe to run from several processes at once: an order another
    /// sweeper (or a late payment) got to first is skipped.
    pub async fn sweep(&self, limit: u32) -> Result<usize> {
        let now = self.ctx.clock.now();
        let expired = self.ctx.stores.orders.expired_orders(now, limit).await?;
        let mut cancelled = 0;
        for order in expired {
            // Cancel the payment first: if the provider says it was paid meanwhile, its event will settle the
            // order, so leave it; if the provider is unreachable, try again next sweep.
            if let Some(payment) = &order.payment.payment_id {
                match self.ctx.payments.cancel(payment).await {
                    Ok(_) | Err(Error::NotFound { .. }) => {}
                    Err(_) => continue,
                }
            }
            let result = change_order(&self.ctx, &order.id, None, |order| {
                if order.state() != OrderState::PendingPayment {
                    return Ok(Change::Unchanged);
                }
                order.cancel_unpaid("the reservation expired before payment", now, Actor::System)?;
                Ok(Change::Changed(Effects { stock: StockEffect::Release, ..Effects::default() }))
            })
            .await;
            match result {
                Ok((_, Outcome::Changed)) => cancelled += 1,
                Ok(_) | Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(cancelled)
    }
}

//! `SalesService`: the sales report from recorded analytics events.

use time::OffsetDateTime;

use crate::analytics::{EventKind, Granularity, SalesReport, sales_report};
use crate::error::{Error, Result};
use crate::services::{ShopContext, Viewer};

/// Sales reporting.
#[derive(Clone)]
pub struct SalesService {
    ctx: ShopContext,
}

impl SalesService {
    /// A sales service over `ctx`.
    pub fn new(ctx: ShopContext) -> SalesService {
        SalesService { ctx }
    }

    /// Net and gross revenue, refunds, cancellations, orders, average order value, units and revenue per product,
    /// product views and visitor conversion for `[from, to)`, per period (administrators only; see
    /// [`SalesPeriod`](crate::analytics::SalesPeriod) for what each figure means).
    pub async fn report(
        &self,
        viewer: &Viewer,
        from: OffsetDateTime,
        to: OffsetDateTime,
        granularity: Granularity,
    ) -> Result<SalesReport> {
        if !viewer.is_admin() {
            return Err(Error::not_found("report", "sales"));
        }
        if to <= from {
            return Err(Error::invalid("to", "must be after `from`"));
        }
        let events = self
            .ctx
            .stores
            .analytics
            .events(
                from,
                to,
                &[
                    EventKind::ProductView,
                    EventKind::Purchase,
                    EventKind::OrderPaid,
                    EventKind::Refund,
                    EventKind::Cancellation,
                ],
            )
            .await?;
        Ok(sales_report(&events, self.ctx.settings.currency, granularity)?)
    }
}

//! `OrderService`: reading orders, for their owner, an administrator, or whoever holds a guest order's token.

use crate::OrderId;
use crate::error::{Error, Result};
use crate::order::Order;
use crate::ports::{OrderFilter, Page};
use crate::services::{ShopContext, Viewer};
use crate::shipping::Tracking;

/// Orders, as people may see them.
#[derive(Clone)]
pub struct OrderService {
    ctx: ShopContext,
}

impl OrderService {
    /// An order service over `ctx`.
    pub fn new(ctx: ShopContext) -> OrderService {
        OrderService { ctx }
    }

    /// The order, if the viewer owns it, is an administrator, or holds its access token; otherwise `NotFound`,
    /// the same answer as for an order that does not exist.
    pub async fn order(&self, id: &OrderId, viewer: &Viewer, token: Option<&str>) -> Result<Order> {
        let order = self.ctx.stores.orders.order(id).await?.ok_or_else(|| Error::not_found("order", id))?;
        let allowed = viewer.owns(order.customer_id.as_ref()) || token.is_some_and(|t| order.token_matches(t));
        if allowed { Ok(order) } else { Err(Error::not_found("order", id)) }
    }

    /// The signed-in customer's orders, newest first.
    pub async fn mine(&self, viewer: &Viewer, page: crate::ports::PageRequest) -> Result<Page<Order>> {
        let crate::ports::PageRequest { limit, cursor } = page;
        let customer = viewer.customer_id.clone().ok_or_else(|| Error::invalid("authorization", "sign in first"))?;
        self.ctx
            .stores
            .orders
            .orders(&OrderFilter { customer_id: Some(customer), limit, cursor, ..OrderFilter::default() })
            .await
    }

    /// Where the order's parcel is, from the carrier; `NotFound` before it ships.
    pub async fn tracking(&self, id: &OrderId, viewer: &Viewer, token: Option<&str>) -> Result<Tracking> {
        let order = self.order(id, viewer, token).await?;
        let shipment = order.status.shipment().ok_or_else(|| Error::not_found("shipment", id))?;
        self.ctx.shipping.track(&shipment.carrier, &shipment.tracking_number).await
    }

    /// Every order, for administrators.
    pub async fn all(&self, viewer: &Viewer, filter: &OrderFilter) -> Result<Page<Order>> {
        if !viewer.is_admin() {
            return Err(Error::not_found("orders", "all"));
        }
        self.ctx.stores.orders.orders(filter).await
    }
}

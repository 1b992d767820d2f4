//! The contract suite of `ShippingProvider`: what every provider's quotes and tracking look like.

use crate::Currency;
use crate::shipping::{QuoteRequest, ShippingProvider};

/// Checks a provider with `request`, a shipment it serves: the rates are in the request's currency, cheapest first,
/// with distinct ids and names; the same request gets the same rates; tracking a number answers for that number.
pub async fn shipping_provider(provider: &dyn ShippingProvider, request: &QuoteRequest, carrier: &str, number: &str) {
    let rates = provider.quote(request).await.unwrap();
    assert!(!rates.is_empty(), "the request is one the provider serves");
    assert!(rates.iter().all(|r| r.amount.currency() == request.currency && !r.amount.is_negative()));
    assert!(rates.iter().all(|r| r.amount.is_at_minor_unit()));
    assert!(rates.windows(2).all(|w| w[0].amount.amount() <= w[1].amount.amount()), "cheapest first");
    let mut ids: Vec<_> = rates.iter().map(|r| r.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), rates.len(), "ids are distinct");
    assert!(rates.iter().all(|r| !r.name.is_empty() && !r.carrier.is_empty()));
    assert_eq!(provider.quote(request).await.unwrap(), rates, "the same request, the same quote");
    let mut other_currency = request.clone();
    other_currency.currency = if request.currency == Currency::JPY { Currency::USD } else { Currency::JPY };
    let foreign = provider.quote(&other_currency).await.unwrap();
    assert!(foreign.iter().all(|r| r.amount.currency() == other_currency.currency));
    let tracking = provider.track(carrier, number).await.unwrap();
    assert_eq!(tracking.tracking_number, number);
    assert!(tracking.events.windows(2).all(|w| w[0].at <= w[1].at), "events oldest first");
}

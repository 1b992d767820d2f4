//! Table rates: zones, brackets, free-shipping thresholds, handling fees, and a table that cannot be used.

use nite_core::catalog::Sku;
use nite_core::shipping::{QuoteRequest, ShipItem, ShippingMethod, ShippingProvider, TrackingStatus};
use nite_core::tax::CountryCode;
use nite_core::{Address, Currency, Money};
use nite_shipping::{TableError, TableRates};

pub(crate) fn to(country: &str, region: Option<&str>) -> Address {
    Address {
        name: "Ada".into(),
        line1: "1 Main St".into(),
        line2: None,
        city: "Somewhere".into(),
        region: region.map(Into::into),
        postal_code: "12345".into(),
        country: CountryCode::new(country).unwrap(),
        phone: None,
    }
}

pub(crate) fn request(address: Address, grams: u32, units: u32, subtotal_cents: i64) -> QuoteRequest {
    QuoteRequest {
        items: vec![ShipItem {
            sku: Sku::new("NP-PRO-GRN").unwrap(),
            quantity: units,
            weight_grams: grams,
            dimensions: None,
        }],
        destination: address,
        currency: Currency::USD,
        subtotal: Money::from_minor(subtotal_cents, Currency::USD),
    }
}

fn summary(rates: &[nite_core::shipping::Rate]) -> Vec<(String, String)> {
    rates.iter().map(|r| (r.id.clone(), r.amount.amount_string())).collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[test]
fn the_niteputter_table_prices_by_zone_weight_and_subtotal() {
    let table = TableRates::niteputter();
    // California, 2 × 240 g, $50 of goods: flat standard, first express bracket, overnight plus handling.
    let ca = table.rates(&request(to("US", Some("CA")), 240, 2, 5_000));
    assert_eq!(
        summary(&ca),
        pairs(&[("table:us:standard", "5.99"), ("table:us:express", "14.99"), ("table:us:overnight", "36.99")])
    );
    // Over $100, standard is free; a heavier parcel moves express up a bracket and drops overnight (over 2 kg).
    let big = table.rates(&request(to("US", Some("NY")), 1_600, 2, 20_000));
    assert_eq!(summary(&big), pairs(&[("table:us:standard", "0.00"), ("table:us:express", "22.99")]));
    // Alaska is its own zone, matched by region before country.
    let ak = table.rates(&request(to("US", Some("AK")), 240, 1, 50_000));
    assert_eq!(summary(&ak), pairs(&[("table:us-remote:standard", "12.99"), ("table:us-remote:express", "29.99")]));
    let canada = table.rates(&request(to("CA", Some("ON")), 240, 1, 5_000));
    assert_eq!(summary(&canada), pairs(&[("table:canada:standard", "14.99")]));
    let world = table.rates(&request(to("DE", None), 1_200, 1, 5_000));
    assert_eq!(summary(&world), pairs(&[("table:world:standard", "44.99")]));
    assert_eq!(world[0].method, ShippingMethod::Standard);
    assert_eq!((world[0].carrier.as_str(), world[0].estimated_days), ("DHL", Some(12)));
}

#[test]
fn nothing_ships_that_the_table_cannot_price() {
    let table = TableRates::niteputter();
    assert!(table.rates(&request(to("DE", None), 6_000, 1, 5_000)).is_empty(), "heavier than every bracket");
    let mut euros = request(to("DE", None), 100, 1, 5_000);
    euros.currency = Currency::EUR;
    euros.subtotal = Money::from_minor(5_000, Currency::EUR);
    assert!(table.rates(&euros).is_empty(), "another currency");
    let no_world = TableRates::from_toml(
        r#"currency = "USD"
        [[zones]]
        name = "us"
        countries = ["US"]
        [[zones.methods]]
        method = "standard"
        name = "Standard"
        carrier = "USPS"
        flat = "5.00""#,
    )
    .unwrap();
    assert!(no_world.rates(&request(to("FR", None), 100, 1, 5_000)).is_empty(), "no zone serves France");
}

#[test]
fn quotes_are_deterministic_and_tracking_is_honest() {
    futures::executor::block_on(async {
        let table = TableRates::niteputter();
        let req = request(to("US", Some("CA")), 240, 2, 5_000);
        assert_eq!(table.quote(&req).await.unwrap(), table.quote(&req).await.unwrap());
        let tracking = table.track("USPS", "9400100000000000000000").await.unwrap();
        assert_eq!((tracking.status, tracking.events.len()), (TrackingStatus::Unknown, 0));
    });
}

#[test]
fn bad_tables_say_where() {
    let method = |body: &str| {
        format!(
            "currency = \"USD\"\n[[zones]]\nname = \"z\"\ncountries = [\"US\"]\n[[zones.methods]]\nmethod = \"standard\"\nname = \"S\"\ncarrier = \"C\"\n{body}"
        )
    };
    let cases = [
        ("currency = \"XXX\"\nzones = []", "currency"),
        (&method("flat = \"5.999\"") as &str, "zones[0].methods[0].flat"),
        (&method("flat = \"5\"\nbrackets = [{ up_to_grams = 1, amount = \"1\" }]"), "zones[0].methods[0]"),
        (
            &method("brackets = [{ up_to_grams = 5, amount = \"1\" }, { up_to_grams = 5, amount = \"2\" }]"),
            "zones[0].methods[0].brackets",
        ),
        (&method("flat = \"-1\""), "zones[0].methods[0].flat"),
        (&method("flat = \"1\"\nfree_above = \"lots\""), "zones[0].methods[0].free_above"),
    ];
    for (text, at) in cases {
        match TableRates::from_toml(text) {
            Err(TableError::Invalid { at: where_, .. }) => assert_eq!(where_, at, "{text}"),
            other => panic!("expected an error at {at}, got {other:?} for\n{text}"),
        }
    }
    assert!(matches!(TableRates::from_toml("zones = 3"), Err(TableError::Syntax(_))));
    let bad_country = "currency = \"USD\"\n[[zones]]\nname = \"z\"\ncountries = [\"UK\"]\nmethods = []";
    assert!(matches!(TableRates::from_toml(bad_country), Err(TableError::Invalid { .. })));
}

#[test]
fn the_free_shipping_threshold_is_the_lowest_of_the_countrys_zone() {
    let table = TableRates::niteputter();
    let country = |c: &str| CountryCode::new(c).unwrap();
    assert_eq!(table.free_shipping_above(&country("US")), Some(Money::from_minor(10_000, Currency::USD)));
    assert_eq!(table.free_shipping_above(&country("CA")), Some(Money::from_minor(25_000, Currency::USD)));
    assert_eq!(table.free_shipping_above(&country("DE")), None, "the rest of the world pays");
    // Exactly at the threshold standard is free, one cent below it is not: the nudge and the quote agree.
    let at = table.rates(&request(to("US", Some("NY")), 240, 1, 10_000));
    assert_eq!(at[0].amount.amount_string(), "0.00");
    let below = table.rates(&request(to("US", Some("NY")), 240, 1, 9_999));
    assert_eq!(below[0].amount.amount_string(), "5.99");
}

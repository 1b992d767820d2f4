//! The browser side of the server: the storefront's files and pages (caching, compression, not-found pages, the
//! SEO a product page carries), the sitemap and robots file, browser sessions in cookies with their CSRF check,
//! guests' order cookies, the free-shipping nudge and the storefront's config.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::api::{address, call, shop};

/// A request's status, headers and body, whatever the body is.
async fn raw(
    app: &axum::Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = match body {
        Some(json) => request.header("content-type", "application/json").body(Body::from(json.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22).await.unwrap();
    (status, headers, bytes.to_vec())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

/// The `name=value` of cookie `name` among `Set-Cookie` headers.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    set_cookies(headers).into_iter().find_map(|c| {
        let pair = c.split(';').next()?.to_owned();
        pair.starts_with(&format!("{name}=")).then_some(pair)
    })
}

fn value_of(pair: &str) -> &str {
    pair.split_once('=').map_or("", |(_, v)| v)
}

#[tokio::test]
async fn the_storefront_is_served_at_the_root_and_its_files_are_cached_by_hash() {
    let app = shop().await;
    let (status, headers, body) = raw(&app, "GET", "/", &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-cache", "index.html is never cached");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = text(&body);
    assert!(html.contains("<div id=\"root\"></div>"));
    assert!(html.contains("<link rel=\"canonical\" href=\"http://127.0.0.1:8080/\">"), "{html}");
    assert_eq!(html.matches("<title>").count(), 1, "the built title is replaced, not repeated: {html}");
    assert!(!html.contains("<!--nite:head-->"));

    // The built scripts: named by their hash, immutable for a year, with an ETag and gzip (the app's chunk, the
    // largest, is checked here).
    let entry = html.split("src=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    assert!(entry.starts_with("/assets/index-") && entry.ends_with(".js"), "{entry}");
    let (status, _, _) = raw(&app, "GET", &entry, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let built = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/shop/assets");
    let largest = std::fs::read_dir(&built)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "js"))
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let script = format!("/assets/{}", largest.file_name().unwrap().to_str().unwrap());
    let (status, headers, plain) = raw(&app, "GET", &script, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(headers["content-type"], "text/javascript; charset=utf-8");
    assert!(!headers.contains_key("content-encoding"));
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let (_, headers, zipped) = raw(&app, "GET", &script, &[("accept-encoding", "br, gzip;q=0.8")], None).await;
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(headers["vary"], "accept-encoding");
    assert!(zipped.len() * 2 < plain.len(), "gzip shrinks the script: {} of {}", zipped.len(), plain.len());
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(zipped.as_slice()), &mut unzipped).unwrap();
    assert_eq!(unzipped, plain);
    let (status, _, body) = raw(&app, "GET", &script, &[("if-none-match", &etag)], None).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());

    // Other files (images) for an hour; a file that is not there is a 404, not a page.
    let (status, headers, _) = raw(&app, "GET", "/images/niteputter-pro.svg", &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/svg+xml; charset=utf-8");
    assert_eq!(headers["cache-control"], "public, max-age=3600");
    let (status, headers, _) = raw(&app, "GET", "/assets/gone-1234.js", &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "application/problem+json");
    // No way out of the folder.
    for sneaky in ["/../Cargo.toml", "/assets/../../Cargo.toml", "/%2e%2e/Cargo.toml", "/images//niteputter-pro.svg"] {
        let (status, _, body) = raw(&app, "GET", sneaky, &[], None).await;
        assert_ne!(status, StatusCode::OK, "{sneaky}: {}", text(&body));
    }
}

#[tokio::test]
async fn pages_are_the_app_unknown_paths_are_404_and_the_api_stays_json() {
    let app = shop().await;
    for page in ["/cart", "/checkout/shipping", "/account", "/orders/ord_x", "/reset-password", "/sign-in"] {
        let (status, headers, body) = raw(&app, "GET", page, &[], None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
        assert!(text(&body).contains("<meta name=\"robots\" content=\"noindex\">"), "{page} is nobody's search result");
    }
    let (status, _, body) = raw(&app, "GET", "/no/such/page", &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let html = text(&body);
    assert!(html.contains("<div id=\"root\">") && html.contains("noindex"), "the app's not-found page: {html}");
    let (status, _, _) = raw(&app, "HEAD", "/", &[], None).await;
    assert_eq!(status, StatusCode::OK);

    let (status, problem) = call(&app, "GET", "/api/v1/no-such-route", None, &[]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (status, problem) = call(&app, "GET", "/api", None, &[]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (status, problem) = call(&app, "POST", "/checkout/review", Some(json!({})), &[]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "pages are read only");
}

#[tokio::test]
async fn a_product_page_carries_its_title_canonical_open_graph_and_json_ld() {
    let app = shop().await;
    let (status, headers, body) = raw(&app, "GET", "/products/niteputter-pro", &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-cache");
    let html = text(&body);
    assert!(html.contains("<title>NitePutter Pro — NitePutter</title>"), "{html}");
    assert!(html.contains("<link rel=\"canonical\" href=\"http://127.0.0.1:8080/products/niteputter-pro\">"));
    assert!(html.contains("<meta property=\"og:type\" content=\"product\">"));
    assert!(html.contains("<meta property=\"og:image\" content=\"http://127.0.0.1:8080/images/niteputter-pro.svg\">"));
    assert!(html.contains("<link rel=\"preload\" as=\"image\" href=\"/images/niteputter-pro.svg\""));
    assert!(!html.contains("noindex"));

    let ld = json_script(&html, "<script type=\"application/ld+json\">");
    assert_eq!(ld["@type"], "Product");
    assert_eq!(ld["name"], "NitePutter Pro");
    let offers = ld["offers"].as_array().unwrap();
    assert_eq!(offers.len(), 2);
    assert_eq!(offers[0]["price"], "89.99", "the selling price, as the API shows it");
    assert_eq!(offers[0]["priceCurrency"], "USD");
    assert_eq!(offers[0]["availability"], "https://schema.org/InStock");
    assert!(ld.get("aggregateRating").is_none(), "no rating without approved reviews");
    let inline = json_script(&html, "<script type=\"application/json\" id=\"nite-product\">");
    let (_, api) = call(&app, "GET", "/api/v1/products/niteputter-pro", None, &[]).await;
    assert_eq!(inline, api, "the page carries the API's own view of the product");

    let (status, _, body) = raw(&app, "GET", "/products/no-such-light", &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(text(&body).contains("noindex"));
}

fn json_script(html: &str, opening: &str) -> Value {
    let start = html.find(opening).unwrap_or_else(|| panic!("{opening} in {html}")) + opening.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

#[tokio::test]
async fn what_a_product_says_cannot_break_out_of_its_page() {
    let (app, stores) = crate::api::shop_and_stores().await;
    let hostile = "Evil</script><script>alert(1)</script> \"quoted\" & <b>bold</b>";
    let mut product = stores
        .catalog
        .product_by_slug(&nite_core::catalog::Slug::new("niteputter-basic").unwrap())
        .await
        .unwrap()
        .unwrap();
    product.name = hostile.to_owned();
    product.description = format!("{hostile} \u{2028} line");
    stores.catalog.upsert_product(&product).await.unwrap();
    let (_, _, body) = raw(&app, "GET", "/products/niteputter-basic", &[], None).await;
    let html = text(&body);
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(!html.contains("<b>bold</b>"));
    assert_eq!(html.matches("</script>").count(), 3, "the JSON-LD, the product and the app's script: {html}");
    let ld = json_script(&html, "<script type=\"application/ld+json\">");
    assert_eq!(ld["name"], hostile, "escaped for HTML, intact as JSON");
    assert!(html.contains("<title>Evil&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp;"));
}

#[tokio::test]
async fn sitemap_and_robots_come_from_the_catalog() {
    let app = shop().await;
    let (status, headers, body) = raw(&app, "GET", "/sitemap.xml", &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/xml; charset=utf-8");
    let xml = text(&body);
    for path in ["/", "/products/niteputter-basic", "/products/niteputter-pro", "/products/niteputter-complete-system"]
    {
        assert!(xml.contains(&format!("<loc>http://127.0.0.1:8080{path}</loc>")), "{path}: {xml}");
    }
    assert_eq!(xml.matches("<url>").count(), 4);
    let (status, _, body) = raw(&app, "GET", "/robots.txt", &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let robots = text(&body);
    assert!(robots.contains("Disallow: /api/") && robots.contains("Disallow: /checkout"));
    assert!(robots.contains("Sitemap: http://127.0.0.1:8080/sitemap.xml"));
}

#[tokio::test]
async fn browser_sessions_live_in_cookies_and_refresh_needs_the_csrf_token() {
    let app = shop().await;
    let body =
        json!({ "email": "ada@example.com", "password": "correct horse battery", "name": "Ada", "session": "cookie" });
    let (status, headers, signed_in) = raw(&app, "POST", "/api/v1/auth/register", &[], Some(body)).await;
    assert_eq!(status, StatusCode::CREATED);
    let session: Value = serde_json::from_slice(&signed_in).unwrap();
    assert!(session["access_token"].is_string());
    assert!(session["refresh_token"].is_null(), "the refresh token is not in the body: {session}");
    let all = set_cookies(&headers);
    let refresh_cookie = all.iter().find(|c| c.starts_with("nite_refresh=")).unwrap();
    assert!(refresh_cookie.contains("; HttpOnly") && refresh_cookie.contains("; Secure"));
    assert!(refresh_cookie.contains("; SameSite=Strict") && refresh_cookie.contains("; Path=/api/v1/auth"));
    let csrf_cookie = all.iter().find(|c| c.starts_with("nite_csrf=")).unwrap();
    assert!(!csrf_cookie.contains("HttpOnly"), "the page reads the CSRF token");
    assert!(csrf_cookie.contains("; Secure") && csrf_cookie.contains("; SameSite=Strict"));
    let refresh = cookie(&headers, "nite_refresh").unwrap();
    let csrf = cookie(&headers, "nite_csrf").unwrap();
    let both = format!("{refresh}; {csrf}");

    // Without the CSRF header, with a wrong one, or with one of another session: refused.
    let (status, problem) = call(&app, "POST", "/api/v1/auth/refresh", Some(json!({})), &[("cookie", &both)]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("csrf_failed")));
    let wrong = [("cookie", both.as_str()), ("x-csrf-token", "00ff")];
    let (status, _) = call(&app, "POST", "/api/v1/auth/refresh", Some(json!({})), &wrong).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other =
        json!({ "email": "bob@example.com", "password": "correct horse battery", "name": "Bob", "session": "cookie" });
    let (_, bob_headers, _) = raw(&app, "POST", "/api/v1/auth/register", &[], Some(other)).await;
    let bob_csrf = cookie(&bob_headers, "nite_csrf").unwrap();
    let crossed = [("cookie", both.as_str()), ("x-csrf-token", value_of(&bob_csrf))];
    let (status, _) = call(&app, "POST", "/api/v1/auth/refresh", Some(json!({})), &crossed).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a CSRF token belongs to its own session");
    let (status, problem) = call(&app, "POST", "/api/v1/auth/refresh", Some(json!({})), &[]).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_refresh_token")));

    // With it: a new session, new cookies (the refresh token rotates, and its CSRF token with it).
    let good = [("cookie", both.as_str()), ("x-csrf-token", value_of(&csrf))];
    let (status, headers, renewed) = raw(&app, "POST", "/api/v1/auth/refresh", &good, Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{}", text(&renewed));
    let renewed: Value = serde_json::from_slice(&renewed).unwrap();
    assert!(renewed["refresh_token"].is_null());
    let (_, me) = call(
        &app,
        "GET",
        "/api/v1/me",
        None,
        &[("authorization", &format!("Bearer {}", renewed["access_token"].as_str().unwrap()))],
    )
    .await;
    assert_eq!(me["email"], "ada@example.com");
    let refresh2 = cookie(&headers, "nite_refresh").unwrap();
    let csrf2 = cookie(&headers, "nite_csrf").unwrap();
    assert_ne!(refresh2, refresh);
    assert_ne!(csrf2, csrf);

    // The old cookie replayed: the whole sign-in is revoked and the cookies are removed.
    let (status, headers, replay) = raw(&app, "POST", "/api/v1/auth/refresh", &good, Some(json!({}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", text(&replay));
    assert!(set_cookies(&headers).iter().any(|c| c.starts_with("nite_refresh=;") && c.contains("Max-Age=0")));
    let both2 = format!("{refresh2}; {csrf2}");
    let newer = [("cookie", both2.as_str()), ("x-csrf-token", value_of(&csrf2))];
    let (status, _) = call(&app, "POST", "/api/v1/auth/refresh", Some(json!({})), &newer).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "reuse revoked the rotated token too");

    // Sign in again, sign out: the cookies go, and the refresh token with them.
    let login = json!({ "email": "ada@example.com", "password": "correct horse battery", "session": "cookie" });
    let (status, headers, _) = raw(&app, "POST", "/api/v1/auth/login", &[], Some(login)).await;
    assert_eq!(status, StatusCode::OK);
    let (refresh, csrf) = (cookie(&headers, "nite_refresh").unwrap(), cookie(&headers, "nite_csrf").unwrap());
    let both = format!("{refresh}; {csrf}");
    let (status, _) = call(&app, "POST", "/api/v1/auth/logout", Some(json!({})), &[("cookie", &both)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "signing out needs the CSRF token too");
    let good = [("cookie", both.as_str()), ("x-csrf-token", value_of(&csrf))];
    let (status, headers, _) = raw(&app, "POST", "/api/v1/auth/logout", &good, Some(json!({}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(set_cookies(&headers).iter().filter(|c| c.contains("Max-Age=0")).count(), 2);
    let (status, _) = call(&app, "POST", "/api/v1/auth/refresh", Some(json!({})), &good).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Apps keep the token mode: the refresh token in the body, no cookies.
    let (status, headers, body) = raw(
        &app,
        "POST",
        "/api/v1/auth/login",
        &[],
        Some(json!({ "email": "ada@example.com", "password": "correct horse battery" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(set_cookies(&headers).is_empty());
    assert!(serde_json::from_slice::<Value>(&body).unwrap()["refresh_token"].is_string());
}

#[tokio::test]
async fn a_guest_reads_their_order_with_the_cookie_checkout_set() {
    let app = shop().await;
    let (_, cart) = call(&app, "POST", "/api/v1/carts", None, &[]).await;
    let base = format!("/api/v1/carts/{}", cart["id"].as_str().unwrap());
    call(&app, "POST", &format!("{base}/items"), Some(json!({ "sku": "NP-BASIC-GRN", "quantity": 1 })), &[]).await;
    call(
        &app,
        "PUT",
        &format!("{base}/addresses"),
        Some(json!({ "email": "ada@example.com", "shipping_address": address() })),
        &[],
    )
    .await;
    let (_, options) = call(&app, "GET", &format!("{base}/shipping-options"), None, &[]).await;
    call(&app, "PUT", &format!("{base}/shipping-option"), Some(json!({ "id": options["data"][0]["id"] })), &[]).await;
    let (status, headers, placed) =
        raw(&app, "POST", &format!("{base}/checkout"), &[("idempotency-key", "k1")], None).await;
    assert_eq!(status, StatusCode::CREATED);
    let placed: Value = serde_json::from_slice(&placed).unwrap();
    let id = placed["order"]["id"].as_str().unwrap();
    let set = set_cookies(&headers);
    let order_cookie = set.iter().find(|c| c.starts_with("nite_order=")).unwrap();
    assert!(order_cookie.contains(&format!("; Path=/api/v1/orders/{id};")), "only this order's routes: {order_cookie}");
    assert!(order_cookie.contains("HttpOnly") && order_cookie.contains("SameSite=Strict"));
    let pair = cookie(&headers, "nite_order").unwrap();
    assert_eq!(value_of(&pair), placed["order_token"].as_str().unwrap());

    let (status, order) = call(&app, "GET", &format!("/api/v1/orders/{id}"), None, &[("cookie", &pair)]).await;
    assert_eq!((status, order["id"].as_str()), (StatusCode::OK, Some(id)));
    let (status, _) = call(&app, "GET", &format!("/api/v1/orders/{id}"), None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no cookie, no order");
    let (status, _) = call(&app, "GET", &format!("/api/v1/orders/{id}"), None, &[("cookie", "nite_order=guess")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A replayed checkout (a double click) answers the same order, and any cookie it sets is the same token.
    let (status, headers, again) =
        raw(&app, "POST", &format!("{base}/checkout"), &[("idempotency-key", "k1")], None).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(serde_json::from_slice::<Value>(&again).unwrap()["order"]["id"].as_str(), Some(id));
    assert!(cookie(&headers, "nite_order").is_none_or(|again| again == pair));
}

#[tokio::test]
async fn carts_say_how_far_they_are_from_free_shipping() {
    let app = shop().await;
    let (_, cart) = call(&app, "POST", "/api/v1/carts", None, &[]).await;
    assert!(cart["free_shipping"].is_null(), "without a home country and an address there is no threshold to name");
    let base = format!("/api/v1/carts/{}", cart["id"].as_str().unwrap());
    // Canada: free above 250.00; one Basic (49.99) leaves 200.01.
    call(&app, "POST", &format!("{base}/items"), Some(json!({ "sku": "NP-BASIC-GRN", "quantity": 1 })), &[]).await;
    let mut canada = address();
    canada["country"] = json!("CA");
    canada["region"] = json!("ON");
    canada["postal_code"] = json!("M5V 2T6");
    let (status, cart) = call(
        &app,
        "PUT",
        &format!("{base}/addresses"),
        Some(json!({ "email": "a@example.com", "shipping_address": canada })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{cart}");
    assert_eq!(
        cart["free_shipping"],
        json!({ "country": "CA", "above": { "amount": "250.00", "currency": "USD" },
                "remaining": { "amount": "200.01", "currency": "USD" }, "qualifies": false })
    );
    // The US: free above 100.00; three Basics (149.97) qualify.
    let (_, cart) = call(
        &app,
        "PUT",
        &format!("{base}/addresses"),
        Some(json!({ "email": "a@example.com", "shipping_address": address() })),
        &[],
    )
    .await;
    assert_eq!(cart["free_shipping"]["remaining"], json!({ "amount": "50.01", "currency": "USD" }));
    let line = cart["lines"][0]["id"].as_str().unwrap();
    let (_, cart) = call(&app, "PATCH", &format!("{base}/items/{line}"), Some(json!({ "quantity": 3 })), &[]).await;
    assert_eq!(cart["free_shipping"]["remaining"], json!({ "amount": "0.00", "currency": "USD" }));
    assert_eq!(cart["free_shipping"]["qualifies"], true);
    let (_, options) = call(&app, "GET", &format!("{base}/shipping-options"), None, &[]).await;
    assert_eq!(options["data"][0]["price"]["amount"], "0.00", "the nudge and the quote agree");
}

#[tokio::test]
async fn the_storefront_learns_the_payment_provider_from_the_config() {
    let app = shop().await;
    let (status, config) = call(&app, "GET", "/api/v1/config", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(config["payments"], json!({ "provider": "test", "publishable_key": null }));
    assert_eq!(config["currency"], "USD");
    assert_eq!(config["name"], "NitePutter");
}

#[tokio::test]
async fn a_folder_on_disk_can_stand_in_for_the_embedded_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("shop/assets")).unwrap();
    let index =
        |marker: &str| format!("<html><head><title>x</title><!--nite:head--></head><body>{marker}</body></html>");
    std::fs::write(dir.path().join("shop/index.html"), index("from disk")).unwrap();
    std::fs::write(dir.path().join("shop/assets/app-1.js"), "console.log('dev')").unwrap();
    let stores = nite_core::ports::Stores::from_store(std::sync::Arc::new(nite_core::testing::InMemoryStore::new()));
    nite_core::seed::load(&stores).await.unwrap();
    let shop = crate::api::niteputter_shop(stores).build().unwrap();
    let web = nite_http::web::WebSettings { assets_dir: Some(dir.path().to_path_buf()), ..Default::default() };
    let app = nite_http::app(nite_http::AppState::new(shop, None, crate::api::SECRET).with_web(web));

    let (status, _, body) = raw(&app, "GET", "/products/niteputter-pro", &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let html = text(&body);
    assert!(html.contains("from disk") && html.contains("<title>NitePutter Pro — NitePutter</title>"), "{html}");
    let (status, _, body) = raw(&app, "GET", "/assets/app-1.js", &[], None).await;
    assert_eq!((status, text(&body).as_str()), (StatusCode::OK, "console.log('dev')"));
    // Read on every request: a rebuild shows without restarting the server.
    std::fs::write(dir.path().join("shop/index.html"), index("rebuilt")).unwrap();
    let (_, _, body) = raw(&app, "GET", "/", &[], None).await;
    assert!(text(&body).contains("rebuilt"));
    let (status, _, _) = raw(&app, "GET", "/../../etc/passwd", &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The dashboard is served under `/admin` from the same binary: its pages (any path under it, for its router), its
/// files by hash, its stylesheet inlined, never indexed; a missing file is a 404, not a page.
#[tokio::test]
async fn the_dashboard_is_served_under_admin() {
    let app = shop().await;
    for path in ["/admin", "/admin/", "/admin/orders/ord_1", "/admin/promotions/new"] {
        let (status, headers, body) = raw(&app, "GET", path, &[], None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
        let html = text(&body);
        assert!(html.contains("<title>NitePutter admin</title>"), "{html}");
        assert!(html.contains(r#"<meta name="robots" content="noindex, nofollow">"#), "{html}");
        assert!(html.contains("<style>"), "the stylesheet is inlined: {html}");
        assert!(!html.contains("rel=\"stylesheet\""), "{html}");
    }
    let (_, _, body) = raw(&app, "GET", "/admin", &[], None).await;
    let html = text(&body);
    let script = html.split("src=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    assert!(script.starts_with("/admin/assets/") && script.ends_with(".js"), "{script}");
    let (status, headers, body) = raw(&app, "GET", &script, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
    assert!(text(&body).contains("/api/v1/admin/orders"), "the dashboard's own script");
    let (status, _, _) = raw(&app, "GET", "/admin/assets/missing.js", &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, robots) = raw(&app, "GET", "/robots.txt", &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&robots).contains("Disallow: /admin"));
}

//! The browser side, served by the same binary: the NitePutter storefront at `/` and the dashboard at `/admin`.
//!
//! `web/` builds them with Vite into `nite-http/assets/{shop,admin}`; the built files are committed and embedded in
//! the binary (rust-embed), so running the shop needs no Node. This module serves them:
//!
//! - hashed files under `assets/` as immutable for a year, everything else for an hour, every file with an `ETag`
//!   (`304` to a matching `If-None-Match`) and gzip-compressed once, in memory, for clients that accept it;
//! - the pages of the single-page apps as their `index.html`, never cached (`no-cache`), with the page's title,
//!   description, canonical URL and Open Graph tags written in by the server; a product page also gets JSON-LD
//!   (`Product` with an `Offer` per variant and the aggregate rating) and the product itself, so the page shows
//!   without waiting for the API; a path that is no page answers the app's not-found page with `404`;
//! - `/sitemap.xml` and `/robots.txt` from the catalog;
//! - unknown paths under `/api/` stay JSON problems.
//!
//! [`WebSettings::assets_dir`] (`NITE_WEB_DIR`) serves the files from a folder instead, read on every request, for
//! working on the frontend without rebuilding the binary.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use nite_core::ports::ProductFilter;
use serde_json::json;
use sha2::Digest;

use crate::auth::Who;
use crate::error::ApiError;
use crate::state::AppState;

/// What the browser side needs from the server's configuration.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The shop's public URL without a trailing slash (canonical links, the sitemap, Open Graph).
    pub shop_url: String,
    /// The shop's name (page titles).
    pub shop_name: String,
    /// Stripe's publishable key, for Stripe's Payment Element when the shop takes payments with Stripe.
    pub stripe_publishable_key: Option<String>,
    /// Serve the built files from this folder (holding `shop/` and `admin/`) instead of the embedded ones.
    pub assets_dir: Option<PathBuf>,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            shop_url: "http://127.0.0.1:8080".to_owned(),
            shop_name: "NitePutter".to_owned(),
            stripe_publishable_key: None,
            assets_dir: None,
        }
    }
}

#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
struct Embedded;

/// A file ready to send: its bytes, gzip form (for text worth compressing), type and `ETag`.
struct Asset {
    bytes: Cow<'static, [u8]>,
    gzip: Option<Vec<u8>>,
    content_type: HeaderValue,
    etag: HeaderValue,
}

impl Asset {
    fn new(path: &str, bytes: Cow<'static, [u8]>) -> Asset {
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        let textual = mime.type_() == "text"
            || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml" | "svg")
            || mime.suffix().is_some_and(|s| s == "xml" || s == "json");
        let gzip = (textual && bytes.len() > 512)
            .then(|| gzip_at(&bytes, flate2::Compression::best()))
            .flatten()
            .filter(|z| z.len() < bytes.len());
        let etag = format!("\"{}\"", &hex::encode(sha2::Sha256::digest(&bytes))[..32]);
        let content_type = if textual && mime.get_param("charset").is_none() {
            format!("{mime}; charset=utf-8")
        } else {
            mime.to_string()
        };
        Asset {
            bytes,
            gzip,
            content_type: HeaderValue::from_str(&content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            etag: HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"-\"")),
        }
    }
}

/// Gzip at `level`: the best for files (compressed once), a fast one for pages (compressed per request).
fn gzip_at(bytes: &[u8], level: flate2::Compression) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

/// The embedded files, prepared once (hashes and compression) on first use.
fn embedded() -> &'static HashMap<String, Arc<Asset>> {
    static ASSETS: OnceLock<HashMap<String, Arc<Asset>>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        Embedded::iter()
            .filter_map(|path| {
                let file = Embedded::get(&path)?;
                Some((path.to_string(), Arc::new(Asset::new(&path, file.data))))
            })
            .collect()
    })
}

/// The file at `path` (like `shop/index.html`), embedded or from [`WebSettings::assets_dir`].
async fn asset(settings: &WebSettings, path: &str) -> Option<Arc<Asset>> {
    if path.split('/').any(|part| part.is_empty() || part == "." || part == ".." || part.contains('\\')) {
        return None;
    }
    match &settings.assets_dir {
        None => embedded().get(path).cloned(),
        Some(dir) => {
            let bytes = tokio::fs::read(dir.join(path)).await.ok()?;
            Some(Arc::new(Asset::new(path, Cow::Owned(bytes))))
        }
    }
}

/// The routes of the browser side: `/robots.txt`, `/sitemap.xml` and the product pages. Everything else reaches
/// [`fallback`].
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(sitemap))
        .route("/products/{slug}", get(product_page))
}

/// The path inside an app's folder of a URL the app's own build wrote (`/admin/assets/x.css` → `assets/x.css`).
fn inner_path<'a>(which: &str, href: &'a str) -> &'a str {
    let href = href.trim_start_matches('/');
    href.strip_prefix(which).and_then(|rest| rest.strip_prefix('/')).filter(|_| which == "admin").unwrap_or(href)
}

/// Which app a path belongs to, and the path inside its folder.
fn app_of(path: &str) -> (&'static str, &str) {
    match path.strip_prefix("/admin") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => ("admin", rest.trim_start_matches('/')),
        _ => ("shop", path.trim_start_matches('/')),
    }
}

/// The storefront's pages besides products (the router of `web/shop` knows the same list).
fn is_shop_page(path: &str) -> bool {
    const PAGES: &[&str] = &["", "cart", "sign-in", "register", "reset-password", "account", "checkout"];
    const UNDER: &[&str] = &["checkout/", "account/", "orders/"];
    PAGES.contains(&path) || UNDER.iter().any(|prefix| path.starts_with(prefix) && path.len() > prefix.len())
}

/// Everything no route matched: a JSON problem under `/api/` and for other methods than `GET` and `HEAD`; a built
/// file; or a page of the storefront or the dashboard (`404` with the app's not-found page when it is none).
pub(crate) async fn fallback(State(app): State<AppState>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") || (method != Method::GET && method != Method::HEAD) {
        return crate::router::not_found().await.into_response();
    }
    let (which, inner) = app_of(path);
    if !inner.is_empty()
        && let Some(file) = asset(&app.web, &format!("{which}/{inner}")).await
    {
        let cache =
            if inner.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "public, max-age=3600" };
        return send(&file, &headers, cache, StatusCode::OK);
    }
    if inner.rsplit('/').next().is_some_and(|last| last.contains('.')) {
        // A missing file (a script, an image): no page.
        return crate::router::not_found().await.into_response();
    }
    let (status, head) = if which == "admin" {
        (StatusCode::OK, Head::admin(&app.web))
    } else if is_shop_page(inner) {
        (StatusCode::OK, Head::page(&app.web, path))
    } else {
        (StatusCode::NOT_FOUND, Head::not_found(&app.web))
    };
    page(&app.web, which, status, &head, &headers).await
}

/// Sends a file: `304` when the client has it, gzip when the client takes it.
fn send(file: &Asset, headers: &HeaderMap, cache: &'static str, status: StatusCode) -> Response {
    let mut response = if headers.get(header::IF_NONE_MATCH).is_some_and(|tags| etag_matches(tags, &file.etag)) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = match (&file.gzip, accepts_gzip(headers)) {
            (Some(gz), true) => {
                let mut r = (status, Body::from(gz.clone())).into_response();
                r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                r
            }
            _ => (status, Body::from(file.bytes.clone().into_owned())).into_response(),
        };
        response.headers_mut().insert(header::CONTENT_TYPE, file.content_type.clone());
        response
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, file.etag.clone());
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// Whether the client takes gzip (`gzip;q=0` refuses it).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |coding| {
            let mut parts = coding.split(';').map(str::trim);
            let refused = |p: &str| p.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()).is_some_and(|q| q <= 0.0);
            parts.next().is_some_and(|c| c.eq_ignore_ascii_case("gzip")) && !parts.any(refused)
        },
    )
}

fn etag_matches(tags: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(tags) = tags.to_str() else { return false };
    let ours = etag.to_str().unwrap_or_default();
    tags.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == "*" || t == ours)
}

/// What the storefront's pages say about the shop.
const HOME_DESCRIPTION: &str =
    "NitePutter cup lights turn any putting green into a night course: Basic, Pro and the Complete System.";

/// Marks a page of an app, so that a `404` page stays HTML instead of becoming a problem.
#[derive(Clone, Copy)]
pub(crate) struct Page;

/// What the server writes into a page's `<head>`.
struct Head {
    title: String,
    description: String,
    canonical: Option<String>,
    robots: Option<&'static str>,
    og_type: &'static str,
    image: Option<String>,
    /// An image to preload.
    preload: Option<String>,
    /// Markup to show inside `#root` until the app renders (replaced, not hydrated, by the app's first render).
    body: Option<String>,
    /// JSON to put in `<script>` blocks: `(type, id, json)`.
    scripts: Vec<(&'static str, Option<&'static str>, String)>,
}

impl Head {
    /// A page with only a title, a description and what crawlers may do with it.
    fn plain(title: String, description: &str, canonical: Option<String>, robots: Option<&'static str>) -> Head {
        Head {
            title,
            description: description.to_owned(),
            canonical,
            robots,
            og_type: "website",
            image: None,
            preload: None,
            body: None,
            scripts: Vec::new(),
        }
    }

    fn page(web: &WebSettings, path: &str) -> Head {
        if path != "/" {
            // Carts, checkout and accounts are nobody's search result.
            return Head::plain(web.shop_name.clone(), HOME_DESCRIPTION, None, Some("noindex"));
        }
        let title = format!("{} — putting lights for the green after dark", web.shop_name);
        Head::plain(title, HOME_DESCRIPTION, Some(format!("{}/", web.shop_url)), None)
    }

    fn admin(web: &WebSettings) -> Head {
        Head::plain(format!("{} admin", web.shop_name), "The shop's dashboard.", None, Some("noindex, nofollow"))
    }

    fn not_found(web: &WebSettings) -> Head {
        Head::plain(format!("Not found — {}", web.shop_name), "There is no page here.", None, Some("noindex"))
    }

    fn render(&self, web: &WebSettings) -> String {
        let mut head = format!(
            "<title>{title}</title>\n<meta name=\"description\" content=\"{description}\">\n\
             <meta property=\"og:site_name\" content=\"{site}\">\n<meta property=\"og:title\" content=\"{title}\">\n\
             <meta property=\"og:description\" content=\"{description}\">\n<meta property=\"og:type\" content=\"{og_type}\">\n",
            title = escape(&self.title),
            description = escape(&self.description),
            site = escape(&web.shop_name),
            og_type = self.og_type,
        );
        if let Some(url) = &self.canonical {
            head.push_str(&format!(
                "<link rel=\"canonical\" href=\"{url}\">\n<meta property=\"og:url\" content=\"{url}\">\n",
                url = escape(url)
            ));
        }
        if let Some(image) = &self.image {
            head.push_str(&format!("<meta property=\"og:image\" content=\"{}\">\n", escape(image)));
        }
        if let Some(image) = &self.preload {
            // The product's first image is the page's largest paint: fetch it with the HTML, not after the script.
            head.push_str(&format!(
                "<link rel=\"preload\" as=\"image\" href=\"{}\" fetchpriority=\"high\">\n",
                escape(image)
            ));
        }
        if let Some(robots) = self.robots {
            head.push_str(&format!("<meta name=\"robots\" content=\"{robots}\">\n"));
        }
        for (kind, id, json) in &self.scripts {
            let id = id.map(|id| format!(" id=\"{id}\"")).unwrap_or_default();
            head.push_str(&format!("<script type=\"{kind}\"{id}>{}</script>\n", script_json(json)));
        }
        head
    }
}

/// Escapes text for HTML content and double-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON safe inside `<script>`: no `<`, `>` or `&` (so no `</script>` or `<!--`), and no line separators.
fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The built page's `<link rel="stylesheet" … href="…">` and its `href`.
fn stylesheet_link(html: &str) -> Option<(String, String)> {
    let start = html.find("<link rel=\"stylesheet\"")?;
    let end = start + html[start..].find('>')? + 1;
    let link = &html[start..end];
    let href = link.split("href=\"").nth(1)?.split('"').next()?;
    ((href.starts_with("/assets/") || href.starts_with("/admin/assets/")) && href.ends_with(".css"))
        .then(|| (link.to_owned(), href.to_owned()))
}

/// An app's `index.html` with `head` written in: the built file's `<title>` and `<!--nite:head-->` marker are
/// replaced.
async fn page(web: &WebSettings, which: &str, status: StatusCode, head: &Head, request: &HeaderMap) -> Response {
    let Some(index) = asset(web, &format!("{which}/index.html")).await else {
        return crate::router::not_found().await.into_response();
    };
    let template = String::from_utf8_lossy(&index.bytes);
    let without_title = match (template.find("<title>"), template.find("</title>")) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{}", &template[..start], &template[end + "</title>".len()..])
        }
        _ => template.into_owned(),
    };
    let mut html = without_title.replacen("<!--nite:head-->", &head.render(web), 1);
    // The stylesheet goes into the page itself: one round trip less before the first paint on a slow network.
    if let Some((link, href)) = stylesheet_link(&html)
        && let Some(css) = asset(web, &format!("{which}/{}", inner_path(which, &href))).await
        && let Ok(css) = std::str::from_utf8(&css.bytes)
        && !css.contains("</")
    {
        html = html.replacen(&link, &format!("<style>{css}</style>"), 1);
    }
    if let Some(body) = &head.body {
        html = html.replacen("<div id=\"root\"></div>", &format!("<div id=\"root\">{body}</div>"), 1);
        // The page shows before its script runs: let the image and the stylesheet go first on a busy network.
        html = html.replacen("<script type=\"module\" ", "<script type=\"module\" fetchpriority=\"low\" ", 1);
    }
    let mut response =
        match accepts_gzip(request).then(|| gzip_at(html.as_bytes(), flate2::Compression::fast())).flatten() {
            Some(zipped) => {
                let mut r = (status, zipped).into_response();
                r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                r.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
                r
            }
            None => (status, html).into_response(),
        };
    response.extensions_mut().insert(Page);
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self' https://js.stripe.com; \
             frame-src https://js.stripe.com https://hooks.stripe.com; connect-src 'self' https://api.stripe.com; \
             img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; base-uri 'self'; form-action 'self'; \
             frame-ancestors 'none'; object-src 'none'",
        ),
    );
    response
}

/// A product's page: the storefront with the product's title, description, canonical URL, Open Graph tags, JSON-LD
/// and the product itself written in. A `GET` counts as a view, like the API's product route.
async fn product_page(
    State(app): State<AppState>,
    Who(viewer): Who,
    method: Method,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Response {
    let view = match app.shop.catalog.product(&slug).await {
        Ok(view) => view,
        Err(nite_core::Error::NotFound { .. }) => {
            return page(&app.web, "shop", StatusCode::NOT_FOUND, &Head::not_found(&app.web), &headers).await;
        }
        Err(error) => return ApiError::from(error).into_response(),
    };
    if method == Method::GET {
        app.record_view(&view.product.id, viewer.visitor());
    }
    let web = &app.web;
    let p = &view.product;
    let url = format!("{}/products/{}", web.shop_url, p.slug.as_str());
    let absolute = |u: &str| if u.starts_with('/') { format!("{}{u}", web.shop_url) } else { u.to_owned() };
    let offers: Vec<_> = p
        .variants
        .iter()
        .map(|v| {
            let available = view.available.iter().find(|(sku, _)| sku == &v.sku).is_some_and(|(_, n)| *n > 0);
            let price = v.price.selling();
            json!({
                "@type": "Offer",
                "sku": v.sku.as_str(),
                "name": if v.name.is_empty() { p.name.clone() } else { format!("{} — {}", p.name, v.name) },
                "price": price.amount_string(),
                "priceCurrency": price.currency().code(),
                "availability": if available { "https://schema.org/InStock" } else { "https://schema.org/OutOfStock" },
                "url": url,
            })
        })
        .collect();
    let mut product = json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": p.name,
        "description": p.description,
        "sku": p.variants.first().map(|v| v.sku.as_str()),
        "brand": { "@type": "Brand", "name": web.shop_name },
        "image": p.images.iter().map(|i| absolute(&i.url)).collect::<Vec<_>>(),
        "url": url,
        "offers": offers,
    });
    if let (Some(average), count @ 1..) = (view.reviews_summary.average, view.reviews_summary.count) {
        product["aggregateRating"] = json!({
            "@type": "AggregateRating",
            "ratingValue": average.to_string(),
            "reviewCount": count,
            "bestRating": "5",
            "worstRating": "1",
        });
    }
    let mut scripts = vec![("application/ld+json", None, product.to_string())];
    if let Ok(data) = serde_json::to_string(&crate::views::product(view.clone())) {
        scripts.push(("application/json", Some("nite-product"), data));
    }
    let head = Head {
        title: format!("{} — {}", p.name, web.shop_name),
        description: p.description.clone(),
        canonical: Some(url.clone()),
        robots: None,
        og_type: "product",
        image: p.images.first().map(|i| absolute(&i.url)),
        preload: p.images.first().map(|i| i.url.clone()),
        body: Some(product_markup(&view)),
        scripts,
    };
    page(web, "shop", StatusCode::OK, &head, &headers).await
}

/// A price as the storefront shows it: `$89.99` for dollars, else the amount and the code.
fn shown(money: &nite_core::Money) -> String {
    match money.currency().code() {
        "USD" => format!("${}", money.amount_string()),
        code => format!("{} {code}", money.amount_string()),
    }
}

/// The product page's first screen as static HTML, with the storefront's own classes (so the app's first render
/// lands on the same layout): the header, the main image, the name, the price and the description. It paints
/// before the script has loaded, which is what keeps the page's largest paint fast on a slow phone.
fn product_markup(view: &nite_core::services::ProductView) -> String {
    let p = &view.product;
    let image = p.images.first().map_or_else(String::new, |i| {
        format!(
            "<div class=\"space-y-3\"><img src=\"{}\" alt=\"{}\" width=\"800\" height=\"600\" fetchpriority=\"high\" \
             class=\"aspect-[4/3] w-full rounded-xl bg-night-900 object-cover\"></div>",
            escape(&i.url),
            escape(&i.alt)
        )
    });
    let price = p.variants.first().map_or_else(String::new, |v| match v.price.compare_at() {
        Some(regular) => format!(
            "<p class=\"text-2xl\"><span class=\"inline-flex items-baseline gap-2\"><span class=\"font-semibold \
             text-glow-300\">{}</span><s class=\"text-sm text-gray-300\">{}</s></span></p>",
            shown(&v.price.selling()),
            shown(&regular)
        ),
        None => format!(
            "<p class=\"text-2xl\"><span class=\"font-semibold text-white\">{}</span></p>",
            shown(&v.price.selling())
        ),
    });
    format!(
        "<div class=\"flex min-h-dvh flex-col\"><header class=\"border-b border-night-800 bg-night-900\"><div \
         class=\"mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-3\"><a href=\"/\" \
         class=\"text-lg font-bold tracking-tight text-white\"><span aria-hidden=\"true\" class=\"text-glow-400\">● \
         </span>NitePutter</a><nav aria-label=\"Main\" class=\"flex items-center gap-4 text-sm\"><a href=\"/\" \
         class=\"text-gray-200\">Shop</a><a href=\"/sign-in\" class=\"text-gray-200\">Sign in</a><a href=\"/cart\" \
         class=\"rounded bg-night-700 px-3 py-1.5 font-medium text-white\">Cart</a></nav></div></header><main \
         class=\"mx-auto w-full max-w-6xl flex-1 px-4 py-8\"><article class=\"space-y-10\"><div class=\"grid gap-8 \
         md:grid-cols-2\">{image}<div class=\"space-y-5\"><h1 class=\"text-3xl font-bold text-white\">{name}</h1>\
         {price}<p class=\"text-gray-200\">{description}</p></div></div></article></main></div>",
        name = escape(&p.name),
        description = escape(&p.description),
    )
}

/// `robots.txt`: everything but the API, the dashboard, carts, checkout and accounts may be crawled.
async fn robots(State(app): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /api/\nDisallow: /admin\nDisallow: /cart\nDisallow: /checkout\nDisallow: /account\n\
         Disallow: /orders/\n\nSitemap: {}/sitemap.xml\n",
        app.web.shop_url
    );
    text(body, "text/plain; charset=utf-8")
}

/// `sitemap.xml`: the home page and every product page.
async fn sitemap(State(app): State<AppState>) -> Response {
    let mut urls = vec![format!("{}/", app.web.shop_url)];
    let mut cursor = None;
    // At most 50,000 URLs per sitemap file (sitemaps.org): a bounded walk.
    for _ in 0..500 {
        let filter = ProductFilter { category: None, query: None, limit: nite_core::ports::Limit::MAX, cursor };
        let found = match app.shop.catalog.products(&filter).await {
            Ok(found) => found,
            Err(error) => return ApiError::from(error).into_response(),
        };
        urls.extend(found.items.iter().map(|v| format!("{}/products/{}", app.web.shop_url, v.product.slug.as_str())));
        cursor = found.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for url in urls {
        body.push_str(&format!("  <url><loc>{}</loc></url>\n", escape(&url)));
    }
    body.push_str("</urlset>\n");
    text(body, "application/xml; charset=utf-8")
}

fn text(body: String, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_belong_to_their_app() {
        assert_eq!(app_of("/admin"), ("admin", ""));
        assert_eq!(app_of("/admin/orders/ord_1"), ("admin", "orders/ord_1"));
        assert_eq!(app_of("/administrator"), ("shop", "administrator"));
        assert_eq!(inner_path("admin", "/admin/assets/index.css"), "assets/index.css");
        assert_eq!(inner_path("shop", "/assets/index.css"), "assets/index.css");
        assert_eq!(inner_path("shop", "/shop/x.css"), "shop/x.css", "only the dashboard lives under a prefix");
        assert_eq!(app_of("/assets/a.js"), ("shop", "assets/a.js"));
        assert!(is_shop_page("") && is_shop_page("checkout/shipping") && is_shop_page("orders/ord_1"));
        assert!(!is_shop_page("orders/") && !is_shop_page("nowhere"));
    }

    #[test]
    fn script_json_cannot_close_its_script() {
        let json = serde_json::to_string(&json!({ "name": "</script><script>alert(1)</script> & <!--" })).unwrap();
        let safe = script_json(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["name"], "</script><script>alert(1)</script> & <!--");
        assert_eq!(escape("a\"<b>&'"), "a&quot;&lt;b&gt;&amp;&#39;");
    }

    #[test]
    fn gzip_is_taken_unless_refused() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            accepts_gzip(&headers)
        };
        assert!(with("gzip") && with("br, GZIP;q=0.5") && with("deflate, gzip"));
        assert!(!with("br") && !with("gzip;q=0") && !with("gzip; q=0.0"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn etags_match_lists_weak_forms_and_stars() {
        let ours = HeaderValue::from_static("\"abc\"");
        assert!(etag_matches(&HeaderValue::from_static("\"x\", W/\"abc\""), &ours));
        assert!(etag_matches(&HeaderValue::from_static("*"), &ours));
        assert!(!etag_matches(&HeaderValue::from_static("\"abd\""), &ours));
    }
}

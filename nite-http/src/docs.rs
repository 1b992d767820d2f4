//! The OpenAPI 3.1 document, generated from the handlers' own descriptions and the types they send and take, served
//! at `/api/v1/openapi.json`, and Swagger UI at `/docs` from assets compiled into the binary (nothing is fetched
//! at build time or by the reader's browser).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};

use crate::error::Problem;

/// The document's frame: what the paths do not say themselves.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "niteputter",
        description = "The NitePutter shop's API, served by nite's reference server. Money is always \
                       `{\"amount\": \"49.99\", \"currency\": \"USD\"}` with the amount a decimal string. Errors are \
                       problems (RFC 9457) with a stable `code`.",
        license(name = "MIT OR Apache-2.0")
    ),
    components(schemas(Problem)),
    modifiers(&BearerAuth),
    tags(
        (name = "catalog", description = "Products, stock and prices"),
        (name = "reviews", description = "Buyers' reviews, published after moderation"),
        (name = "carts", description = "Guest and customer carts, codes, addresses, shipping"),
        (name = "checkout", description = "Placing the order, idempotently"),
        (name = "orders", description = "Orders, read by their customer or with their order token"),
        (name = "payments", description = "Payment confirmations: Stripe's webhook and the test provider"),
        (name = "accounts", description = "Registration, sessions, password reset, the customer's own data"),
        (name = "admin", description = "The administrators' API (role `admin`)"),
    )
)]
pub(crate) struct ApiDoc;

/// Adds the `bearer` scheme the paths' `security` refers to.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build();
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The error responses every route may give: problems with a stable code.
#[derive(IntoResponses)]
#[allow(dead_code, reason = "only its OpenAPI description is used; handlers answer with ApiError")]
pub(crate) enum Problems {
    /// The request was refused: see `code` (`validation_failed`, `not_found`, `unauthorized`, `forbidden`,
    /// `method_not_allowed`, `conflict`, `insufficient_stock`, `cart_changed` (with the re-priced `cart`),
    /// `payload_too_large`, `too_many_requests` and `too_many_pending_orders` (with `Retry-After`)…).
    #[response(status = "4XX", content_type = "application/problem+json")]
    Client(Problem),
    /// The server or a service behind it failed, or is too busy (`overloaded`, `timeout`, with `Retry-After`);
    /// `detail` never carries internals.
    #[response(status = "5XX", content_type = "application/problem+json")]
    Server(Problem),
}

/// Swagger UI at `/docs` over the document at `/api/v1/openapi.json`. The page and its scripts come from the binary,
/// and swagger.io's online validator is turned off, so a reader's browser fetches nothing from anywhere else.
pub(crate) fn swagger_ui(openapi: utoipa::openapi::OpenApi) -> utoipa_swagger_ui::SwaggerUi {
    const DOCUMENT: &str = "/api/v1/openapi.json";
    utoipa_swagger_ui::SwaggerUi::new("/docs")
        .url(DOCUMENT, openapi)
        .config(utoipa_swagger_ui::Config::new([DOCUMENT]).validator_url("none"))
}

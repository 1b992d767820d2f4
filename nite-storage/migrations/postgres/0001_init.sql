-- nite's schema, PostgreSQL edition. Times are Unix microseconds (BIGINT), money is integer minor units plus a
-- currency code, and whole aggregates (products, carts, orders, reviews, promotions) are stored as JSON documents
-- next to the columns that queries filter, order or lock on. The SQLite edition has the same tables and columns.

CREATE TABLE products (
    position BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    search TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE variants (
    sku TEXT PRIMARY KEY,
    product_id TEXT NOT NULL
);
CREATE INDEX variants_product ON variants (product_id);

CREATE TABLE inventory (
    sku TEXT PRIMARY KEY,
    on_hand BIGINT NOT NULL CHECK (on_hand >= 0),
    reserved BIGINT NOT NULL CHECK (reserved >= 0),
    CHECK (reserved <= on_hand)
);

CREATE TABLE carts (
    id TEXT PRIMARY KEY,
    customer_id TEXT,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX carts_customer ON carts (customer_id, state, created_at);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    customer_id TEXT,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    payment_id TEXT,
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id, created_at);
CREATE INDEX orders_state ON orders (state, created_at);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX orders_payment ON orders (payment_id);
CREATE INDEX orders_expiry ON orders (expires_at) WHERE state = 'pending_payment';

CREATE TABLE order_lines (
    order_id TEXT NOT NULL,
    line_no BIGINT NOT NULL,
    product_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_product ON order_lines (product_id);

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    password_hash TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX customers_created ON customers (created_at, id);

CREATE TABLE reviews (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    status TEXT NOT NULL,
    rating BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (customer_id, product_id)
);
CREATE INDEX reviews_product ON reviews (product_id, status, created_at);
CREATE INDEX reviews_status ON reviews (status, created_at);

CREATE TABLE promotions (
    id TEXT PRIMARY KEY,
    code TEXT UNIQUE,
    usage_limit BIGINT,
    per_customer_limit BIGINT,
    used BIGINT NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);

CREATE TABLE promotion_customer_usage (
    promotion_id TEXT NOT NULL,
    customer_key TEXT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (promotion_id, customer_key)
);

CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    response TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_created ON idempotency_keys (created_at);

CREATE TABLE webhook_inbox (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

CREATE TABLE outbox (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    dedupe_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    lease_owner TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE analytics_events (
    seq BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    product_id TEXT,
    order_id TEXT,
    customer_id TEXT,
    quantity BIGINT NOT NULL,
    amount_minor BIGINT,
    currency TEXT
);
CREATE INDEX analytics_kind_at ON analytics_events (kind, at);

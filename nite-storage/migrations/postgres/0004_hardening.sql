-- The test payment provider's payments, kept in the shop's database so that they survive restarts and every
-- process sees the same ones; the doc is the provider's own JSON.
CREATE TABLE test_payments (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);

-- Who placed an order (a customer id, or a guest's pseudonymous client key) and to which address: for the limit
-- on unpaid orders per client and for promotions judged by a guest's order history.
ALTER TABLE orders ADD COLUMN client_key TEXT;
ALTER TABLE orders ADD COLUMN email TEXT;
UPDATE orders SET email = (doc::jsonb) ->> 'email';
CREATE INDEX orders_client_pending ON orders (client_key) WHERE state = 'pending_payment';
CREATE INDEX orders_email ON orders (email, state);

-- The visitor an analytics event belongs to (a customer id or a pseudonymous client key), for conversion.
ALTER TABLE analytics_events ADD COLUMN visitor TEXT;

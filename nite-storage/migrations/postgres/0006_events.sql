-- Domain events, written in the transaction of the change that causes them, then fanned out: one delivery per
-- event and consumer that takes its kind, leased to one dispatcher at a time (as the outbox's messages are).
CREATE TABLE domain_events (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    payload TEXT NOT NULL,
    fanned_out BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX domain_events_waiting ON domain_events (fanned_out, seq);

-- Webhook endpoints and subscribers. `kinds` is '*' for every kind, else ',order.paid,order.placed,'.
CREATE TABLE event_consumers (
    id TEXT PRIMARY KEY,
    kinds TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE event_deliveries (
    seq BIGSERIAL PRIMARY KEY,
    event_seq BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    consumer_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    lease_owner TEXT,
    last_error TEXT,
    delivered_at BIGINT,
    UNIQUE (event_id, consumer_id)
);
CREATE INDEX event_deliveries_due ON event_deliveries (consumer_id, status, next_attempt_at);

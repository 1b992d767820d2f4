-- Domain events, written in the transaction of the change that causes them, then fanned out: one delivery per
-- event and consumer that takes its kind, leased to one dispatcher at a time (as the outbox's messages are).
CREATE TABLE domain_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    payload TEXT NOT NULL,
    fanned_out INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX domain_events_waiting ON domain_events (fanned_out, seq);

-- Webhook endpoints and subscribers. `kinds` is '*' for every kind, else ',order.paid,order.placed,'.
CREATE TABLE event_consumers (
    id TEXT PRIMARY KEY,
    kinds TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE event_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_seq INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    consumer_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    lease_owner TEXT,
    last_error TEXT,
    delivered_at INTEGER,
    UNIQUE (event_id, consumer_id)
);
CREATE INDEX event_deliveries_due ON event_deliveries (consumer_id, status, next_attempt_at);

-- Refresh tokens (rotated on use; a reused one revokes its family) and one-time password-reset tokens, stored as
-- SHA-256 hashes only.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    spent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);

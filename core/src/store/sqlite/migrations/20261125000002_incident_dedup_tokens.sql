-- At most one unresolved incident per alert fingerprint: the webhook's
-- de-duplication holds even if two writers race. Partial indexes exist in
-- PostgreSQL with the same syntax.
CREATE UNIQUE INDEX incidents_open_fingerprint ON incidents (fingerprint)
    WHERE fingerprint IS NOT NULL AND status <> 'resolved';

CREATE INDEX incidents_by_alertname ON incidents (alertname, opened_at);

-- API tokens, stored as SHA-256 of the secret; the secret is shown once.
CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- A name is reusable once its token is revoked.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;

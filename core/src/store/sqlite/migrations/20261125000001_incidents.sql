-- Incidents and their append-only timeline.
-- Timestamps are RFC 3339 UTC text; labels and payloads are JSON text.
-- Plain SQL that PostgreSQL also accepts, except the trigger syntax below.

CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    severity        TEXT,
    runbook_key     TEXT,
    alertname       TEXT,
    labels          TEXT NOT NULL DEFAULT '{}',
    fingerprint     TEXT,
    opened_at       TEXT NOT NULL,
    opened_by       TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    resolved_at     TEXT,
    resolved_by     TEXT
);

CREATE INDEX incidents_by_runbook ON incidents (runbook_key, status);
CREATE INDEX incidents_by_status ON incidents (status, opened_at);

CREATE TABLE incident_events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX incident_events_by_incident ON incident_events (incident_id, id);

-- The timeline is a ledger: the database itself refuses to rewrite it.
CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events
BEGIN
    SELECT RAISE(ABORT, 'incident_events is append-only: UPDATE refused');
END;

CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events
BEGIN
    SELECT RAISE(ABORT, 'incident_events is append-only: DELETE refused');
END;

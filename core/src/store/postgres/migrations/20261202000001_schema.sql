-- The whole schema in PostgreSQL's dialect: what the SQLite migrations built
-- up in four steps, as one. Identity ids, `timestamptz` times, `jsonb`
-- labels/payloads/results, `boolean` flags.

-- The ledgers (incident events, revisions, check runs) refuse to be
-- rewritten: one trigger function, attached to each of them below.
CREATE FUNCTION portal_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TABLE incidents (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title           text NOT NULL,
    status          text NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    severity        text,
    runbook_key     text,
    alertname       text,
    labels          jsonb NOT NULL DEFAULT '{}',
    fingerprint     text,
    opened_at       timestamptz NOT NULL,
    opened_by       text NOT NULL,
    acknowledged_at timestamptz,
    acknowledged_by text,
    resolved_at     timestamptz,
    resolved_by     text
);

CREATE INDEX incidents_by_runbook ON incidents (runbook_key, status);
CREATE INDEX incidents_by_status ON incidents (status, opened_at);
CREATE INDEX incidents_by_alertname ON incidents (alertname, opened_at);

-- At most one unresolved incident per alert fingerprint: the webhook's
-- de-duplication holds even if two portals race.
CREATE UNIQUE INDEX incidents_open_fingerprint ON incidents (fingerprint)
    WHERE fingerprint IS NOT NULL AND status <> 'resolved';

CREATE TABLE incident_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint NOT NULL REFERENCES incidents (id),
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    kind        text NOT NULL,
    payload     jsonb NOT NULL DEFAULT '{}'
);

CREATE INDEX incident_events_by_incident ON incident_events (incident_id, id);

CREATE TRIGGER incident_events_append_only BEFORE UPDATE OR DELETE ON incident_events
    FOR EACH ROW EXECUTE FUNCTION portal_append_only();
CREATE TRIGGER incident_events_no_truncate BEFORE TRUNCATE ON incident_events
    FOR EACH STATEMENT EXECUTE FUNCTION portal_append_only();

-- API tokens, stored as SHA-256 of the secret; the secret is shown once.
CREATE TABLE api_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,
    hash       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);

-- A name is reusable once its token is revoked.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;

-- Every diagnosis check run; append-only, like the incident timeline.
CREATE TABLE check_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    runbook_key text NOT NULL,
    check_id    text NOT NULL,
    kind        text NOT NULL,
    status      text NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
    actor       text NOT NULL,
    started_at  timestamptz NOT NULL,
    duration_ms bigint NOT NULL,
    incident_id bigint REFERENCES incidents (id),
    -- The whole result (labels, target, message, series, excerpt).
    result      jsonb NOT NULL
);

CREATE INDEX check_runs_by_check ON check_runs (runbook_key, check_id, id);

CREATE TRIGGER check_runs_append_only BEFORE UPDATE OR DELETE ON check_runs
    FOR EACH ROW EXECUTE FUNCTION portal_append_only();
CREATE TRIGGER check_runs_no_truncate BEFORE TRUNCATE ON check_runs
    FOR EACH STATEMENT EXECUTE FUNCTION portal_append_only();

-- Runbook revisions: every version of every runbook file, append-only.
-- `runbook_key` is the file's path under the runbook root (`group/Alert.md`).
CREATE TABLE runbook_revisions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    runbook_key text NOT NULL,
    parent_id   bigint REFERENCES runbook_revisions (id),
    source      text NOT NULL,
    author      text NOT NULL,
    created_at  timestamptz NOT NULL,
    message     text NOT NULL DEFAULT '',
    origin      text NOT NULL CHECK (origin IN ('filesystem', 'web', 'api')),
    deleted     boolean NOT NULL DEFAULT false
);

CREATE INDEX runbook_revisions_by_key ON runbook_revisions (runbook_key, id);

CREATE TRIGGER runbook_revisions_append_only BEFORE UPDATE OR DELETE ON runbook_revisions
    FOR EACH ROW EXECUTE FUNCTION portal_append_only();
CREATE TRIGGER runbook_revisions_no_truncate BEFORE TRUNCATE ON runbook_revisions
    FOR EACH STATEMENT EXECUTE FUNCTION portal_append_only();

-- What the directory import last saw of each file (SHA-256 of its text).
-- Bookkeeping, not history: mutable.
CREATE TABLE runbook_files_seen (
    runbook_key text PRIMARY KEY,
    sha256      text NOT NULL,
    seen_at     timestamptz NOT NULL
);

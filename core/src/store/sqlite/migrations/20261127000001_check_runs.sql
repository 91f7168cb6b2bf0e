-- Every diagnosis check run, whether or not an incident recorded it: the
-- runbook page shows each check's last result from here. Append-only, like
-- the incident timeline.

CREATE TABLE check_runs (
    id          INTEGER PRIMARY KEY,
    runbook_key TEXT NOT NULL,
    check_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
    actor       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    incident_id INTEGER REFERENCES incidents (id),
    -- The whole result as JSON (labels, target, message, series, excerpt).
    result      TEXT NOT NULL
);

CREATE INDEX check_runs_by_check ON check_runs (runbook_key, check_id, id);

CREATE TRIGGER check_runs_no_update BEFORE UPDATE ON check_runs
BEGIN
    SELECT RAISE(ABORT, 'check_runs is append-only: UPDATE refused');
END;

CREATE TRIGGER check_runs_no_delete BEFORE DELETE ON check_runs
BEGIN
    SELECT RAISE(ABORT, 'check_runs is append-only: DELETE refused');
END;

-- Runbook revisions: every version of every runbook file, append-only.
-- `runbook_key` is the file's path under the runbook root (`group/Alert.md`),
-- so an export writes each current revision back where it came from.
-- `deleted` marks a file removed on disk; history keeps what it held.

CREATE TABLE runbook_revisions (
    id          INTEGER PRIMARY KEY,
    runbook_key TEXT NOT NULL,
    parent_id   INTEGER REFERENCES runbook_revisions (id),
    source      TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    message     TEXT NOT NULL DEFAULT '',
    origin      TEXT NOT NULL CHECK (origin IN ('filesystem', 'web', 'api')),
    deleted     INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX runbook_revisions_by_key ON runbook_revisions (runbook_key, id);

CREATE TRIGGER runbook_revisions_no_update BEFORE UPDATE ON runbook_revisions
BEGIN
    SELECT RAISE(ABORT, 'runbook_revisions is append-only: UPDATE refused');
END;

CREATE TRIGGER runbook_revisions_no_delete BEFORE DELETE ON runbook_revisions
BEGIN
    SELECT RAISE(ABORT, 'runbook_revisions is append-only: DELETE refused');
END;

-- What the directory import last saw of each file (SHA-256 of its text), so
-- only a file that changed on disk becomes a revision: an unchanged file
-- never overwrites a newer web edit. Bookkeeping, not history: mutable.
CREATE TABLE runbook_files_seen (
    runbook_key TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL,
    seen_at     TEXT NOT NULL
);

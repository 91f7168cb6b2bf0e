-- Alert history: every state change of every alert series the poller
-- leader saw, and the webhook notifications that add to it. Times are
-- milliseconds since the epoch (INTEGER), not text like the other tables:
-- the history page groups and subtracts them over up to a million rows,
-- and integers compare, divide into days and index compactly.

CREATE TABLE alert_transitions (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    alertname   TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    upstream    TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved', 'silenced', 'unsilenced', 'inhibited')),
    source      TEXT NOT NULL CHECK (source IN ('poll', 'webhook')),
    -- What the page names the series by: its instance label, else its
    -- other labels; grouped without reading the JSON.
    instance    TEXT NOT NULL,
    labels      TEXT NOT NULL,
    starts_at   INTEGER,
    ends_at     INTEGER
);

-- The page's questions are per alert name and state over a time range;
-- `state` second so a count of firings reads only firing entries, and the
-- columns the aggregates read after `at`, so every one of them is answered
-- from the index alone (no row lookups, whatever the row order).
CREATE INDEX alert_transitions_by_alert
    ON alert_transitions (alertname, state, at, instance, starts_at, ends_at);
-- A series' own rows: the duplicate guard and "when did it resolve".
CREATE INDEX alert_transitions_by_series ON alert_transitions (fingerprint, at);

CREATE TRIGGER alert_transitions_no_update BEFORE UPDATE ON alert_transitions
BEGIN
    SELECT RAISE(ABORT, 'alert_transitions is append-only: UPDATE refused');
END;

-- Retention pruning deletes old rows; nothing younger than a day goes.
CREATE TRIGGER alert_transitions_prune_only BEFORE DELETE ON alert_transitions
WHEN OLD.at > (CAST(strftime('%s', 'now') AS INTEGER) - 86400) * 1000
BEGIN
    SELECT RAISE(ABORT, 'alert_transitions is append-only: only rows older than a day may be pruned');
END;

-- Alert history: every state change of every alert series the poller
-- leader saw, and the webhook notifications that add to it.

CREATE TABLE alert_transitions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    alertname   text NOT NULL,
    fingerprint text NOT NULL,
    upstream    text NOT NULL,
    state       text NOT NULL CHECK (state IN ('pending', 'firing', 'resolved', 'silenced', 'unsilenced', 'inhibited')),
    source      text NOT NULL CHECK (source IN ('poll', 'webhook')),
    -- What the page names the series by: its instance label, else its
    -- other labels; grouped without reading the JSON.
    instance    text NOT NULL,
    labels      jsonb NOT NULL,
    starts_at   timestamptz,
    ends_at     timestamptz
);

-- The page's questions are per alert name and state over a time range;
-- the columns the aggregates read ride along, so they are index-only scans.
CREATE INDEX alert_transitions_by_alert ON alert_transitions (alertname, state, at)
    INCLUDE (instance, starts_at, ends_at);
-- A series' own rows: the duplicate guard and "when did it resolve".
CREATE INDEX alert_transitions_by_series ON alert_transitions (fingerprint, at);

-- Append-only, except retention pruning of rows older than a day.
CREATE FUNCTION portal_prune_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '1 day' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused (only rows older than a day may be pruned)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER alert_transitions_append_only BEFORE UPDATE OR DELETE ON alert_transitions
    FOR EACH ROW EXECUTE FUNCTION portal_prune_only();
CREATE TRIGGER alert_transitions_no_truncate BEFORE TRUNCATE ON alert_transitions
    FOR EACH STATEMENT EXECUTE FUNCTION portal_append_only();

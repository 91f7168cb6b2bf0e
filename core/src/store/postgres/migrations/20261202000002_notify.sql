-- Tell every portal listening that a ledger grew. PostgreSQL delivers a
-- notification at commit (never for a rolled-back transaction) and merges
-- duplicates within one, so a group commit of many events is one wake-up.
-- The payload is empty: listeners re-read what they have not seen by id.
CREATE FUNCTION portal_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_ARGV[0], '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER incident_events_notify AFTER INSERT ON incident_events
    FOR EACH STATEMENT EXECUTE FUNCTION portal_notify('portal_timeline');
CREATE TRIGGER runbook_revisions_notify AFTER INSERT ON runbook_revisions
    FOR EACH STATEMENT EXECUTE FUNCTION portal_notify('portal_revisions');

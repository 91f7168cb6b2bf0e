-- The poller leader's newest picture of the upstreams, one row upserted on
-- each publish: followers only ever need the newest, so nothing piles up.
-- `version` grows across leaders (each publish adds one to the row's).
-- `json`, not `jsonb`: it is only ever read whole, and `jsonb` would refuse
-- a label value holding \u0000, making every publish fail.
CREATE TABLE alert_snapshots (
    id           smallint PRIMARY KEY CHECK (id = 1),
    version      bigint NOT NULL,
    published_at timestamptz NOT NULL,
    leader       text NOT NULL,
    snapshot     json NOT NULL
);

-- A new picture wakes every follower at commit; a heartbeat (which only
-- moves published_at) does not. Empty payload: followers read the row.
CREATE TRIGGER alert_snapshots_notify AFTER INSERT OR UPDATE OF version ON alert_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION portal_notify('portal_alerts');

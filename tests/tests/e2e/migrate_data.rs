//! Moving up: the real binary's `migrate-data` copies the SQLite file a
//! portal wrote into a real PostgreSQL (Debian's, on loopback); a portal
//! started there serves the same incident timeline, revision history and
//! API token over HTTP, and new writes get fresh ids. A second run into the
//! now non-empty database is refused, naming the table, and a source file
//! that does not exist is refused instead of created.

use std::path::Path;
use std::process::{Command, Output};

use chrono::{DateTime, SubsecRound, Utc};
use portal_core::store::postgres::testdb::Cluster;
use portal_tests::Portal;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// `runbook-portal <args>` in `dir`, with nothing from our environment.
fn portal_command(dir: &Path, args: &[&str]) -> Output {
    Command::new(portal_tests::portal::binary().expect("binary"))
        .current_dir(dir)
        .env_clear()
        .args(args)
        .output()
        .expect("runbook-portal")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Times cut to the microsecond (what PostgreSQL keeps), everything else
/// as it was.
fn to_micros(value: &Value) -> Value {
    match value {
        Value::String(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(at) => Value::String(at.with_timezone(&Utc).trunc_subsecs(6).to_rfc3339()),
            Err(_) => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(to_micros).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), to_micros(value)))
                .collect(),
        ),
        _ => value.clone(),
    }
}

async fn post(
    portal: &Portal,
    path: &str,
    body: Value,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", portal.url))
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("POST");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn migrate_data_moves_a_sqlite_portal_to_postgresql() {
    // A team's portal on SQLite, with history.
    let sqlite = Portal::start(&[], &[]).await.expect("portal on SQLite");
    let (status, incident) = post(
        &sqlite,
        "/api/v1/incidents",
        json!({"runbook": "node-exporter/HostHighCpuLoad", "labels": {"instance": "web1:9100"}}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let id = incident["id"].as_i64().expect("id");
    let events = format!("/api/v1/incidents/{id}/events");
    for action in [
        json!({"kind": "note", "text": "load from the batch job"}),
        json!({"kind": "ack"}),
        json!({"kind": "resolve", "reason": "job moved"}),
        json!({"kind": "reopen", "reason": "back again"}),
    ] {
        let (status, body) = post(&sqlite, &events, action, None).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let database = sqlite.database.to_str().expect("path").to_string();
    let created = portal_command(
        sqlite.dir.path(),
        &["--database", &database, "token", "create", "ci-bot"],
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    let secret = text(&created.stdout).trim().to_string();
    let timeline = sqlite.get_json(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(
        timeline["events"].as_array().map(Vec::len),
        Some(5),
        "{timeline}"
    );
    let key = "node-exporter/HostHighCpuLoad";
    let history = sqlite
        .get_json(&format!("/api/v1/runbooks/{key}/history"))
        .await;
    assert!(
        history["total"].as_i64().is_some_and(|n| n > 0),
        "{history}"
    );

    // Stop it (keeping its directory), then move its data.
    let Portal { dir, mut child, .. } = sqlite;
    child.kill();
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let from = format!("sqlite://{database}");
    let migrated = portal_command(dir.path(), &["migrate-data", "--from", &from, "--to", &url]);
    let report = text(&migrated.stdout);
    assert!(
        migrated.status.success(),
        "{report}{}",
        text(&migrated.stderr)
    );
    for line in [
        "incidents            1 rows",
        "incident_events      5 rows",
        "api_tokens           1 rows",
    ] {
        assert!(report.contains(line), "{line:?} in\n{report}");
    }

    // A portal on PostgreSQL serves the same history.
    let pg = Portal::start_on(&url, &[], &[])
        .await
        .expect("portal on PostgreSQL");
    let moved = pg.get_json(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(to_micros(&moved), to_micros(&timeline));
    let moved_history = pg
        .get_json(&format!("/api/v1/runbooks/{key}/history"))
        .await;
    assert_eq!(
        to_micros(&moved_history),
        to_micros(&history),
        "no re-import: the files seen came along"
    );
    // The token still works; new rows get fresh ids.
    let (status, event) = post(&pg, &events, json!({"kind": "ack"}), Some(&secret)).await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    assert_eq!(event["actor"], "ci-bot");
    let last = timeline["events"][4]["id"].as_i64().expect("event id");
    assert!(
        event["id"].as_i64().is_some_and(|new| new > last),
        "{event}"
    );
    let (status, other) = post(
        &pg,
        "/api/v1/incidents",
        json!({"title": "after the move"}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    assert_eq!(other["id"].as_i64(), Some(id + 1));
    drop(pg);

    // Again into the same, now non-empty, database: refused, nothing written.
    let again = portal_command(dir.path(), &["migrate-data", "--from", &from, "--to", &url]);
    let error = text(&again.stderr);
    assert!(!again.status.success(), "{error}");
    assert!(
        error.contains("not empty: table incidents has 2 rows"),
        "{error}"
    );
    let missing = dir.path().join("no-such.db");
    let missing = missing.to_str().expect("path");
    let refused = portal_command(
        dir.path(),
        &["migrate-data", "--from", missing, "--to", &url],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("does not exist"),
        "{}",
        text(&refused.stderr)
    );
    assert!(!Path::new(missing).exists(), "not created");
}

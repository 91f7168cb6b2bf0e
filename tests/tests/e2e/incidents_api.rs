//! Incidents through the real binary where a process matters: API tokens made
//! by its `token` command, reads with a token, and the append-only ledger at
//! database level. The lifecycle, error shapes and identity policy are tested
//! in process (`server/tests/http/api.rs`).

use std::process::Command;

use portal_tests::Portal;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn post(
    portal: &Portal,
    path: &str,
    body: Value,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = client().post(format!("{}{path}", portal.url)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(portal: &Portal, path: &str) -> (StatusCode, Value) {
    let response = client()
        .get(format!("{}{path}", portal.url))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `runbook-portal token …` against the portal's database.
fn token(portal: &Portal, args: &[&str]) -> (bool, String) {
    let output = Command::new(portal_tests::portal::binary().unwrap())
        .env_clear()
        .arg("--database")
        .arg(&portal.database)
        .arg("token")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).trim().to_string(),
    )
}

#[tokio::test]
async fn identity_tokens_proxy_header_and_cross_site() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("portal.toml");
    std::fs::write(
        &config,
        "[auth]\nanonymous_writes = false\nproxy_header = \"X-Forwarded-User\"\ntrusted_proxies = [\"10.0.0.0/8\"]\n",
    )
    .unwrap();
    let portal = Portal::start_in(dir, &["--config", config.to_str().unwrap()], &[])
        .await
        .unwrap();
    let create = json!({"title": "db slow"});

    let (status, _) = post(&portal, "/api/v1/incidents", create.clone(), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no identity");
    let spoofed = client()
        .post(format!("{}/api/v1/incidents", portal.url))
        .header("X-Forwarded-User", "mallory")
        .json(&create)
        .send()
        .await
        .unwrap();
    assert_eq!(
        spoofed.status(),
        StatusCode::UNAUTHORIZED,
        "proxy header from 127.0.0.1 (not a trusted proxy) is ignored"
    );

    let (ok, secret) = token(&portal, &["create", "ci-bot"]);
    assert!(ok && secret.starts_with("rbp_"), "{secret}");
    let (status, incident) =
        post(&portal, "/api/v1/incidents", create.clone(), Some(&secret)).await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    assert_eq!(incident["opened_by"], "ci-bot");
    let (status, _) = post(
        &portal,
        "/api/v1/incidents",
        create.clone(),
        Some("rbp_0000"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "unknown token");

    let cross_site = client()
        .post(format!(
            "{}/api/v1/incidents/{}/events",
            portal.url, incident["id"]
        ))
        .bearer_auth(&secret)
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"kind": "ack"}))
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);

    let (ok, list) = token(&portal, &["list"]);
    assert!(
        ok && list.contains("ci-bot") && !list.contains(&secret[4..]),
        "{list}"
    );
    assert!(token(&portal, &["revoke", "ci-bot"]).0);
    let (status, _) = post(&portal, "/api/v1/incidents", create.clone(), Some(&secret)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "revoked token");
    assert!(
        !token(&portal, &["revoke", "ci-bot"]).0,
        "revoking twice fails"
    );

    // How the secret is stored is the schema's business: read it raw.
    let db = portal.raw_sqlite().await.unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT hash FROM api_tokens")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(
        stored.iter().all(|h| !h.contains(&secret[4..])),
        "secrets are stored hashed"
    );
    let stored = portal.incidents().await.unwrap();
    let events = stored.iter().map(|(_, events)| events.len()).sum::<usize>();
    assert_eq!(events, 1, "only the token's write landed");
}

#[tokio::test]
async fn reads_need_identity_when_configured() {
    let portal = Portal::start(&[], &[("RUNBOOK_PORTAL_AUTH__REQUIRE_FOR_READS", "true")])
        .await
        .unwrap();
    let (status, _) = get(&portal, "/api/v1/incidents").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let page = client()
        .get(format!("{}/incidents", portal.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = get(&portal, "/healthz").await;
    assert_eq!(status, StatusCode::OK, "probes stay open");
    let (_, secret) = token(&portal, &["create", "reader"]);
    let authorised = client()
        .get(format!("{}/api/v1/incidents", portal.url))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(authorised.status(), StatusCode::OK);
}

#[tokio::test]
async fn events_are_append_only_in_the_database() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let (status, incident) = post(
        &portal,
        "/api/v1/incidents",
        json!({"title": "ledger"}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // A writable connection of our own: the refusal must come from the schema.
    let db = portal.raw_sqlite().await.unwrap();
    let update = sqlx::query("UPDATE incident_events SET actor = 'mallory'")
        .execute(&db)
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM incident_events")
        .execute(&db)
        .await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    let (_, again) = get(&portal, &format!("/api/v1/incidents/{}", incident["id"])).await;
    assert_eq!(again["events"][0]["actor"], "anonymous");
}

//! The real `runbook-portal` binary on a free port with a temporary database.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};
use portal_core::store::{EventRecord, IncidentFilter, IncidentRecord};
use tempfile::TempDir;

use crate::process::{ChildGuard, free_port, wait_ready};

pub struct Portal {
    pub url: String,
    pub database: PathBuf,
    pub dir: TempDir,
    pub child: ChildGuard,
}

/// The portal binary: `RUNBOOK_PORTAL_BIN`, else the one cargo built beside
/// this test (`cargo test` builds it for the server's own CLI tests).
pub fn binary() -> Result<PathBuf> {
    if let Ok(path) = std::env::var("RUNBOOK_PORTAL_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe()?;
    // target/<profile>/deps/<test> → target/<profile>/runbook-portal
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("runbook-portal"))
        .context("unexpected test binary location")?;
    anyhow::ensure!(
        path.exists(),
        "{} is missing: run `cargo test` from the workspace root",
        path.display()
    );
    Ok(path)
}

/// A runbook tree on disk: its `runbooks/` and `rules/` directories.
pub struct Tree {
    pub runbooks: PathBuf,
    pub rules: PathBuf,
    pub name: &'static str,
}

impl Tree {
    /// Our own fixtures (`tests/fixtures`).
    pub fn fixtures() -> Tree {
        Tree {
            runbooks: crate::fixtures().join("runbooks"),
            rules: crate::fixtures().join("rules"),
            name: "test fixtures",
        }
    }

    /// The sample corpus when `RUNBOOK_CORPUS_DIR` names it, else the fixtures.
    pub fn corpus_or_fixtures() -> Tree {
        match std::env::var_os("RUNBOOK_CORPUS_DIR").map(PathBuf::from) {
            Some(dir) => Tree {
                runbooks: dir.join("runbooks"),
                rules: dir.join("rules"),
                name: "sample corpus",
            },
            None => Tree::fixtures(),
        }
    }
}

impl Portal {
    /// Serve `tree` from disk (watched), with extra arguments and environment.
    pub async fn serving(tree: &Tree, args: &[&str], env: &[(&str, &str)]) -> Result<Portal> {
        let (runbooks, rules) = (tree.runbooks.display(), tree.rules.display());
        let (runbooks, rules) = (runbooks.to_string(), rules.to_string());
        let mut all = vec!["--runbooks", runbooks.as_str(), "--rules", rules.as_str()];
        all.extend_from_slice(args);
        Portal::start(&all, env).await
    }

    /// Start with extra command-line arguments and environment variables.
    pub async fn start(args: &[&str], env: &[(&str, &str)]) -> Result<Portal> {
        let dir = tempfile::tempdir()?;
        Portal::start_in(dir, args, env).await
    }

    /// Start in `dir`, reusing its database if one is there.
    pub async fn start_in(dir: TempDir, args: &[&str], env: &[(&str, &str)]) -> Result<Portal> {
        let database = dir.path().join("portal.db");
        Portal::start_with_database(dir, database, args, env).await
    }

    /// A second replica: its own directory, another portal's database file.
    pub async fn start_sharing(
        database: &std::path::Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Portal> {
        let dir = tempfile::tempdir()?;
        Portal::start_with_database(dir, database.to_path_buf(), args, env).await
    }

    /// A portal on the database at `url` (e.g. PostgreSQL), in its own
    /// directory; several may share one database, as replicas do.
    pub async fn start_on(url: &str, args: &[&str], env: &[(&str, &str)]) -> Result<Portal> {
        let dir = tempfile::tempdir()?;
        Portal::start_with_database(dir, PathBuf::from(url), args, env).await
    }

    async fn start_with_database(
        dir: TempDir,
        database: PathBuf,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Portal> {
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let log = dir.path().join("portal.log");
        let mut command = Command::new(binary()?);
        command
            .current_dir(dir.path())
            .env_clear()
            .env("RUST_LOG", "info,runbook_portal=debug")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--database")
            .arg(&database)
            .args(args);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = ChildGuard::spawn("runbook-portal", &mut command, &log)?;
        wait_ready(
            &format!("{url}/readyz"),
            &mut child,
            &log,
            Duration::from_secs(30),
        )
        .await?;
        Ok(Portal {
            url,
            database,
            dir,
            child,
        })
    }

    /// GET `path` without following redirects: the status and the body.
    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, String) {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        let response = client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("GET");
        let status = response.status();
        (status, response.text().await.unwrap_or_default())
    }

    /// Wait until the portal's poller shows `alert` in `state` (`inactive`,
    /// `pending`, `firing`): how a test knows the upstream was read.
    pub async fn wait_alert_state(&self, alert: &str, state: &str) -> Result<()> {
        crate::process::eventually(
            &format!("{alert} {state} on the portal"),
            std::time::Duration::from_secs(30),
            || async {
                let snapshot = self.get_json("/api/v1/alerts").await;
                (snapshot["groups"][alert]["state"] == state).then_some(())
            },
        )
        .await
    }

    /// GET `path` and decode its JSON answer (`Null` when it is not JSON).
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let (_, body) = self.get(path).await;
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null)
    }

    /// POST `body` as JSON to `path`: the status and the decoded answer.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.url))
            .json(body)
            .send()
            .await
            .expect("POST");
        let status = response.status();
        (status, response.json().await.unwrap_or_default())
    }

    pub fn log(&self) -> String {
        crate::process::read_log(&self.dir.path().join("portal.log"))
    }

    /// The portal's stores, opened the way the portal opens them (through
    /// the storage seam), beside the running process.
    pub async fn store(&self) -> Result<portal_core::store::Stores> {
        let database = self.database.to_str().context("database path")?;
        Ok(portal_core::store::open(database).await?)
    }

    /// Every incident with its events, oldest first, read through the store.
    pub async fn incidents(&self) -> Result<Vec<(IncidentRecord, Vec<EventRecord>)>> {
        let store = self.store().await?;
        let mut all = Vec::new();
        loop {
            let filter = IncidentFilter::default();
            let offset = u32::try_from(all.len())?;
            let (page, total) = store.incidents.list(&filter, 1000, offset).await?;
            for summary in page {
                let record = store.incidents.get(summary.id).await?.context("listed")?;
                all.push((record, store.incidents.events(summary.id).await?));
            }
            if all.len() as i64 >= total {
                break;
            }
        }
        store.close().await;
        all.sort_by_key(|(incident, _)| incident.id);
        Ok(all)
    }

    /// The one raw door into the portal's SQLite file, writable, for the few
    /// tests about what the schema itself does (refuses to rewrite a ledger,
    /// stores only a token's hash). Anything else reads through [`Self::store`].
    pub async fn raw_sqlite(&self) -> Result<sqlx::SqlitePool> {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&self.database);
        Ok(sqlx::SqlitePool::connect_with(options).await?)
    }
}

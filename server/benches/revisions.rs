//! Editing figures: save latency (p50/p99, the index rebuild included, on the
//! embedded examples and on the corpus when `RUNBOOK_CORPUS_DIR` is set), the
//! history page of a runbook with 1,000 revisions, and preview latency for
//! the largest runbook, and the worst cases at the body limit (issue #12): a
//! conflicting save of texts that differ everywhere, and previews of hostile
//! nesting. `cargo bench -p runbook-portal --bench revisions`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use portal_core::Actor;
use portal_core::Core as Engines;
use portal_core::revisions::{Origin, SaveRequest};
use portal_core::use_cases::Edit;
use portal_types::SaveOutcome;
use runbook_portal::config::Config;
use tower::ServiceExt;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(what: &str, latencies: &mut [Duration]) {
    latencies.sort();
    println!(
        "{what}: n={}, p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        latencies.len(),
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        latencies[latencies.len() - 1],
    );
}

async fn engines(dir: &std::path::Path, name: &str, corpus: Option<&PathBuf>) -> (Config, Engines) {
    let config = Config {
        database: dir.join(format!("{name}.db")).display().to_string(),
        runbooks: corpus.map(|c| c.join("runbooks")),
        rules: corpus.map(|c| c.join("rules")),
        ..Default::default()
    };
    let started = Instant::now();
    let engines = runbook_portal::serve::build_core(&config).await.unwrap();
    println!(
        "{name}: start (import {} runbooks as revisions, build index) {:.2?}",
        engines.runbooks.index().len(),
        started.elapsed()
    );
    (config, engines)
}

/// Sequential saves through the same path as the editor and the API.
async fn saves(engines: &Engines, key: &str, count: usize, what: &str) {
    let mut latencies = Vec::with_capacity(count);
    for n in 0..count {
        let (base, text) = {
            let target = engines.editing.target(key).unwrap();
            let current = engines
                .revisions
                .revisions()
                .current(&target.path)
                .await
                .unwrap()
                .unwrap();
            (current.id, current.source)
        };
        let edit = Edit {
            key: key.to_string(),
            base: Some(base),
            source: format!("{text}\nedit {n}\n"),
            message: format!("bench {n}"),
        };
        let started = Instant::now();
        let outcome = engines
            .editing
            .save(&Actor::named("bench"), Origin::Api, edit)
            .await
            .unwrap();
        latencies.push(started.elapsed());
        assert!(matches!(outcome, SaveOutcome::Saved { .. }));
    }
    report(what, &mut latencies);
}

async fn history_page(config: &Config, engines: &Engines, key: &str) {
    let path = engines.editing.target(key).unwrap().path;
    let store = engines.revisions.revisions();
    let mut source = store.current(&path).await.unwrap().unwrap().source;
    let started = Instant::now();
    for n in 0..999 {
        let base = store.current(&path).await.unwrap().map(|c| c.id);
        source.push_str(&format!("line {n}\n"));
        store
            .save(SaveRequest {
                path: path.clone(),
                base,
                source: source.clone(),
                message: format!("revision {n}"),
                author: "bench".into(),
                origin: Origin::Api,
            })
            .await
            .unwrap();
    }
    println!(
        "999 revisions appended (no index rebuild) in {:.2?}",
        started.elapsed()
    );
    engines.revisions.ensure(i64::MAX).await.ok();
    let router = runbook_portal::http::router(engines.clone(), config, Default::default());
    for (what, url) in [
        (
            "history page (SSR) with 1,000 revisions",
            portal_types::paths::history(key),
        ),
        (
            "GET /api/v1/runbooks/…/history with 1,000 revisions",
            portal_types::paths::RunbookRoute::new(key, portal_types::paths::Verb::History).api(),
        ),
    ] {
        let mut latencies = Vec::new();
        for _ in 0..30 {
            let request = http::Request::get(&url)
                .body(axum::body::Body::empty())
                .unwrap();
            let t = Instant::now();
            let response = router.clone().oneshot(request).await.unwrap();
            assert!(
                response.status().is_success(),
                "{url}: {}",
                response.status()
            );
            axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            latencies.push(t.elapsed());
        }
        report(what, &mut latencies);
    }
}

/// Preview of the largest runbook, as the editor asks for it while typing.
async fn preview(engines: &Engines) {
    let index = engines.runbooks.index();
    let mut largest = None;
    for runbook in index.runbooks() {
        let current = engines
            .revisions
            .revisions()
            .current(&runbook.source_path)
            .await
            .unwrap()
            .unwrap();
        if largest
            .as_ref()
            .is_none_or(|(_, text): &(String, String)| current.source.len() > text.len())
        {
            largest = Some((runbook.key.clone(), current.source));
        }
    }
    let (key, text) = largest.unwrap();
    let mut latencies = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        engines.editing.preview(&key, text.clone()).await.unwrap();
        latencies.push(t.elapsed());
    }
    report(
        &format!(
            "preview of the largest runbook {key} ({} bytes)",
            text.len()
        ),
        &mut latencies,
    );
}

/// A text of `lines` lines, none shared with another tag's.
fn distinct(tag: &str, lines: usize) -> String {
    (0..lines).map(|i| format!("{tag} {i}\n")).collect()
}

/// A save based on an old revision, the current one differing everywhere:
/// at the text limit (refused before merging) and at the merge bound (merged).
async fn worst_case_save(engines: &Engines) {
    let key = "node-exporter/HostHighCpuLoad";
    let store = engines.revisions.revisions();
    let path = engines.editing.target(key).unwrap().path;
    for (what, lines) in [
        ("at the text limit, 64k lines", 64_000),
        (
            "at the merge bound",
            portal_core::revisions::merge::MAX_MERGE_LINES,
        ),
    ] {
        let mut latencies = Vec::new();
        for n in 0..5 {
            let old = store.current(&path).await.unwrap().unwrap().id;
            let alice = Edit {
                key: key.into(),
                base: Some(old),
                source: distinct(&format!("alice{n}"), lines),
                message: "alice".into(),
            };
            engines
                .editing
                .save(&Actor::named("alice"), Origin::Api, alice)
                .await
                .unwrap();
            let bob = Edit {
                key: key.into(),
                base: Some(old),
                source: distinct(&format!("bob{n}"), lines),
                message: "bob".into(),
            };
            let t = Instant::now();
            let outcome = engines
                .editing
                .save(&Actor::named("bob"), Origin::Api, bob)
                .await;
            latencies.push(t.elapsed());
            assert!(
                matches!(outcome, Ok(SaveOutcome::Conflict(_)) | Err(_)),
                "{outcome:?}"
            );
        }
        report(
            &format!("worst-case conflicting save, {what}"),
            &mut latencies,
        );
    }
}

/// Previews of the deepest nesting that fits in the text limit.
async fn worst_case_preview(engines: &Engines) {
    const LIMIT: usize = 1024 * 1024;
    for (what, text) in [
        ("nested <div>", "<div>".repeat(LIMIT / 5)),
        ("nested > quotes", ">".repeat(LIMIT - 2) + " x"),
        ("nested list items", "1. ".repeat(LIMIT / 3 - 1) + "x"),
        ("code blocks", "```\nx\n```\n".repeat(LIMIT / 10)),
    ] {
        let mut latencies = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            engines
                .editing
                .preview("new-group/Worst", text.clone())
                .await
                .unwrap();
            latencies.push(t.elapsed());
        }
        report(
            &format!("worst-case preview, {what} ({} bytes)", text.len()),
            &mut latencies,
        );
    }
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (config, examples) = engines(dir.path(), "examples", None).await;
    saves(
        &examples,
        "node-exporter/HostHighCpuLoad",
        200,
        "save, embedded examples (6 runbooks)",
    )
    .await;
    history_page(&config, &examples, "node-exporter/HostOutOfDiskSpace").await;
    worst_case_save(&examples).await;
    worst_case_preview(&examples).await;
    let corpus = std::env::var_os("RUNBOOK_CORPUS_DIR").map(PathBuf::from);
    match corpus {
        Some(corpus) => {
            let (_, engines) = engines(dir.path(), "corpus", Some(&corpus)).await;
            let key = engines.runbooks.index().runbooks()[0].key.clone();
            saves(&engines, &key, 30, "save, corpus (index rebuilt per save)").await;
            preview(&engines).await;
        }
        None => {
            println!("RUNBOOK_CORPUS_DIR is not set: corpus figures skipped");
            preview(&examples).await;
        }
    }
}

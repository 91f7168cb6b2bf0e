//! Wiki editing over HTTP against the real binary: conflict-safe saves with
//! automatic merges, file changes on top of web edits, export and re-import
//! byte for byte (our fixtures always, the corpus when `RUNBOOK_CORPUS_DIR`
//! is set), and XSS in edited content.

use std::path::{Path, PathBuf};
use std::time::Duration;

use portal_tests::process::eventually;
use portal_tests::{Portal, fixtures};
use reqwest::StatusCode;
use serde_json::{Value, json};

const KEY: &str = "node-exporter/HostHighCpuLoad";

async fn raw(portal: &Portal, key: &str) -> (String, String) {
    let response = reqwest::get(format!("{}/api/v1/runbooks/{key}/raw", portal.url))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "raw {key}");
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    (etag, response.text().await.unwrap())
}

async fn put(portal: &Portal, key: &str, etag: Option<&str>, source: &str) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .put(format!("{}/api/v1/runbooks/{key}", portal.url))
        .json(&json!({ "source": source, "message": "test edit" }));
    if let Some(etag) = etag {
        request = request.header("if-match", etag);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn history(portal: &Portal, key: &str) -> Value {
    let (status, body) = portal.get(&format!("/api/v1/runbooks/{key}/history")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn concurrent_saves_conflict_or_merge_and_lose_nothing() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let (etag, text) = raw(&portal, KEY).await;
    let lines: Vec<&str> = text.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.starts_with("## Meaning"))
        .unwrap();
    let last = lines.len() - 1;
    let with = |at: usize, new: &str| {
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        out[at] = new.to_string();
        out.join("\n") + "\n"
    };

    // Alice and Bob both start from `etag`: Alice wins, Bob (same line) gets 409.
    let (status, alice) = put(
        &portal,
        KEY,
        Some(&etag),
        &with(first, "## Meaning (alice)"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{alice}");
    let bob_text = with(first, "## Meaning (bob)");
    let (status, conflict) = put(&portal, KEY, Some(&etag), &bob_text).await;
    assert_eq!(status, StatusCode::CONFLICT, "{conflict}");
    assert_eq!(conflict["outcome"], "conflict");
    assert_eq!(conflict["mine"], bob_text.as_str());
    assert_eq!(conflict["current"]["id"], alice["revision"]["id"]);
    let theirs = serde_json::to_string(&conflict["theirs"]["unified"]).unwrap();
    assert!(
        theirs.contains("alice"),
        "the diff shows the other change: {theirs}"
    );
    let merged = conflict["merged"].as_str().unwrap();
    assert!(merged.contains("<<<<<<<") && merged.contains("(alice)") && merged.contains("(bob)"));

    // Carol, also from `etag`, changed a line far away: merged automatically.
    let (status, carol) = put(&portal, KEY, Some(&etag), &with(last, "carol was here")).await;
    assert_eq!(status, StatusCode::OK, "{carol}");
    assert_eq!(carol["merged_with"], alice["revision"]["id"]);
    let (etag_now, now) = raw(&portal, KEY).await;
    assert!(now.contains("## Meaning (alice)") && now.contains("carol was here"));
    assert_eq!(etag_now, format!("\"{}\"", carol["revision"]["id"]));

    // Bob resolves the conflict on top of the current revision.
    let resolved = now.replace("## Meaning (alice)", "## Meaning (alice and bob)");
    let (status, _) = put(&portal, KEY, Some(&etag_now), &resolved).await;
    assert_eq!(status, StatusCode::OK);
    let page = portal.get(&format!("/runbooks/{KEY}")).await.1;
    assert!(
        page.contains("alice and bob"),
        "the page shows the save at once"
    );

    // Nothing lost: import, alice, carol's merge, bob's resolution.
    let history = history(&portal, KEY).await;
    assert_eq!(history["total"], 4, "{history}");
    let origins: Vec<&str> = history["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["origin"].as_str().unwrap())
        .collect();
    assert_eq!(origins, ["api", "api", "api", "filesystem"]);

    // Creating over an existing runbook without If-Match is a conflict too;
    // a stale or bogus ETag is refused without writing.
    let (status, _) = put(&portal, KEY, None, "x").await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = put(&portal, KEY, Some("\"abc\""), "x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, created) = put(&portal, "new-group/BrandNew", None, "# new\n").await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        portal.get("/runbooks/new-group/BrandNew").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn file_changed_after_a_web_edit_lands_on_top() {
    let dir = tempfile::tempdir().unwrap();
    let runbooks = dir.path().join("runbooks");
    std::fs::create_dir_all(runbooks.join("live")).unwrap();
    let file = runbooks.join("live/Changing.md");
    std::fs::write(&file, "---\ntitle: Changing\n---\nfrom disk\n").unwrap();
    let portal = Portal::start(&["--runbooks", runbooks.to_str().unwrap()], &[])
        .await
        .unwrap();
    let (etag, _) = raw(&portal, "live/Changing").await;
    let (status, _) = put(
        &portal,
        "live/Changing",
        Some(&etag),
        "---\ntitle: Changing\n---\nfrom the web\n",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Another file changing does not undo the web edit.
    std::fs::write(runbooks.join("live/Other.md"), "other\n").unwrap();
    eventually("the other file", Duration::from_secs(3), || async {
        (portal.get("/runbooks/live/Other").await.0 == StatusCode::OK).then_some(())
    })
    .await
    .unwrap();
    assert!(
        portal
            .get("/runbooks/live/Changing")
            .await
            .1
            .contains("from the web")
    );

    std::fs::write(&file, "---\ntitle: Changing\n---\nchanged on disk again\n").unwrap();
    eventually("the disk change", Duration::from_secs(3), || async {
        portal
            .get("/runbooks/live/Changing")
            .await
            .1
            .contains("changed on disk again")
            .then_some(())
    })
    .await
    .unwrap();
    let history = history(&portal, "live/Changing").await;
    let revisions = history["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 3, "{history}");
    assert_eq!(revisions[0]["author"], "filesystem");
    assert_eq!(revisions[1]["origin"], "api");
    assert_eq!(
        revisions[0]["parent"], revisions[1]["id"],
        "on top of the web edit"
    );
    let (_, page) = portal.get("/runbooks/live/Changing/history").await;
    assert!(page.contains("changed on disk") && page.contains("test edit"));
    let (oldest, newest) = (&revisions[2]["id"], &revisions[0]["id"]);
    let (status, page) = portal
        .get(&format!(
            "/runbooks/live/Changing/history?from={oldest}&to={newest}&view=split"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("class=\"diff split\"") && page.contains("<mark>"),
        "{page}"
    );
}

#[tokio::test]
async fn a_replica_sharing_the_database_serves_the_save() {
    let first = Portal::start(&[], &[]).await.unwrap();
    let second = Portal::start_sharing(&first.database, &[], &[])
        .await
        .unwrap();
    let (etag, text) = raw(&first, KEY).await;
    let (status, _) = put(
        &first,
        KEY,
        Some(&etag),
        &format!("{text}\nREPLICATED-EDIT\n"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let started = std::time::Instant::now();
    eventually(
        "the other replica to serve the save",
        Duration::from_secs(6),
        || async {
            second
                .get(&format!("/runbooks/{KEY}"))
                .await
                .1
                .contains("REPLICATED-EDIT")
                .then_some(())
        },
    )
    .await
    .unwrap();
    println!("replica serves the save after {:?}", started.elapsed());
    // Starting the replica re-imported the same embedded files: no new revisions.
    assert_eq!(history(&second, KEY).await["total"], 2);
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path.strip_prefix(root).unwrap().to_path_buf());
        }
    }
}

/// Serve `runbooks`, export, compare every file, re-import the export.
async fn round_trip(runbooks: &Path, rules: Option<&Path>) -> usize {
    let mut args = vec!["--runbooks", runbooks.to_str().unwrap()];
    if let Some(rules) = rules {
        args.extend(["--rules", rules.to_str().unwrap()]);
    }
    let portal = Portal::start(&args, &[]).await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let export = |dir: &Path| {
        std::process::Command::new(portal_tests::portal::binary().unwrap())
            .arg("--database")
            .arg(&portal.database)
            .arg("export")
            .arg(dir)
            .output()
            .unwrap()
    };
    let result = export(out.path());
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let mut expected = Vec::new();
    walk(runbooks, runbooks, &mut expected);
    let mut exported = Vec::new();
    walk(out.path(), out.path(), &mut exported);
    expected.sort();
    exported.sort();
    assert_eq!(expected, exported, "the same files");
    for path in &expected {
        let original = std::fs::read(runbooks.join(path)).unwrap();
        let copy = std::fs::read(out.path().join(path)).unwrap();
        assert!(original == copy, "{} differs after export", path.display());
    }
    // Re-import: the exported tree adds no revision.
    // Revision ids only grow (the table is append-only): the same newest id
    // after the re-import means no revision was added.
    let store = portal.store().await.unwrap();
    let before = store.revisions.max_id().await.unwrap();
    store.close().await;
    let Portal { dir, mut child, .. } = portal;
    child.kill();
    let again = Portal::start_in(dir, &["--runbooks", out.path().to_str().unwrap()], &[])
        .await
        .unwrap();
    let after = again
        .store()
        .await
        .unwrap()
        .revisions
        .max_id()
        .await
        .unwrap();
    assert_eq!(after, before, "re-import of the export adds nothing");
    expected.len()
}

#[tokio::test]
async fn export_and_reimport_round_trip_fixtures_byte_for_byte() {
    let files = round_trip(
        &fixtures().join("runbooks"),
        Some(&fixtures().join("rules")),
    )
    .await;
    println!("fixtures: {files} files round-tripped");
}

#[tokio::test]
async fn export_and_reimport_round_trip_the_corpus_byte_for_byte() {
    let Some(dir) = std::env::var_os("RUNBOOK_CORPUS_DIR").map(PathBuf::from) else {
        println!("RUNBOOK_CORPUS_DIR is not set: corpus round trip skipped");
        return;
    };
    let root = if dir.join("runbooks").is_dir() {
        dir
    } else {
        dir.parent().unwrap().to_path_buf()
    };
    let files = round_trip(&root.join("runbooks"), Some(&root.join("rules"))).await;
    println!("corpus: {files} files round-tripped byte for byte");
}

static TAG: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"<[a-zA-Z][^>]*>").unwrap());
static DANGEROUS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"^<(script|iframe|svg|object|embed)\b|\son[a-z]+\s*=|javascript:"#).unwrap()
});

#[tokio::test]
async fn xss_in_edited_content_is_neutralised() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let payload = std::fs::read_to_string(fixtures().join("runbooks/xss/ScriptInBody.md")).unwrap()
        + "\n<img src=x onerror=alert(1)> <a href=\"javascript:alert(2)\">x</a> <script>alert(3)</script>\n";
    let (status, _) = put(&portal, "edited/Xss", None, &payload).await;
    assert_eq!(status, StatusCode::CREATED);
    let (etag, _) = raw(&portal, KEY).await;
    let (status, _) = put(&portal, KEY, Some(&etag), &payload).await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/runbooks/edited/Xss",
        &format!("/runbooks/{KEY}"),
        &format!("/runbooks/{KEY}/history"),
    ] {
        let (_, page) = portal.get(path).await;
        let main = &page[page.find("<main>").unwrap()..page.rfind("</main>").unwrap()];
        for tag in TAG.find_iter(main) {
            let tag = tag.as_str().to_lowercase();
            assert!(
                !DANGEROUS.is_match(&tag),
                "{path} has a live payload: {tag}"
            );
        }
        assert!(page.contains("SAFE-TEXT-AFTER-PAYLOADS") || path.ends_with("history"));
    }
}

/// The preview server function renders through the page's pipeline: the
/// rule box from the rule files, parse errors, the sanitiser.
#[tokio::test]
async fn preview_shows_rule_box_parse_errors_and_sanitises() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let preview = |source: &'static str| {
        let url = format!("{}/sf/preview_runbook", portal.url);
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .form(&[("key", "new-group/Previewed"), ("source", source)])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.unwrap()
        }
    };
    let view = preview(
        "---\ntitle: P\n---\n{{% rule \"host-and-hardware/node-exporter.yml\" \"HostHighCpuLoad\" %}}\n\n## Meaning\n\n<img src=x onerror=alert(1)>\n",
    )
    .await;
    // The body's HTML parts (checks would be static cards among them).
    let html: String = view["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|part| part["Html"].as_str())
        .collect();
    assert!(
        html.contains("rule-box") && html.contains("data-source=\"rule-file\""),
        "{html}"
    );
    assert!(!html.contains("onerror"), "{html}");
    let view = preview("---\ntags: [\n---\nbody\n").await;
    assert!(
        view["error"]
            .as_str()
            .unwrap()
            .contains("could not be read"),
        "{view}"
    );
}

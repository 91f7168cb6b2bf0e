//! The runbook directory as an outside review attacked it: what a checkout
//! on disk costs when nothing happens, and what of it may be served.

use std::time::Duration;

use portal_tests::Portal;
use portal_tests::measure::{cpu_time, metric};
use portal_tests::portal::Tree;
use portal_tests::process::eventually;

const BUILDS: &str = "runbook_portal_runbook_index_builds_total";

async fn builds(portal: &Portal) -> f64 {
    metric(&portal.get("/metrics").await.1, BUILDS)
}

/// Watching a tree used to count the import's own reads as changes and
/// rebuild the index about five times a second, forever (a full core).
#[tokio::test]
async fn an_idle_portal_does_not_rebuild() {
    let portal = Portal::serving(&Tree::corpus_or_fixtures(), &[], &[])
        .await
        .unwrap();
    let pid = portal.child.id();
    let before = builds(&portal).await;
    assert!(before >= 1.0, "the start builds the index once");
    let cpu_before = cpu_time(pid);
    tokio::time::sleep(Duration::from_secs(15)).await;
    let after = builds(&portal).await;
    let cpu = cpu_time(pid) - cpu_before;
    println!("idle 15 s: {} rebuilds, {cpu:?} CPU", after - before);
    assert!(
        after - before <= 1.0,
        "{} index rebuilds in 15 idle seconds ({cpu:?} CPU); log:\n{}",
        after - before,
        portal.log()
    );
}

/// A real change still reloads, and only once, after a quiet idle period.
#[tokio::test]
async fn a_change_after_idle_rebuilds_once() {
    let dir = tempfile::tempdir().unwrap();
    let group = dir.path().join("g");
    std::fs::create_dir(&group).unwrap();
    std::fs::write(group.join("A.md"), "---\ntitle: First\n---\n\nbody\n").unwrap();
    let portal = Portal::start(&["--runbooks", dir.path().to_str().unwrap()], &[])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = builds(&portal).await;
    std::fs::write(group.join("A.md"), "---\ntitle: Second\n---\n\nbody\n").unwrap();
    eventually("the edited title", Duration::from_secs(10), || async {
        portal
            .get("/runbooks/g/A")
            .await
            .1
            .contains("Second")
            .then_some(())
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(builds(&portal).await - before, 1.0, "{}", portal.log());
}

/// A committed symlink used to be imported and served: `Env.md ->
/// /proc/self/environ` showed the portal's environment, tokens included.
#[tokio::test]
async fn symlinks_out_of_the_tree_are_not_served() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), "# TOKEN s3cret-value\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let group = dir.path().join("g");
    std::fs::create_dir(&group).unwrap();
    std::fs::write(
        group.join("Real.md"),
        "## Meaning\n\nThe real runbook text.\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", group.join("Env.md")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.md"), group.join("Secret.md")).unwrap();
    std::os::unix::fs::symlink(group.join("Real.md"), group.join("Alias.md")).unwrap();
    let portal = Portal::start(
        &["--runbooks", dir.path().to_str().unwrap()],
        &[("RUNBOOK_PORTAL_WEBHOOK__TOKEN", "webhook-s3cret")],
    )
    .await
    .unwrap();
    for path in ["/runbooks/g/Env", "/runbooks/g/Secret"] {
        let (status, body) = portal.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("s3cret"), "{path} leaked: {body}");
    }
    let (status, body) = portal.get("/runbooks/g/Alias").await;
    assert_eq!(status, 200, "a link inside the tree is followed");
    assert!(body.contains("The real runbook text."));
    let list = portal.get("/api/v1/runbooks").await.1;
    assert!(!list.contains("Env") && !list.contains("Secret"), "{list}");
    let log = portal.log();
    assert!(
        log.contains("g/Env.md") && log.contains("g/Secret.md"),
        "skipped links are logged:\n{log}"
    );
}

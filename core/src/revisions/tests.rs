use portal_types::SaveOutcome;

use super::*;

async fn store() -> (tempfile::TempDir, Revisions) {
    let dir = tempfile::tempdir().unwrap();
    let stores = crate::test_support::stores(&dir).await;
    (dir, Revisions::new(stores.revisions))
}

fn file(path: &str, text: &str) -> SourceFile {
    SourceFile {
        path: path.into(),
        text: text.into(),
    }
}

fn edit(base: Option<i64>, source: &str, author: &str) -> SaveRequest {
    SaveRequest {
        path: "g/A.md".into(),
        base,
        source: source.into(),
        message: "m".into(),
        author: author.into(),
        origin: Origin::Web,
    }
}

fn saved(outcome: SaveOutcome) -> i64 {
    match outcome {
        SaveOutcome::Saved { revision, .. } => revision.id,
        other => panic!("not saved: {other:?}"),
    }
}

#[tokio::test]
async fn import_only_records_changes_and_keeps_web_edits() {
    let (_dir, revisions) = store().await;
    let first = revisions.import(&[file("g/A.md", "one\n")]).await.unwrap();
    assert_eq!(first.changed, 1);
    let again = revisions.import(&[file("g/A.md", "one\n")]).await.unwrap();
    assert_eq!(again, ImportReport::default());
    let base = revisions.current("g/A.md").await.unwrap().unwrap().id;
    saved(
        revisions
            .save(edit(Some(base), "web\n", "alice"))
            .await
            .unwrap(),
    );
    // The unchanged file does not undo the web edit…
    revisions.import(&[file("g/A.md", "one\n")]).await.unwrap();
    assert_eq!(
        revisions.current("g/A.md").await.unwrap().unwrap().source,
        "web\n"
    );
    // …a changed one lands on top of it.
    revisions.import(&[file("g/A.md", "disk\n")]).await.unwrap();
    let (history, total) = revisions.history("g/A.md", 10, 0).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(history[0].source, "disk\n");
    assert_eq!(history[0].author, FILESYSTEM);
    assert_eq!(history[0].parent_id, Some(history[1].id));
    // A removed file is marked deleted and leaves the current set.
    revisions.import(&[]).await.unwrap();
    assert!(revisions.current_files().await.unwrap().0.is_empty());
}

#[tokio::test]
async fn conflicting_saves_are_refused_and_disjoint_ones_merged() {
    let (_dir, revisions) = store().await;
    revisions
        .import(&[file("g/A.md", "a\nb\nc\nd\ne\nf\ng\n")])
        .await
        .unwrap();
    let base = revisions.current("g/A.md").await.unwrap().unwrap().id;
    saved(
        revisions
            .save(edit(Some(base), "A\nb\nc\nd\ne\nf\ng\n", "alice"))
            .await
            .unwrap(),
    );
    // Bob changed another line from the same base: merged.
    match revisions
        .save(edit(Some(base), "a\nb\nc\nd\ne\nf\nG\n", "bob"))
        .await
        .unwrap()
    {
        SaveOutcome::Saved { merged_with, .. } => assert!(merged_with.is_some()),
        other => panic!("{other:?}"),
    }
    let current = revisions.current("g/A.md").await.unwrap().unwrap();
    assert_eq!(current.source, "A\nb\nc\nd\ne\nf\nG\n");
    // Carol changed Alice's line from the old base: conflict, nothing written.
    match revisions
        .save(edit(Some(base), "a2\nb\nc\nd\ne\nf\ng\n", "carol"))
        .await
        .unwrap()
    {
        SaveOutcome::Conflict(conflict) => {
            assert_eq!(conflict.current.id, current.id);
            assert!(conflict.merged.contains("<<<<<<<"));
            assert!(conflict.theirs.added > 0);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(revisions.history("g/A.md", 10, 0).await.unwrap().1, 3);
    // That the rows cannot be rewritten is the schema's promise, checked in
    // `store::sqlite::tests::ledgers_cannot_be_updated_or_deleted`.
}

/// Issue #12: a save that has to merge big, very different texts used to
/// hold the write lock (and `BEGIN IMMEDIATE`) for the whole merge; other
/// writes waited. Now the merge runs without the lock.
#[tokio::test]
async fn other_writes_do_not_wait_on_a_merge() {
    use std::time::{Duration, Instant};
    let (_dir, revisions) = store().await;
    let lines = |tag: &str| -> String {
        (0..super::merge::MAX_MERGE_LINES)
            .map(|i| format!("{tag} {i}\n"))
            .collect()
    };
    revisions
        .import(&[file("g/A.md", &lines("base"))])
        .await
        .unwrap();
    let base = revisions.current("g/A.md").await.unwrap().unwrap().id;
    saved(
        revisions
            .save(edit(Some(base), &lines("alice"), "alice"))
            .await
            .unwrap(),
    );
    // Bob, from the old base, rewrote every line: a long merge, a conflict.
    let merging = {
        let revisions = revisions.clone();
        let bob = edit(Some(base), &lines("bob"), "bob");
        tokio::spawn(async move { revisions.save(bob).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let mut other = edit(None, "other\n", "carol");
    other.path = "g/B.md".into();
    saved(revisions.save(other).await.unwrap());
    let took = started.elapsed();
    assert!(took < Duration::from_millis(500), "waited {took:?}");
    assert!(
        !merging.is_finished(),
        "the merge must still be running for this test to mean anything"
    );
    match merging.await.unwrap().unwrap() {
        SaveOutcome::Conflict(conflict) => assert!(conflict.merged.contains("<<<<<<<")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn texts_too_long_to_merge_are_refused_with_what_to_do() {
    let (_dir, revisions) = store().await;
    let long: String = (0..=super::merge::MAX_MERGE_LINES)
        .map(|i| format!("line {i}\n"))
        .collect();
    revisions.import(&[file("g/A.md", &long)]).await.unwrap();
    let base = revisions.current("g/A.md").await.unwrap().unwrap().id;
    saved(
        revisions
            .save(edit(Some(base), &format!("alice\n{long}"), "alice"))
            .await
            .unwrap(),
    );
    let refused = revisions
        .save(edit(Some(base), &format!("{long}bob\n"), "bob"))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, crate::error::Error::Conflict(m) if m.contains("reload the current text")),
        "{refused:?}"
    );
    // Based on the current revision, the same size saves without a merge.
    let current = revisions.current("g/A.md").await.unwrap().unwrap();
    saved(
        revisions
            .save(edit(
                Some(current.id),
                &format!("{}bob\n", current.source),
                "bob",
            ))
            .await
            .unwrap(),
    );
    let huge = "x".repeat(super::save::MAX_SOURCE_BYTES + 1);
    assert!(matches!(
        revisions.save(edit(None, &huge, "eve")).await,
        Err(crate::error::Error::TooLarge(_))
    ));
}

/// The current revision moved while a save was being merged: the save is
/// merged again on top of the new one instead of overwriting it.
#[tokio::test]
async fn a_save_merged_while_another_landed_is_merged_again() {
    let block = |tag: &str| -> String { (0..2000).map(|i| format!("{tag} {i}\n")).collect() };
    let sep: String = (0..20).map(|i| format!("separator {i}\n")).collect();
    let (_dir, revisions) = store().await;
    let base_text = format!("{}{sep}{}", block("x"), block("y"));
    revisions
        .import(&[file("g/A.md", &base_text)])
        .await
        .unwrap();
    let base = revisions.current("g/A.md").await.unwrap().unwrap().id;
    // Alice rewrote the second half; Bob, from the same base, the first: a
    // clean merge that takes a while.
    let alice_text = format!("{}{sep}{}", block("x"), block("alice"));
    let alice = saved(
        revisions
            .save(edit(Some(base), &alice_text, "alice"))
            .await
            .unwrap(),
    );
    let merging = {
        let revisions = revisions.clone();
        let bob = edit(
            Some(base),
            &format!("{}{sep}{}", block("bob"), block("y")),
            "bob",
        );
        tokio::spawn(async move { revisions.save(bob).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    // Carol appends to Alice's revision while Bob's merge runs.
    let carol = saved(
        revisions
            .save(edit(Some(alice), &format!("{alice_text}carol\n"), "carol"))
            .await
            .unwrap(),
    );
    assert!(
        !merging.is_finished(),
        "Bob's merge must still be running for this test to mean anything"
    );
    match merging.await.unwrap().unwrap() {
        SaveOutcome::Saved { merged_with, .. } => assert_eq!(merged_with, Some(carol)),
        other => panic!("{other:?}"),
    }
    let current = revisions.current("g/A.md").await.unwrap().unwrap();
    assert!(current.source.starts_with("bob 0\n"));
    assert!(current.source.contains("alice 1999\n") && current.source.ends_with("carol\n"));
    assert_eq!(current.parent_id, Some(carol));
}

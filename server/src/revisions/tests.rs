use app::types::SaveOutcome;

use super::*;

async fn store() -> (tempfile::TempDir, Revisions) {
    let dir = tempfile::tempdir().unwrap();
    let pool = crate::db::connect(dir.path().join("r.db").to_str().unwrap())
        .await
        .unwrap();
    (dir, Revisions::new(pool))
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
    let pool = &revisions.pool;
    assert!(
        sqlx::query("UPDATE runbook_revisions SET source = 'x'")
            .execute(pool)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM runbook_revisions")
            .execute(pool)
            .await
            .is_err()
    );
}

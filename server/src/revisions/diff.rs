//! Line diffs with word-level emphasis (the `similar` crate), shaped for the
//! pages: unified lines and side-by-side rows, with unchanged stretches
//! beyond three lines of context folded into a `skip` line.

use app::types::{DiffLine, DiffPart, DiffRow, DiffView};
use similar::{ChangeTag, TextDiff};

/// Lines of context kept around each change.
const CONTEXT: usize = 3;

pub fn diff(old: &str, new: &str) -> DiffView {
    let text_diff = TextDiff::from_lines(old, new);
    let mut view = DiffView::default();
    for (i, group) in text_diff.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 {
            let skip = DiffLine {
                kind: "skip".into(),
                old: None,
                new: None,
                parts: vec![],
            };
            view.unified.push(skip.clone());
            view.rows.push(DiffRow {
                left: Some(skip.clone()),
                right: Some(skip),
            });
        }
        let mut deleted = Vec::new();
        let mut inserted = Vec::new();
        for op in group {
            for change in text_diff.iter_inline_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Equal => "equal",
                    ChangeTag::Delete => "delete",
                    ChangeTag::Insert => "insert",
                };
                let line = DiffLine {
                    kind: kind.into(),
                    old: change.old_index().map(|n| n + 1),
                    new: change.new_index().map(|n| n + 1),
                    parts: parts(change.iter_strings_lossy()),
                };
                view.unified.push(line.clone());
                match change.tag() {
                    ChangeTag::Equal => {
                        pair(&mut view.rows, &mut deleted, &mut inserted);
                        view.rows.push(DiffRow {
                            left: Some(line.clone()),
                            right: Some(line),
                        });
                    }
                    ChangeTag::Delete => {
                        view.removed += 1;
                        deleted.push(line);
                    }
                    ChangeTag::Insert => {
                        view.added += 1;
                        inserted.push(line);
                    }
                }
            }
        }
        pair(&mut view.rows, &mut deleted, &mut inserted);
    }
    view
}

/// Put removed lines beside the lines that replaced them.
fn pair(rows: &mut Vec<DiffRow>, deleted: &mut Vec<DiffLine>, inserted: &mut Vec<DiffLine>) {
    let n = deleted.len().max(inserted.len());
    let mut left = deleted.drain(..);
    let mut right = inserted.drain(..);
    for _ in 0..n {
        rows.push(DiffRow {
            left: left.next(),
            right: right.next(),
        });
    }
}

/// A line's pieces without its line break, merging neighbours of equal emphasis.
fn parts<'a>(pieces: impl Iterator<Item = (bool, std::borrow::Cow<'a, str>)>) -> Vec<DiffPart> {
    let mut out: Vec<DiffPart> = Vec::new();
    for (emph, text) in pieces {
        let text = text.trim_end_matches(['\n', '\r']);
        if text.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.emph == emph => last.text.push_str(text),
            _ => out.push(DiffPart {
                text: text.to_string(),
                emph,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_words_are_emphasised_and_rows_pair_up() {
        let view = diff("a\nthe quick fox\nc\n", "a\nthe slow fox\nc\nd\n");
        assert_eq!((view.added, view.removed), (2, 1));
        let deleted = view.unified.iter().find(|l| l.kind == "delete").unwrap();
        assert!(
            deleted
                .parts
                .iter()
                .any(|p| p.emph && p.text.contains("quick"))
        );
        let row = view
            .rows
            .iter()
            .find(|r| r.left.as_ref().is_some_and(|l| l.kind == "delete"))
            .unwrap();
        assert_eq!(row.right.as_ref().unwrap().kind, "insert");
    }

    #[test]
    fn far_apart_changes_fold_the_middle() {
        let old: String = (0..40).map(|n| format!("line {n}\n")).collect();
        let new = old.replace("line 1\n", "one\n").replace("line 38\n", "x\n");
        let view = diff(&old, &new);
        assert!(view.unified.iter().any(|l| l.kind == "skip"));
        assert!(view.unified.len() < 25);
    }
}

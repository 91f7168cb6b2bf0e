//! Line diffs with word-level emphasis (the `similar` crate), shaped for the
//! pages: unified lines and side-by-side rows, with unchanged stretches
//! beyond three lines of context folded into a `skip` line.
//!
//! Bounded: the line diff and the word emphasis share one deadline, after
//! which `similar` approximates (coarser hunks, less emphasis) instead of
//! running quadratically long on texts that differ everywhere. Call it off the
//! async threads (`spawn_blocking`): within the deadline it still takes CPU.

use std::time::{Duration, Instant};

use portal_types::{DiffKind, DiffLine, DiffPart, DiffRow, DiffView};
use similar::{ChangeTag, TextDiff};

/// Lines of context kept around each change.
const CONTEXT: usize = 3;

/// The time a diff may spend before it approximates.
pub const DEADLINE: Duration = Duration::from_millis(300);

pub fn diff(old: &str, new: &str) -> DiffView {
    let deadline = Instant::now() + DEADLINE;
    let text_diff = TextDiff::configure()
        .deadline(deadline)
        .diff_lines(old, new);
    let mut view = DiffView::default();
    for (i, group) in text_diff.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 {
            let skip = DiffLine {
                kind: DiffKind::Skip,
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
            // One deadline for all ops: `iter_inline_changes` would give each
            // op its own 500 ms.
            for change in text_diff.iter_inline_changes_deadline(op, Some(deadline)) {
                let kind = match change.tag() {
                    ChangeTag::Equal => DiffKind::Equal,
                    ChangeTag::Delete => DiffKind::Delete,
                    ChangeTag::Insert => DiffKind::Insert,
                };
                let line = DiffLine {
                    kind,
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
        let deleted = view
            .unified
            .iter()
            .find(|l| l.kind == DiffKind::Delete)
            .unwrap();
        assert!(
            deleted
                .parts
                .iter()
                .any(|p| p.emph && p.text.contains("quick"))
        );
        let row = view
            .rows
            .iter()
            .find(|r| r.left.as_ref().is_some_and(|l| l.kind == DiffKind::Delete))
            .unwrap();
        assert_eq!(row.right.as_ref().unwrap().kind, DiffKind::Insert);
    }

    #[test]
    fn far_apart_changes_fold_the_middle() {
        let old: String = (0..40).map(|n| format!("line {n}\n")).collect();
        let new = old.replace("line 1\n", "one\n").replace("line 38\n", "x\n");
        let view = diff(&old, &new);
        assert!(view.unified.iter().any(|l| l.kind == DiffKind::Skip));
        assert!(view.unified.len() < 25);
    }

    /// Twelve changed lines of 40,000 random words each: word emphasis per
    /// line is expensive, and with a deadline per op (`similar`'s default,
    /// 500 ms) they would take 12 × 500 ms; one shared deadline bounds it.
    #[test]
    fn word_emphasis_shares_one_deadline() {
        let text = |mut seed: u64| {
            let mut out = String::new();
            for block in 0..12 {
                out.push_str(&format!("== block {block} ==\n"));
                for _ in 0..40_000 {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    out.push_str(["a ", "b ", "c "][(seed % 3) as usize]);
                }
                out.push('\n');
            }
            out
        };
        let (old, new) = (text(1), text(99));
        let started = Instant::now();
        let view = diff(&old, &new);
        let took = started.elapsed();
        assert_eq!((view.added, view.removed), (12, 12));
        assert!(took < Duration::from_secs(3), "took {took:?}");
    }
}
